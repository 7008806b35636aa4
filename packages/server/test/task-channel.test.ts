// Goal: hot-path tasks travel batched over a worker's task channel (worker-host H6, task-channel T1–T4): the tasks of one turn leave in one message and each caller gets its own answer or error; the pending bound refuses at once (429); a thread that dies rejects every pending task with the 503 of today; close answers every pending task (the worker's ERR_PARTITION_CLOSED, read off the port), never a hang. Method: a WorkerHost on the real worker module, with a deployment nobody listens on so that calls stay pending while their attempts are retried.
import { createServer } from "node:net";
import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { OverloadedError, UnavailableError } from "@cairn/ingress";
import {
  workerEntryPath,
  type AnswerBatch,
  type ChannelTask,
  type InvokeRequest,
  type InvokeResult,
  type PartitionConfig,
  type SchemaSnapshot,
  type TaskBatch,
} from "@cairn/partition";
import { formatInvocationId, newInvocationId } from "@cairn/protocol";
import { TaskChannel, WorkerHost, WorkerOverloaded, WorkerUnavailable, toIngressError } from "@cairn/server/internal";
import { collectingLogger, removeTempDirs, tempDataDir } from "./helpers.js";

const config: PartitionConfig = {
  inactivityTimeoutMs: 60_000,
  abortTimeoutMs: 600_000,
  // Attempts against the closed port fail at once; they are retried (and the call stays pending) until the host closes.
  defaultRetryPolicy: { initialIntervalMs: 50, exponentiationFactor: 2, maxIntervalMs: 200, maxAttempts: 10_000, onMaxAttempts: "PAUSE" },
  inflightInvocationsMax: 1_000,
  inboxLengthMax: 100,
  fsync: false,
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function schemaAt(port: number): SchemaSnapshot {
  const deploymentId = "dp_1channeltest00000000000";
  return {
    version: 1,
    deployments: {
      [deploymentId]: { id: deploymentId, uri: `http://127.0.0.1:${port}`, useHttp11: false, additionalHeaders: {}, minProtocolVersion: 5, maxProtocolVersion: 7 },
    },
    services: {
      Stuck: { name: "Stuck", ty: "SERVICE", deploymentId, revision: 1, public: true, handlers: { run: { name: "run", ty: undefined, public: true } } },
    },
  };
}

function invoke(mode: "call" | "send", service = "Stuck"): InvokeRequest {
  const invocationId = formatInvocationId(newInvocationId());
  return { invocationId, service, handler: "run", headers: [["content-type", "application/json"]], body: new TextEncoder().encode("1"), mode };
}

const hosts: WorkerHost[] = [];

async function openHost(options: { concurrentTasks?: number; queueMax?: number } = {}): Promise<{ host: WorkerHost; logs: ReturnType<typeof collectingLogger> }> {
  const logs = collectingLogger();
  const schema = schemaAt(await closedPort());
  const host = new WorkerHost({
    index: 0,
    partitions: [0],
    partitionCount: 1,
    dataDir: tempDataDir(),
    config,
    schema: () => schema,
    filename: workerEntryPath,
    concurrentTasks: options.concurrentTasks ?? 1_000,
    queueMax: options.queueMax ?? 100,
    logger: logs.logger,
    onOutbox: () => undefined,
  });
  hosts.push(host);
  await host.start();
  return { host, logs };
}

/** Settles `promise` into a value or its error, for assertions on both. */
async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
  removeTempDirs();
});

