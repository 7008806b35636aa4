// Goal: virtual-object state and per-key ordering, durable sleep across a close and reopen, calls
// and sends between partitions, and retries with accurate retry counts, end to end; method: the
// worker entry in-process on a real log + SQLite, against official-SDK fixtures
// (testkit services/worker-services.ts), with the schema snapshot built by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partitionKeyOf } from "@cairn/protocol";
import { partitionOf, type SchemaSnapshot } from "@cairn/partition";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { idForKey, idOnPartition, openWorker, partitionOfId, request, schemaFor, tempDir, testConfig, valueOf } from "./harness.js";

let service: SdkService;
let schema: SchemaSnapshot;

beforeAll(async () => {
  service = await startOfficialService("worker-services");
  schema = schemaFor(service.url, [
    {
      name: "WorkerCounter",
      ty: "VIRTUAL_OBJECT",
      handlers: [
        { name: "add", ty: "EXCLUSIVE" },
        { name: "addSlow", ty: "EXCLUSIVE" },
        { name: "reset", ty: "EXCLUSIVE" },
        { name: "get", ty: "SHARED" },
        { name: "order", ty: "SHARED" },
        { name: "keys", ty: "SHARED" },
      ],
    },
    { name: "WorkerSleeper", ty: "SERVICE", handlers: [{ name: "sleep" }] },
    { name: "WorkerCaller", ty: "SERVICE", handlers: [{ name: "callAdd" }, { name: "sendAdd" }, { name: "callGreet" }] },
    { name: "WorkerFlaky", ty: "SERVICE", handlers: [{ name: "failTimes" }, { name: "runRetries" }, { name: "executions" }] },
  ]);
}, 60_000);

afterAll(async () => {
  await service.close();
});

