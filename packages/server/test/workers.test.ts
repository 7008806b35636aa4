// Goal: the main thread's side of the partition workers: a call between partitions of two workers goes through the outbox relay, and a worker thread that dies fails its pending requests with 503 (not a hang), is restarted, and recovers its partitions (the in-flight invocation completes after the restart); method: startServer with 2 workers, official-SDK fixtures, the thread killed through the test-only internals.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workerEntryPath } from "@cairn/partition";
import { startServer, type CairnServer } from "@cairn/server";
import { serverInternals } from "@cairn/server/internal";
import { registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { collectingLogger, keyOnPartition, postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let service: SdkService;
let server: CairnServer;
const { logger, entries } = collectingLogger();

beforeAll(async () => {
  service = await startOfficialService("worker-services");
  server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 2, logger });
  await registerDeployment(server.adminUrl, service.url, { force: false });
}, 60_000);

afterAll(async () => {
  await server.close();
  await service.close();
  removeTempDirs();
});

function internals() {
  const found = serverInternals.get(server);
  if (found === undefined) throw new Error("no internals for this server");
  return found;
}

describe("partition workers", () => {
  it("a call from a partition of worker 0 to an object on worker 1 goes through the relay", async () => {
    const counterKey = await keyOnPartition("relay-counter", 1, 2);
    const callerIdempotencyKey = await keyOnPartition("relay-caller", 0, 2);
    const response = await postJson(`${server.ingressUrl}/WorkerCaller/callAdd`, { key: counterKey, delta: 5 }, { "idempotency-key": callerIdempotencyKey });
    expect(response.status).toBe(200);
    expect(await response.json()).toBe(5);
    const get = await postJson(`${server.ingressUrl}/WorkerCounter/${counterKey}/get`, null);
    expect(await get.json()).toBe(5);
  });

  it("a crashed worker fails its pending requests with 503, restarts and recovers its partitions", async () => {
    const key = await keyOnPartition("crash", 0, 2);
    const worker = internals().workers[0];
    if (worker === undefined) throw new Error("no worker 0");
    expect(worker.partitions).toEqual([0]);

    // An exclusive handler that sleeps 4 s between reading and writing the count: in flight when the thread dies.
    const started = Date.now();
    const pending = postJson(`${server.ingressUrl}/WorkerCounter/${key}/addSlow`, { delta: 7, sleepMs: 4_000, tag: "crash" });
    await expect.poll(() => internals().ingress.inflight, { timeout: 5_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // let the Invoke record become durable and the attempt reach its sleep
    await worker.terminateThread();

    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get("x-restate-error-source")).toBe("ingress");
    const body = (await response.json()) as { message: string };
    expect(body.message).toMatch(/worker 0 .*stopped.*restarts/);
    // Answered at the crash, not after the sleep it was waiting on.
    expect(Date.now() - started).toBeLessThan(4_000);

    await worker.ready();
    expect(worker.state).toBe("ready");
    expect(worker.restarts).toBe(1);
    expect(entries.some((e) => e.level === "error" && e.message.startsWith("worker 0 crashed"))).toBe(true);
    expect(entries.some((e) => e.message === "worker 0 restarted")).toBe(true);

    // The object's next exclusive call queues behind the recovered addSlow, which finishes its sleep
    // after the restart: 7 + 1 proves the accepted invocation survived the crash.
    const after = await postJson(`${server.ingressUrl}/WorkerCounter/${key}/add`, 1);
    expect(after.status).toBe(200);
    expect(await after.json()).toBe(8);
    const order = await postJson(`${server.ingressUrl}/WorkerCounter/${key}/order`, null);
    expect(await order.json()).toEqual(["crash"]);
  });

  it("worker 1 kept serving while worker 0 restarted", () => {
    expect(internals().workers[1]?.restarts).toBe(0);
    expect(internals().workers[1]?.state).toBe("ready");
  });
});

describe("a worker whose restarts fail", () => {
  it("backs off and retries one restart at a time until the partitions open again", async () => {
    const dataDir = tempDataDir();
    // The real worker entry, with a fault injected: `open` ends the thread while the control file holds n > 0.
    const control = join(dataDir, "fail-opens");
    writeFileSync(control, "0");
    const faulty = join(dataDir, "faulty-worker.mjs");
    writeFileSync(
      faulty,
      [
        `import handleTask from ${JSON.stringify(pathToFileURL(workerEntryPath).href)};`,
        `import { readFileSync, writeFileSync } from "node:fs";`,
        `const control = ${JSON.stringify(control)};`,
        `export default async function (task) {`,
        `  if (task.kind === "open") {`,
        `    const left = Number(readFileSync(control, "utf8"));`,
        `    if (left > 0) { writeFileSync(control, String(left - 1)); process.exit(3); }`,
        `  }`,
        `  return handleTask(task);`,
        `}`,
      ].join("\n"),
    );
    const log = collectingLogger();
    const flaky = await startServer({ dataDir, ingressPort: 0, adminPort: 0, partitions: 1, workers: 1, workerModule: faulty, logger: log.logger });
    try {
      await registerDeployment(flaky.adminUrl, service.url, { force: false });
      expect((await postJson(`${flaky.ingressUrl}/WorkerCounter/k/add`, 1)).status).toBe(200);
      const worker = serverInternals.get(flaky)?.workers[0];
      if (worker === undefined) throw new Error("no worker 0");

      writeFileSync(control, "2");
      await worker.terminateThread();
      const during = await postJson(`${flaky.ingressUrl}/WorkerCounter/k/add`, 1);
      expect(during.status).toBe(503);
      expect(((await during.json()) as { message: string }).message).toMatch(/restarting after a crash/);

      await worker.ready();
      expect(readFileSync(control, "utf8")).toBe("0");
      expect(worker.restarts).toBe(1);
      expect(log.entries.filter((e) => e.message === "worker 0 failed to restart; retrying")).toHaveLength(2);
      expect(log.entries.filter((e) => e.message === "worker 0 restarted")).toHaveLength(1);
      const after = await postJson(`${flaky.ingressUrl}/WorkerCounter/k/add`, 1);
      expect(after.status).toBe(200);
      expect(await after.json()).toBe(2);
    } finally {
      await flaky.close();
    }
  });
});

describe("bounds (D5)", () => {
  it("a partition at inflightInvocationsMax refuses more invocations with 429", async () => {
    const bounded = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 1, workers: 1, inflightInvocationsMax: 1 });
    try {
      await registerDeployment(bounded.adminUrl, service.url, { force: false });
      const held = postJson(`${bounded.ingressUrl}/WorkerSleeper/sleep`, 3_000);
      await new Promise((r) => setTimeout(r, 300));
      const refused = await postJson(`${bounded.ingressUrl}/WorkerSleeper/sleep`, 1);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-restate-error-source")).toBe("ingress");
      expect(((await refused.json()) as { message: string }).message).toMatch(/partition 0 is overloaded/);
      expect((await held).status).toBe(200);
      expect((await postJson(`${bounded.ingressUrl}/WorkerSleeper/sleep`, 1)).status).toBe(200);
    } finally {
      await bounded.close();
    }
  });
});