describe("task channel", () => {
  it("sends the tasks of one turn as one batch; each caller gets its own answer or error", async () => {
    const { host } = await openHost();
    const before = host.channelStats;
    const unknownIds = Array.from({ length: 20 }, () => formatInvocationId(newInvocationId()));
    const attaches = unknownIds.map((invocationId) => host.run<{ kind: string }>({ kind: "attach", partition: 0, invocationId, wait: false }));
    const send = host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("send") });
    const missing = settle(host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("call", "Nope") }));
    const notOwned = settle(host.run({ kind: "attach", partition: 3, invocationId: unknownIds[0] ?? "", wait: false }));
    expect(host.queueSize).toBe(23); // queued for this turn's flush, nothing sent yet
    expect(host.channelPending).toBe(23);

    expect((await Promise.all(attaches)).map((answer) => answer.kind)).toEqual(unknownIds.map(() => "not-found"));
    expect(await send).toMatchObject({ kind: "accepted", status: "Accepted" });
    const missingAnswer = await missing;
    expect(missingAnswer.ok).toBe(false);
    if (!missingAnswer.ok) {
      // The same WireError a piscina task rejects with (C3), so the dispatcher maps it alike.
      expect(missingAnswer.error).toMatchObject({ code: "ERR_PARTITION_SERVICE_NOT_FOUND" });
      expect(toIngressError(missingAnswer.error, 0).status).toBe(404);
    }
    const notOwnedAnswer = await notOwned;
    expect(notOwnedAnswer.ok ? undefined : notOwnedAnswer.error).toMatchObject({ code: "ERR_PARTITION_NOT_OWNED" });

    expect(host.channelStats).toMatchObject({ batches: before.batches + 1, tasks: before.tasks + 23, answers: before.answers + 23 });
    expect(host.channelPending).toBe(0);
    // Tasks that are not on the hot path still run as piscina tasks.
    await host.pushSchema({ ...schemaAt(1), version: 2 });
    expect(host.channelStats.tasks).toBe(before.tasks + 23);
  });

  it("refuses a task past concurrentTasks + queueMax pending with 429 at once, and takes tasks again once answers free room", async () => {
    const { host } = await openHost({ concurrentTasks: 2, queueMax: 1 });
    const held = [0, 1, 2].map(() => settle(host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("call") })));
    const refused = await settle(host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("send") }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      const mapped = toIngressError(refused.error, 0);
      expect(mapped).toBeInstanceOf(OverloadedError);
      expect(mapped.status).toBe(429);
      expect(mapped.message).toBe("the worker of partition 0 has too many queued tasks; retry later");
    }
    expect(host.channelPending).toBe(3);
    await host.close(); // the three held calls end with 503 (sent or not when close began)
    for (const answer of await Promise.all(held)) expect(answer.ok ? undefined : toIngressError(answer.error, 0).status).toBe(503);
    expect(host.channelPending).toBe(0);

    // Bound 2: three tasks one after the other all pass, each answer freeing its room.
    const { host: roomy } = await openHost({ concurrentTasks: 1, queueMax: 1 });
    for (let i = 0; i < 3; i++) expect(await roomy.run({ kind: "invoke", partition: 0, request: invoke("send") })).toMatchObject({ kind: "accepted" });
  });

  it("rejects every task pending on a thread that dies with the 503 of a crashed worker; the restarted thread serves the channel again", async () => {
    const { host, logs } = await openHost();
    const pending = Array.from({ length: 5 }, () => settle(host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("call") })));
    await expect.poll(() => host.channelStats.tasks, { timeout: 5_000 }).toBe(5); // sent, now waiting on their attempts
    await host.terminateThread();
    for (const answer of await Promise.all(pending)) {
      expect(answer.ok).toBe(false);
      if (answer.ok) continue;
      expect(answer.error).toBeInstanceOf(WorkerUnavailable);
      expect((answer.error as WorkerUnavailable).mayHaveRun).toBe(true);
      const mapped = toIngressError(answer.error, 0);
      expect(mapped).toBeInstanceOf(UnavailableError);
      expect(mapped.message).toMatch(/worker 0 .*stopped while running the request.*retry with an idempotency-key/);
    }
    expect(logs.entries.some((entry) => entry.level === "error" && entry.message.startsWith("worker 0 crashed"))).toBe(true);

    await host.ready();
    expect(host.restarts).toBe(1);
    expect(host.channelStats).toEqual({ batches: 0, tasks: 0, answerBatches: 0, answers: 0 }); // a new incarnation, a new channel
    expect(await host.run({ kind: "attach", partition: 0, invocationId: formatInvocationId(newInvocationId()), wait: false })).toEqual({ kind: "not-found" });
  });

  it("on close answers every pending task with the worker's ERR_PARTITION_CLOSED (503), and refuses new ones at once", async () => {
    const { host } = await openHost();
    const pending = Array.from({ length: 8 }, () => settle(host.run<InvokeResult>({ kind: "invoke", partition: 0, request: invoke("call") })));
    await expect.poll(() => host.channelStats.tasks, { timeout: 5_000 }).toBe(8);
    const closing = host.close();
    const late = await settle(host.run({ kind: "attach", partition: 0, invocationId: formatInvocationId(newInvocationId()), wait: false }));
    expect(late.ok ? undefined : late.error).toBeInstanceOf(WorkerUnavailable);
    await closing;
    for (const answer of await Promise.all(pending)) {
      expect(answer.ok).toBe(false);
      if (answer.ok) continue;
      // Answered by the worker (W3) and read off the port at close, not the host's fallback error.
      expect(answer.error).toMatchObject({ code: "ERR_PARTITION_CLOSED" });
      expect(toIngressError(answer.error, 0).status).toBe(503);
    }
  });
});

