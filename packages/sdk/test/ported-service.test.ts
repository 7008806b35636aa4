// Goal: a service written for the official SDK runs on @cairn/sdk by changing only its import and
// gives the same results; method: run the official file on Node 24 and the Cairn copy inside this
// test process (Node 20), one after the other behind one real restate-server, and compare.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, HttpCallError, type Ingress } from "@cairn/client";
import { freePort, registerDeployment, startOfficialService, startRestateServer, testkitRoot, type RestateServer, type SdkService } from "@cairn/testkit";

const here = dirname(fileURLToPath(import.meta.url));
const officialSource = join(here, "fixtures", "ported", "official.ts");
const cairnSource = join(here, "fixtures", "ported", "cairn.ts");

// Type-only: importing the module itself would evaluate it before the test sets its port.
import type { ported, portedCounter, portedWorkflow } from "./fixtures/ported/cairn.js";

describe("ported service", () => {
  it("differs from the official source only in its import line", () => {
    const a = readFileSync(officialSource, "utf8").split("\n");
    const b = readFileSync(cairnSource, "utf8").split("\n");
    expect(b.length).toBe(a.length);
    const differing = a.map((line, i) => (line === b[i] ? -1 : i)).filter((i) => i >= 0);
    expect(differing).toHaveLength(1);
    expect(a[differing[0]!]).toBe('import * as restate from "@restatedev/restate-sdk";');
    expect(b[differing[0]!]).toBe('import * as restate from "@cairn/sdk";');
  });
});

describe("ported service: official SDK vs @cairn/sdk behind restate-server", () => {
  let server: RestateServer;
  let official: SdkService;
  let tmp: string;
  const ingress: Record<string, Ingress> = {};

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "ported-"));
    copyFileSync(officialSource, join(tmp, "official.ts"));
    // The official file resolves @restatedev/restate-sdk from testkit's dependencies.
    symlinkSync(join(testkitRoot(), "node_modules"), join(tmp, "node_modules"), "dir");
    server = await startRestateServer();
    official = await startOfficialService(join(tmp, "official.ts"));
    await registerDeployment(server.adminUrl, official.url);
    ingress.official = connect({ url: server.ingressUrl });
  }, 120_000);

  afterAll(async () => {
    await official?.close();
    await server?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  async function scenarios(client: Ingress, suffix: string): Promise<unknown[]> {
    const svc = client.serviceClient<"Ported", (typeof ported)["handlers"]>({ name: "Ported" });
    const results: unknown[] = [];
    results.push(await svc.greet("Ada"));
    results.push(await svc.steps(4));
    results.push(await svc.fail(418).catch((e: unknown) => (e instanceof HttpCallError ? [e.status, e.message.replace(/^.*: /, "")] : String(e))));
    results.push(await svc.combine());
    results.push(await svc.callCounter(`k-${suffix}`));
    const counter = client.objectClient<"PortedCounter", (typeof portedCounter)["handlers"]>({ name: "PortedCounter" }, `k-${suffix}`);
    results.push(await counter.get());
    results.push(await counter.keys());
    const wf = client.workflowClient<"PortedWorkflow", (typeof portedWorkflow)["handlers"]>({ name: "PortedWorkflow" }, `w-${suffix}`);
    const sent = await wf.workflowSubmit("Bob");
    results.push(sent.status);
    await wf.answer("42");
    results.push(await wf.workflowAttach());
    return results;
  }

  it("gives identical results on both SDKs", async () => {
    const officialResults = await scenarios(ingress.official!, "o");
    // Swap the deployment: same service names, now served by the Cairn copy on this Node.
    const port = await freePort();
    process.env.CAIRN_SERVICE_PORT = String(port);
    await import(cairnSource);
    delete process.env.CAIRN_SERVICE_PORT;
    await registerDeployment(server.adminUrl, `http://127.0.0.1:${port}`, { force: true });
    await official.close();
    const cairnResults = await scenarios(connect({ url: server.ingressUrl }), "c");
    expect(cairnResults).toEqual(officialResults);
    expect(officialResults[0]).toBe("Hello, Ada!");
    expect(officialResults[1]).toEqual([0, 1, 4, 9]);
  }, 120_000);
});
