// Goal: the main thread's side of the partition workers: a call between partitions of two workers goes through the outbox relay, and a worker thread that dies fails its pending requests with 503 (not a hang), is restarted, and recovers its partitions (the in-flight invocation completes after the restart); method: startServer with 2 workers, official-SDK fixtures, the thread killed through the test-only internals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

    // An exclusive handler that sleeps 1.5 s between reading and writing the count: in flight when the thread dies.
    const started = Date.now();
    const pending = postJson(`${server.ingressUrl}/WorkerCounter/${key}/addSlow`, { delta: 7, sleepMs: 1_500, tag: "crash" });
    await expect.poll(() => internals().ingress.inflight, { timeout: 5_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // let the Invoke record become durable and the attempt reach its sleep
    await worker.terminateThread();

    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get("x-restate-error-source")).toBe("ingress");
    const body = (await response.json()) as { message: string };
    expect(body.message).toMatch(/worker 0 .*stopped.*restarts/);
    expect(Date.now() - started).toBeLessThan(1_500);

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