describe("TaskChannel on a bare port", () => {
  const attach = (): ChannelTask => ({ kind: "attach", partition: 0, invocationId: formatInvocationId(newInvocationId()), wait: false });

  it("sends a task that does not clone alone and fails only it (T3); ignores answers for ids not pending (T4)", async () => {
    const { port1, port2 } = new MessageChannel();
    const channel = new TaskChannel(port1, 10);
    const received: TaskBatch[] = [];
    port2.on("message", (batch: TaskBatch) => {
      received.push(batch);
      const answer: AnswerBatch = { kind: "answers", ids: [...batch.ids, 999], results: [...batch.ids.map((id) => `answer ${id}`), "stray"], failures: [] };
      channel.onAnswers(answer);
    });
    try {
      const good = [channel.call<string>(attach()), channel.call<string>(attach())];
      const bad = settle(channel.call({ kind: "attach", partition: 0, invocationId: "x", wait: false, extra: () => 1 } as unknown as ChannelTask));
      expect(await Promise.all(good)).toEqual(["answer 1", "answer 2"]);
      const badAnswer = await bad;
      expect(badAnswer.ok).toBe(false);
      if (!badAnswer.ok) expect((badAnswer.error as Error).name).toBe("DataCloneError");
      expect(received.map((batch) => batch.ids)).toEqual([[1], [2]]); // the whole batch failed to clone; the good ones went alone
      expect(channel.pending).toBe(0);
    } finally {
      port1.close();
    }
  });

  it("splits a turn's tasks into messages of at most 512 (T3)", async () => {
    const { port1, port2 } = new MessageChannel();
    const channel = new TaskChannel(port1, 10_000);
    const sizes: number[] = [];
    port2.on("message", (batch: TaskBatch) => {
      sizes.push(batch.tasks.length);
      channel.onAnswers({ kind: "answers", ids: batch.ids, results: batch.ids, failures: [] });
    });
    try {
      const answers = await Promise.all(Array.from({ length: 1_200 }, () => channel.call<number>(attach())));
      expect(answers).toEqual(Array.from({ length: 1_200 }, (_, i) => i + 1));
      expect(sizes).toEqual([512, 512, 176]);
      expect(channel.stats).toEqual({ batches: 3, tasks: 1_200, answerBatches: 3, answers: 1_200 });
    } finally {
      port1.close();
    }
  });

  it("drain() reads answers already on the port without waiting for the event loop; fail() settles the rest and refuses later calls (T1)", async () => {
    const { port1, port2 } = new MessageChannel();
    const channel = new TaskChannel(port1, 2);
    try {
      const first = channel.call<string>(attach());
      const second = settle(channel.call<string>(attach()));
      const third = settle(channel.call<string>(attach()));
      expect(await third).toMatchObject({ ok: false, error: expect.any(WorkerOverloaded) as unknown }); // T2: 2 pending
      port2.postMessage({ kind: "answers", ids: [1], results: ["one"], failures: [] } satisfies AnswerBatch);
      let drained = 0;
      channel.drain((message) => {
        drained += 1;
        channel.onAnswers(message as AnswerBatch);
      });
      expect(drained).toBe(1);
      expect(await first).toBe("one");
      channel.fail(new WorkerUnavailable("gone", true));
      expect(await second).toMatchObject({ ok: false, error: { message: "gone" } });
      expect(await settle(channel.call(attach()))).toMatchObject({ ok: false, error: { message: "gone" } });
      expect(channel.pending).toBe(0);
    } finally {
      port1.close();
      port2.close();
    }
  });
});
