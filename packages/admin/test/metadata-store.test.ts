// Goal: the metadata survives reopening, every save replaces the whole file atomically, and a damaged file is refused with a clear error; method: real files in a temp dir.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MetadataCorruptError, MetadataStore, emptyMetadata, type MetadataState } from "@cairn/admin";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-admin-meta-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const oneDeployment: MetadataState = {
  ...emptyMetadata,
  version: 1,
  deployments: {
    dp_1abc: {
      id: "dp_1abc",
      uri: "http://127.0.0.1:9080/",
      useHttp11: false,
      protocolMode: "BIDI_STREAM",
      additionalHeaders: {},
      metadata: {},
      createdAtMs: 1,
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
      sdkVersion: "restate-sdk-typescript/1.17.2",
      manifestVersion: 4,
      services: [{ name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet" }] }],
      revisions: { Greeter: 1 },
    },
  },
  services: { Greeter: { name: "Greeter", revision: 1, deploymentId: "dp_1abc" } },
};

describe("MetadataStore", () => {
  it("starts empty and reloads what was saved", async () => {
    const dir = tempDir();
    const store = await MetadataStore.open(dir);
    expect(store.state).toEqual(emptyMetadata);
    await store.save(oneDeployment);
    expect(store.state).toEqual(oneDeployment);
    const reopened = await MetadataStore.open(dir);
    expect(reopened.state).toEqual(oneDeployment);
    expect(readdirSync(dir)).toEqual(["schema.json"]);
  });

  it("refuses a version that does not increase (M2)", async () => {
    const store = await MetadataStore.open(tempDir());
    await store.save(oneDeployment);
    await expect(store.save(oneDeployment)).rejects.toThrow(/must increase/);
    expect(store.state.version).toBe(1);
  });

  it("ignores a temporary file a crash left behind (M1)", async () => {
    const dir = tempDir();
    const store = await MetadataStore.open(dir);
    await store.save(oneDeployment);
    writeFileSync(join(dir, "schema.json.tmp"), '{"format":1,"version":9,"depl');
    const reopened = await MetadataStore.open(dir);
    expect(reopened.state).toEqual(oneDeployment);
    expect(readdirSync(dir)).toEqual(["schema.json"]);
  });

  it.each([
    ["not JSON", "{nope"],
    ["an unknown format", JSON.stringify({ ...oneDeployment, format: 99 })],
    ["no version", JSON.stringify({ ...oneDeployment, version: "x" })],
    ["a dangling service", JSON.stringify({ ...oneDeployment, deployments: {} })],
  ])("refuses a file with %s", async (_what, text) => {
    const dir = tempDir();
    writeFileSync(join(dir, "schema.json"), text);
    await expect(MetadataStore.open(dir)).rejects.toBeInstanceOf(MetadataCorruptError);
  });
});
