// Goal: target selection follows CAIRN_E2E_TARGETS, skips an unbuilt cairn-server only when it
// was not asked for explicitly, and a target's lifecycle refuses out-of-order calls; method: pure
// selection over crafted environments, and a ProcessTarget over a real tiny HTTP child process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  cairnServerEntry,
  cairnUnavailableReason,
  ProcessTarget,
  selectedTargets,
  TargetStateError,
  TargetUnavailableError,
  UnknownTargetError,
  type Launched,
} from "@cairn/e2e";
import { freePort, httpOk, spawnChild, waitUntil } from "@cairn/testkit";

const dir = mkdtempSync(join(tmpdir(), "cairn-e2e-targets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const missing = { CAIRN_E2E_SERVER_ENTRY: join(dir, "no-such-main.js") };
const present = join(dir, "main.js");
writeFileSync(present, "");

describe("target selection", () => {
  it("runs restate and cairn by default, skipping cairn with a reason while it is not built", () => {
    const specs = selectedTargets({ ...missing });
    expect(specs.map((s) => s.name)).toEqual(["restate", "cairn"]);
    expect(specs[0]?.skipReason).toBeUndefined();
    expect(specs[1]?.skipReason).toMatch(/cairn-server is not built .*no-such-main\.js/);
  });

  it("runs cairn by default once its entry exists", () => {
    const specs = selectedTargets({ CAIRN_E2E_SERVER_ENTRY: present });
    expect(specs.map((s) => [s.name, s.skipReason])).toEqual([
      ["restate", undefined],
      ["cairn", undefined],
    ]);
  });

  it("never skips a target named explicitly: a missing build fails at start", async () => {
    const specs = selectedTargets({ ...missing, CAIRN_E2E_TARGETS: " cairn , cairn" });
    expect(specs.map((s) => [s.name, s.skipReason])).toEqual([["cairn", undefined]]);
    const target = specs[0]?.create();
    await expect(target?.start({ dataDir: dir })).rejects.toThrow(TargetUnavailableError);
  });

  it("honours a one-target list and rejects unknown names", () => {
    expect(selectedTargets({ CAIRN_E2E_TARGETS: "restate" }).map((s) => s.name)).toEqual(["restate"]);
    expect(() => selectedTargets({ CAIRN_E2E_TARGETS: "restate,temporal" })).toThrow(UnknownTargetError);
  });

  it("finds cairn-server's entry from the override or apps/server", () => {
    expect(cairnServerEntry({ CAIRN_E2E_SERVER_ENTRY: present })).toBe(present);
    expect(cairnServerEntry({})).toMatch(/apps[/\\]server[/\\]/);
    expect(cairnUnavailableReason({ CAIRN_E2E_SERVER_ENTRY: present })).toBeUndefined();
  });
});

/** A stand-in server: a real node process answering 200 on every path. */
async function launchTiny(): Promise<Launched> {
  const port = await freePort();
  const child = spawnChild(process.execPath, [
    "-e",
    `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1")`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil("tiny server", child, () => httpOk(url), 10_000);
  return { ingressUrl: url, adminUrl: url, child };
}

describe("process target lifecycle", () => {
  it("starts, kills, restarts on fresh ports and closes; refuses calls out of order", async () => {
    const dataDirs: string[] = [];
    const target = new ProcessTarget("cairn", async (dataDir) => {
      dataDirs.push(dataDir);
      return launchTiny();
    });
    expect(() => target.endpoints()).toThrow(TargetStateError);
    await expect(target.restart()).rejects.toThrow(TargetStateError);
    await expect(target.kill("SIGKILL")).rejects.toThrow(TargetStateError);

    const first = await target.start({ dataDir: join(dir, "data") });
    expect(target.endpoints()).toEqual(first);
    await expect(target.start({ dataDir: join(dir, "other") })).rejects.toThrow(TargetStateError);
    await target.kill("SIGKILL");
    await expect(httpOk(first.ingressUrl)).rejects.toThrow();
    expect(() => target.endpoints()).toThrow(TargetStateError);

    const second = await target.restart();
    expect(await httpOk(second.ingressUrl)).toBe(true);
    const third = await target.restart(); // from running: stops first
    expect(await httpOk(third.ingressUrl)).toBe(true);
    expect(dataDirs).toEqual([join(dir, "data"), join(dir, "data"), join(dir, "data")]);

    await target.close();
    await expect(httpOk(third.ingressUrl)).rejects.toThrow();
    await expect(target.restart()).rejects.toThrow(TargetStateError);
    await target.close(); // idempotent
  });

  it("notices a server that exits on its own, and can restart it", async () => {
    const launched: Launched[] = [];
    const target = new ProcessTarget("restate", async () => {
      launched.push(await launchTiny());
      return launched.at(-1) as Launched;
    });
    await target.start({ dataDir: dir });
    await launched[0]?.child.kill("SIGKILL"); // a crash the target did not cause
    expect(() => target.endpoints()).toThrow(TargetStateError);
    const again = await target.restart();
    expect(await httpOk(again.ingressUrl)).toBe(true);
    await target.close();
  });
});
