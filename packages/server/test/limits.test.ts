// Goal: the server's bounds and durability of control state: a full inbox answers 429 and loses
// nothing, retry counters survive a worker crash (the policy's attempt limit counts attempts
// before and after it), and an outbox message to a worker that is restarting is delivered as
// soon as it is open (not after the sender's 10 s resend); method: startServer with small
// bounds, official-SDK fixtures, side effects recorded outside the server, worker threads
// killed through the test-only internals.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "@cairn/server";
import { serverInternals } from "@cairn/server/internal";
import { registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { keyOnPartition, postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let workerServices: SdkService;
let controlServices: SdkService;
let effectsDir: string;

beforeAll(async () => {
  effectsDir = mkdtempSync(join(tmpdir(), "cairn-server-effects-"));
  [workerServices, controlServices] = await Promise.all([
    startOfficialService("worker-services"),
    startOfficialService("control-services", { env: { CAIRN_E2E_SIDE_EFFECTS: join(effectsDir, "effects.jsonl") } }),
  ]);
}, 60_000);

afterAll(async () => {
  await workerServices.close();
  await controlServices.close();
  rmSync(effectsDir, { recursive: true, force: true });
  removeTempDirs();
});

function attempts(kind: string, tag: string): number {
  let text = "";
  try {
    text = readFileSync(join(effectsDir, "effects.jsonl"), "utf8");
  } catch {
    return 0;
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { kind: string; tag: string })
    .filter((e) => e.kind === kind && e.tag === tag).length;
}

describe("bounds and durable control state", () => {
  it("a full inbox answers 429 with a clear message; what was admitted completes", async () => {
    const server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 1, workers: 1, inboxLengthMax: 1 });
    try {
      await registerDeployment(server.adminUrl, workerServices.url, { force: false });
      const url = `${server.ingressUrl}/WorkerCounter/inbox-key`;
      const holding = postJson(`${url}/addSlow`, { delta: 1, sleepMs: 1_500, tag: "inbox" });
      await new Promise((r) => setTimeout(r, 300));
      const queued = postJson(`${url}/add`, 2);
      await new Promise((r) => setTimeout(r, 300));
      const refused = await postJson(`${url}/add`, 4);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-restate-error-source")).toBe("ingress");
      expect(((await refused.json()) as { message: string }).message).toMatch(/inbox of WorkerCounter\/inbox-key is full/);
      expect((await holding).status).toBe(200);
      const second = await queued;
      expect(second.status).toBe(200);
      expect(await second.json()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it("retry counters survive a worker crash: the attempt limit counts attempts on both sides of it", async () => {
    const server = await startServer({
      dataDir: tempDataDir(),
      ingressPort: 0,
      adminPort: 0,
      partitions: 1,
      workers: 1,
      retryPolicy: { maxAttempts: 4, initialIntervalMs: 1_000, maxIntervalMs: 1_000, onMaxAttempts: "PAUSE" },
    });
    try {
      await registerDeployment(server.adminUrl, controlServices.url, { force: false });
      const tag = `durable-retries-${Date.now()}`;
      const sent = await postJson(`${server.ingressUrl}/CtlFlaky/alwaysFail/send`, tag);
      expect(sent.status).toBe(202);
      await expect.poll(() => attempts("alwaysFailAttempt", tag), { timeout: 10_000, interval: 20 }).toBe(2);
      // Inside the 1 s backoff after attempt 2, once its failure is durable (the SDK records the
      // attempt before it sends the error): the thread dies and recovers from its log.
      await new Promise((r) => setTimeout(r, 400));
      const worker = serverInternals.get(server)?.workers[0];
      if (worker === undefined) throw new Error("no worker 0");
      await worker.terminateThread();
      await expect.poll(() => worker.restarts, { timeout: 10_000 }).toBe(1);
      await expect.poll(() => attempts("alwaysFailAttempt", tag), { timeout: 10_000, interval: 50 }).toBe(4);
      // Paused after the 4th attempt overall: a counter reset by the crash would allow 4 more.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(attempts("alwaysFailAttempt", tag)).toBe(4);
    } finally {
      await server.close();
    }
  });

  it("delivers an outbox message to a restarting worker as soon as it opens", async () => {
    const server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 2 });
    try {
      await registerDeployment(server.adminUrl, workerServices.url, { force: false });
      const counterKey = await keyOnPartition("opening-counter", 1, 2);
      const callerKey = await keyOnPartition("opening-caller", 0, 2);
      const target = serverInternals.get(server)?.workers[1];
      if (target === undefined) throw new Error("no worker 1");
      await target.terminateThread();
      const started = Date.now();
      const response = await postJson(`${server.ingressUrl}/WorkerCaller/callAdd`, { key: counterKey, delta: 3 }, { "idempotency-key": callerKey });
      expect(response.status).toBe(200);
      expect(await response.json()).toBe(3);
      // Well under the sender's 10 s ack timeout that a dropped relay would have waited for.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });
});