/** A key whose partition (of `count`) is `partition`. */
function keyOnPartition(prefix: string, partition: number, count: number): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`;
    if (partitionOf(partitionKeyOf(key), count) === partition) return key;
  }
}

describe("virtual object", () => {
  it("keeps state across invocations of one key and reads it from a shared handler", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const key = "state-key";
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "add", 1, { invocationId: idForKey(key), key })))).toBe(1);
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "add", 2, { invocationId: idForKey(key), key })))).toBe(3);
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "get", null, { invocationId: idForKey(key), key })))).toBe(3);
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "keys", null, { invocationId: idForKey(key), key })))).toEqual(["count"]);
      await worker.invoke(0, request("WorkerCounter", "reset", null, { invocationId: idForKey(key), key }));
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "get", null, { invocationId: idForKey(key), key })))).toBe(0);
      // Another key is independent.
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "add", 5, { invocationId: idForKey("other"), key: "other" })))).toBe(5);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("runs exclusive handlers of one key one at a time, in arrival order", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const key = "ordered";
      const tags = ["a", "b", "c", "d", "e"];
      // Issued back to back without awaiting: each sleeps between its read and its write, so any
      // overlap would lose an update.
      const calls = tags.map((tag) =>
        worker.invoke(0, request("WorkerCounter", "addSlow", { delta: 1, sleepMs: 30, tag }, { invocationId: idForKey(key), key })),
      );
      const results = (await Promise.all(calls)).map(valueOf);
      expect(results).toEqual([1, 2, 3, 4, 5]);
      expect(valueOf(await worker.invoke(0, request("WorkerCounter", "order", null, { invocationId: idForKey(key), key })))).toEqual(tags);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("durable sleep", () => {
  it("completes a sleep that spans closing and reopening the partitions", async () => {
    const tmp = tempDir();
    const id = idOnPartition(0, 1);
    let worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const accepted = await worker.invoke(0, request("WorkerSleeper", "sleep", 1500, { invocationId: id, mode: "send" }));
      expect(accepted).toMatchObject({ kind: "accepted", status: "Accepted" });
      // Let the SDK journal the Sleep (the timer is then in the store), then stop everything.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await worker.close();
    }
    worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      expect(worker.open.recovered[0]?.fromLsn).toBeGreaterThan(0);
      const started = Date.now();
      // Same id, mode call: attaches to the invocation already in flight.
      const result = await worker.invoke(0, request("WorkerSleeper", "sleep", 1500, { invocationId: id }));
      expect(valueOf(result)).toBe("slept 1500");
      expect(Date.now() - started).toBeLessThan(5_000);
      // A second send with the same id is a duplicate.
      expect(await worker.invoke(0, request("WorkerSleeper", "sleep", 1500, { invocationId: id, mode: "send" }))).toMatchObject({
        status: "PreviouslyAccepted",
      });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("calls between partitions of one worker", () => {
  it("calls and sends from a service on partition 0 to an object on partition 1", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0, 1], partitionCount: 2, schema });
    try {
      const key = keyOnPartition("remote", 1, 2);
      const callerId = idOnPartition(0, 2);
      expect(partitionOfId(callerId, 2)).toBe(0);
      expect(valueOf(await worker.invoke(0, request("WorkerCaller", "callAdd", { key, delta: 4 }, { invocationId: callerId })))).toBe(4);
      const calleeId = valueOf(await worker.invoke(0, request("WorkerCaller", "sendAdd", { key, delta: 3 }, { invocationId: idOnPartition(0, 2) })));
      expect(typeof calleeId).toBe("string");
      expect(partitionOfId(calleeId as string, 2)).toBe(1);
      // The send completes on its own; attach to it by id (mode call on its partition).
      await worker.invoke(1, request("WorkerCounter", "add", 3, { invocationId: calleeId as string, key }));
      expect(valueOf(await worker.invoke(1, request("WorkerCounter", "get", null, { invocationId: idForKey(key), key })))).toBe(7);
      // A delayed send is held until its time.
      const delayedId = valueOf(await worker.invoke(0, request("WorkerCaller", "sendAdd", { key, delta: 10, delayMs: 400 }, { invocationId: idOnPartition(0, 2) })));
      const before = Date.now();
      await worker.invoke(1, request("WorkerCounter", "add", 10, { invocationId: delayedId as string, key }));
      expect(Date.now() - before).toBeGreaterThanOrEqual(250);
      expect(valueOf(await worker.invoke(1, request("WorkerCounter", "get", null, { invocationId: idForKey(key), key })))).toBe(17);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("retries", () => {
  it("retries a handler that fails its first attempts until it succeeds", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const tag = `fail-${Date.now()}`;
      const result = await worker.invoke(0, request("WorkerFlaky", "failTimes", { tag, times: 2 }, { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(result)).toBe(3);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("reports retry_count_since_last_stored_entry so ctx.run's maxRetryAttempts stops the retries", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema });
    try {
      const tag = `run-${Date.now()}`;
      const result = await worker.invoke(0, request("WorkerFlaky", "runRetries", { tag, maxRetryAttempts: 3 }, { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(result)).toMatch(/^gave up: /);
      const runs = await worker.invoke(0, request("WorkerFlaky", "executions", tag, { invocationId: idOnPartition(0, 1) }));
      expect(valueOf(runs)).toBe(3);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("bounds and shutdown", () => {
  it("refuses invocations past inflightInvocationsMax and rejects waiting calls on close", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema, config: { ...testConfig, inflightInvocationsMax: 1 } });
    let closed = false;
    try {
      const sleeping = worker.invoke(0, request("WorkerSleeper", "sleep", 10_000, { invocationId: idOnPartition(0, 1) }));
      await new Promise((r) => setTimeout(r, 100));
      await expect(worker.invoke(0, request("WorkerSleeper", "sleep", 1, { invocationId: idOnPartition(0, 1) }))).rejects.toMatchObject({
        code: "ERR_PARTITION_QUEUE_FULL",
      });
      const rejected = expect(sleeping).rejects.toMatchObject({ code: "ERR_PARTITION_CLOSED" });
      await worker.close();
      closed = true;
      await rejected;
    } finally {
      if (!closed) await worker.close();
      tmp.remove();
    }
  });
});
