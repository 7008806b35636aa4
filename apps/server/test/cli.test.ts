// Goal: the cairn-server binary as an operator runs it: --help, --version, bad flags (exit 2), JSON log lines at start, a config file with env and flag overrides, a clean exit on SIGTERM and SIGINT, exit 1 on a refused start; method: the built dist/main.js spawned as a child process on loopback ports.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, httpOk, registerDeployment, spawnChild, startOfficialService, waitUntil, type ChildHandle } from "@cairn/testkit";

const main = resolve(fileURLToPath(new URL("../dist/main.js", import.meta.url)));
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-cli-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function cairn(args: string[], env: Record<string, string> = {}): ChildHandle {
  return spawnChild(process.execPath, [main, ...args], { env });
}

function logLines(child: ChildHandle): Record<string, unknown>[] {
  return child
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("cairn-server", () => {
  it("--help lists every option with its environment variable, and exits 0", async () => {
    const child = cairn(["--help"]);
    expect(await child.exited()).toBe(0);
    const help = child.output();
    for (const text of ["--data-dir", "CAIRN_DATA_DIR", "--ingress-port", "CAIRN_INGRESS_PORT", "--admin-port", "--bind", "--partitions", "--config", "--inactivity-timeout", "--abort-timeout", "SIGTERM"]) {
      expect(help).toContain(text);
    }
  });

  it("--version prints the version", async () => {
    const child = cairn(["--version"]);
    expect(await child.exited()).toBe(0);
    expect(child.output()).toMatch(/^cairn-server \d+\.\d+\.\d+$/);
  });

  it("a bad flag exits 2 with a clear message", async () => {
    const child = cairn(["--ingres-port", "1"]);
    expect(await child.exited()).toBe(2);
    expect(child.output()).toMatch(/Unknown option '--ingres-port'/);
    const bad = cairn(["--partitions", "lots"]);
    expect(await bad.exited()).toBe(2);
    expect(bad.output()).toMatch(/--partitions: expected a positive integer/);
  });

  it("starts from a config file with env and flag overrides, logs JSON, and stops cleanly on SIGTERM", async () => {
    const dir = tempDir();
    const [fileIngress, envAdmin, flagIngress] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(join(dir, "cairn.json"), JSON.stringify({ dataDir: "data", ingressPort: fileIngress, adminPort: 1, partitions: 3, workers: 1 }));
    const child = cairn(["--config", join(dir, "cairn.json"), "--ingress-port", String(flagIngress)], { CAIRN_ADMIN_PORT: String(envAdmin) });
    try {
      await waitUntil("cairn-server admin", child, () => httpOk(`http://127.0.0.1:${envAdmin}/health`), 30_000);
      await waitUntil("cairn-server ingress", child, () => httpOk(`http://127.0.0.1:${flagIngress}/restate/health`), 30_000);
      const started = logLines(child).find((line) => line.msg === "cairn server started");
      expect(started).toMatchObject({
        level: "info",
        ingress: `http://127.0.0.1:${flagIngress}`,
        admin: `http://127.0.0.1:${envAdmin}`,
        dataDir: join(dir, "data"),
        partitions: 3,
        workers: 1,
        dataDirCreated: true,
      });
      expect(["uws", "node"]).toContain(started?.ingressImplementation);
      expect(started?.recovered).toHaveLength(3);
      expect(typeof started?.time).toBe("string");
    } finally {
      await child.kill("SIGTERM");
    }
    expect(await child.exited()).toBe(0);
    const messages = logLines(child).map((line) => line.msg);
    expect(messages).toContain("SIGTERM received: stopping");
    expect(messages.at(-1)).toBe("cairn server stopped");
  });

  it("stops cleanly on SIGINT and restarts on the same data directory with its stored partitions", async () => {
    const dataDir = join(tempDir(), "data");
    const ports = async () => ["--ingress-port", String(await freePort()), "--admin-port", String(await freePort())];
    const first = cairn(["--data-dir", dataDir, "--partitions", "3", ...(await ports())]);
    await waitUntil("first start", first, async () => Promise.resolve(logLines(first).some((l) => l.msg === "cairn server started")), 30_000);
    await first.kill("SIGINT");
    expect(await first.exited()).toBe(0);

    const second = cairn(["--data-dir", dataDir, ...(await ports())]);
    try {
      await waitUntil("second start", second, async () => Promise.resolve(logLines(second).some((l) => l.msg === "cairn server started")), 30_000);
      expect(logLines(second).find((l) => l.msg === "cairn server started")).toMatchObject({ partitions: 3, dataDirCreated: false });
    } finally {
      await second.kill("SIGTERM");
    }
    expect(await second.exited()).toBe(0);

    const mismatch = cairn(["--data-dir", dataDir, "--partitions", "5", ...(await ports())]);
    expect(await mismatch.exited()).toBe(1);
    const failure = logLines(mismatch).find((l) => l.msg === "cairn server failed to start");
    expect(failure).toMatchObject({ level: "error", code: "ERR_SERVER_PARTITION_COUNT_MISMATCH" });
    expect(String(failure?.error)).toMatch(/created with 3 partitions/);
  });

  it("answers a call still running at SIGTERM with 503 instead of dropping it, and exits 0", async () => {
    const service = await startOfficialService("worker-services");
    const [ingressPort, adminPort] = [await freePort(), await freePort()];
    const child = cairn(["--data-dir", join(tempDir(), "data"), "--ingress-port", String(ingressPort), "--admin-port", String(adminPort), "--partitions", "1"]);
    try {
      await waitUntil("cairn-server ingress", child, () => httpOk(`http://127.0.0.1:${ingressPort}/restate/health`), 30_000);
      await registerDeployment(`http://127.0.0.1:${adminPort}`, service.url, { force: false });
      const pending = fetch(`http://127.0.0.1:${ingressPort}/WorkerSleeper/sleep`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "60000",
      });
      await new Promise((r) => setTimeout(r, 500)); // the invocation is durable and sleeping
      const stoppedAt = Date.now();
      await child.kill("SIGTERM");
      const response = await pending;
      expect(response.status).toBe(503);
      expect(response.headers.get("x-restate-error-source")).toBe("ingress");
      await response.arrayBuffer();
      expect(await child.exited()).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    } finally {
      await child.stop();
      await service.close();
    }
  });
});
