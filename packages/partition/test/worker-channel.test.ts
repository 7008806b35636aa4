// Goal: the worker's side of the task channel (contract C5, worker W4): a TaskBatch is run task by task as the piscina tasks would be, every id is answered exactly once (results and WireErrors), answers that settle in one turn leave in one AnswerBatch, and `close` posts the answers of the requests it rejects before it returns; method: the worker entry opened in this thread over a real MessageChannel, against the official-SDK fixtures.
import { receiveMessageOnPort } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnswerBatch, ChannelTask, InvokeResult, TaskBatch, WorkerEvent } from "@cairn/partition";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { idOnPartition, openWorker, request, schemaFor, tempDir, valueOf, type InProcessWorker } from "./harness.js";

let service: SdkService;

beforeAll(async () => {
  service = await startOfficialService("worker-services");
}, 60_000);

afterAll(async () => {
  await service.close();
});

const answersOf = (events: WorkerEvent[]): AnswerBatch[] => events.filter((event): event is AnswerBatch => event.kind === "answers");

async function open(uri: string): Promise<{ worker: InProcessWorker; remove: () => void }> {
  const tmp = tempDir();
  const schema = schemaFor(uri, [
    { name: "WorkerCounter", ty: "VIRTUAL_OBJECT", handlers: [{ name: "add", ty: "EXCLUSIVE" }] },
    { name: "WorkerSleeper", ty: "SERVICE", handlers: [{ name: "sleep" }] },
  ]);
  const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
  return { worker, remove: tmp.remove };
}

describe("worker task channel", () => {
  it("answers every task of a batch once, results and errors by id, the answers of one turn in one message", async () => {
    const { worker, remove } = await open(service.url);
    try {
      const unknown = Array.from({ length: 10 }, () => idOnPartition(0, 1));
      const tasks: ChannelTask[] = unknown.map((invocationId) => ({ kind: "attach", partition: 0, invocationId, wait: false }));
      tasks.push({ kind: "attach", partition: 5, invocationId: unknown[0] ?? "", wait: false }); // not owned
      tasks.push({ kind: "invoke", partition: 0, request: request("Missing", "run", 1, { invocationId: idOnPartition(0, 1) }) });
      tasks.push({ kind: "close" } as unknown as ChannelTask); // not a channel kind: refused, not run
      const ids = tasks.map((_, i) => 100 + i);
      worker.port.postMessage({ kind: "tasks", ids, tasks } satisfies TaskBatch);
      await expect.poll(() => answersOf(worker.events).flatMap((batch) => [...batch.ids, ...batch.failures.map((f) => f.id)]).length).toBe(ids.length);

      const batches = answersOf(worker.events);
      expect(batches).toHaveLength(1); // all of them settled in the turn the batch arrived
      const [batch] = batches;
      expect(batch?.ids).toEqual(ids.slice(0, 10));
      expect(batch?.results).toEqual(unknown.map(() => ({ kind: "not-found" })));
      const failures = new Map(batch?.failures.map((failure) => [failure.id, failure.error.code]));
      expect(failures).toEqual(
        new Map([
          [110, "ERR_PARTITION_NOT_OWNED"],
          [111, "ERR_PARTITION_SERVICE_NOT_FOUND"],
          [112, "ERR_PARTITION_INTERNAL"],
        ]),
      );
      // The refused `close` did not run: the worker still serves.
      const call = await worker.invoke(0, request("WorkerCounter", "add", 3, { invocationId: idOnPartition(0, 1), key: "channel" }));
      expect(valueOf(call)).toBe(3);
    } finally {
      await worker.close();
      remove();
    }
  });

  it("answers more than 512 settled in one turn in messages of at most 512", async () => {
    const { worker, remove } = await open(service.url);
    try {
      const tasks: ChannelTask[] = Array.from({ length: 600 }, () => ({ kind: "attach", partition: 0, invocationId: idOnPartition(0, 1), wait: false }));
      worker.port.postMessage({ kind: "tasks", ids: tasks.map((_, i) => i), tasks } satisfies TaskBatch);
      await expect.poll(() => answersOf(worker.events).reduce((n, batch) => n + batch.ids.length, 0)).toBe(600);
      expect(answersOf(worker.events).map((batch) => batch.ids.length)).toEqual([512, 88]);
      expect(answersOf(worker.events).flatMap((batch) => batch.ids)).toEqual(tasks.map((_, i) => i));
    } finally {
      await worker.close();
      remove();
    }
  });

  it("a call answers with its outcome over the channel once it completes", async () => {
    const { worker, remove } = await open(service.url);
    try {
      const task: ChannelTask = { kind: "invoke", partition: 0, request: request("WorkerSleeper", "sleep", 50, { invocationId: idOnPartition(0, 1) }) };
      worker.port.postMessage({ kind: "tasks", ids: [7], tasks: [task] } satisfies TaskBatch);
      await expect.poll(() => answersOf(worker.events).length, { timeout: 10_000 }).toBe(1);
      const [batch] = answersOf(worker.events);
      expect(batch?.ids).toEqual([7]);
      expect(batch?.failures).toEqual([]);
      expect(valueOf(batch?.results[0] as InvokeResult)).toBe("slept 50");
    } finally {
      await worker.close();
      remove();
    }
  });

  it("close posts the answers of the requests it rejects before it returns", async () => {
    // A deployment nobody listens on: the call's attempts fail and are retried, so it stays pending.
    const { worker, remove } = await open("http://127.0.0.1:9");
    const task: ChannelTask = { kind: "invoke", partition: 0, request: request("WorkerSleeper", "sleep", 1, { invocationId: idOnPartition(0, 1) }) };
    worker.port.postMessage({ kind: "tasks", ids: [1, 2], tasks: [task, { ...task, request: { ...task.request, invocationId: idOnPartition(0, 1) } }] } satisfies TaskBatch);
    await new Promise((resolve) => setTimeout(resolve, 200)); // both admitted and attempting
    try {
      await worker.run({ kind: "close" });
      // Delivered already, or still on the port for the main thread to read (worker-host drains it).
      const received: WorkerEvent[] = [...worker.events];
      for (let message = receiveMessageOnPort(worker.port); message !== undefined; message = receiveMessageOnPort(worker.port)) received.push(message.message as WorkerEvent);
      const failures = answersOf(received).flatMap((batch) => batch.failures);
      expect(failures.map((failure) => [failure.id, failure.error.code]).sort()).toEqual([
        [1, "ERR_PARTITION_CLOSED"],
        [2, "ERR_PARTITION_CLOSED"],
      ]);
    } finally {
      worker.port.close();
      remove();
    }
  });
});
