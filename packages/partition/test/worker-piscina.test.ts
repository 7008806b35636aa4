// Goal: the worker entry loads and runs in a real piscina worker thread, and cross-partition
// calls travel through the events port (WorkerEvent outbox → deliver → MainEvent outbox-ack);
// method: partition 1 in a piscina pool, partition 0 in this thread, the test relaying events as
// the main thread does, against the official-SDK fixtures.
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partitionKeyOf } from "@cairn/protocol";
import {
  partitionOf,
  workerEntryPath,
  type InvokeResult,
  type MainEvent,
  type OpenResult,
  type WorkerEvent,
  type WorkerTask,
} from "@cairn/partition";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { handleTask } from "../src/internal.js";
import { idForKey, idOnPartition, request, schemaFor, tempDir, testConfig, valueOf } from "./harness.js";

let service: SdkService;

beforeAll(async () => {
  service = await startOfficialService("worker-services");
}, 60_000);

afterAll(async () => {
  await service.close();
});

describe("worker entry under piscina", () => {
  it("opens in a worker thread and exchanges outbox messages over the events port", async () => {
    const tmp = tempDir();
    const schema = schemaFor(service.url, [
      { name: "WorkerCounter", ty: "VIRTUAL_OBJECT", handlers: [{ name: "add", ty: "EXCLUSIVE" }, { name: "get", ty: "SHARED" }] },
      { name: "WorkerCaller", ty: "SERVICE", handlers: [{ name: "callAdd" }, { name: "sendAdd" }] },
    ]);
    // atomics "disabled": an idle piscina worker must keep running its event loop (attempts, timers).
    const pool = new Piscina({ filename: workerEntryPath, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 64, atomics: "disabled" });
    const local = new MessageChannel(); // this thread's worker (partition 0)
    const remote = new MessageChannel(); // the pool's worker (partition 1)
    const relayed: WorkerEvent[] = [];
    // The main thread's relay: an outbox event becomes a deliver task on the owner of the target
    // partition, and its ack goes back to the sender once that task answered (durable there).
    local.port2.on("message", (event: WorkerEvent) => {
      relayed.push(event);
      if (event.kind !== "outbox") return;
      void pool.run({ kind: "deliver", partition: event.message.toPartition, message: event.message } satisfies WorkerTask).then(() => {
        local.port2.postMessage({ kind: "outbox-ack", fromPartition: event.message.fromPartition, seq: event.message.seq } satisfies MainEvent);
      });
    });
    remote.port2.on("message", (event: WorkerEvent) => {
      relayed.push(event);
      if (event.kind !== "outbox") return;
      void handleTask({ kind: "deliver", partition: event.message.toPartition, message: event.message }).then(() => {
        remote.port2.postMessage({ kind: "outbox-ack", fromPartition: event.message.fromPartition, seq: event.message.seq } satisfies MainEvent);
      });
    });
    const common = { partitionCount: 2, dataDir: tmp.dir, config: testConfig, schema };
    const openRemote = (await pool.run({ kind: "open", workerIndex: 1, partitions: [1], ...common, events: remote.port1 } satisfies WorkerTask, {
      transferList: [remote.port1],
    })) as OpenResult;
    const openLocal = (await handleTask({ kind: "open", workerIndex: 0, partitions: [0], ...common, events: local.port1 })) as OpenResult;
    try {
      expect(openRemote.recovered).toEqual([{ partition: 1, fromLsn: 1, records: 0 }]);
      expect(openLocal.recovered).toEqual([{ partition: 0, fromLsn: 1, records: 0 }]);
      let key = "";
      for (let i = 0; partitionOf(partitionKeyOf(key), 2) !== 1 || key === ""; i++) key = `piscina-${i}`;

      const call = (await handleTask({
        kind: "invoke",
        partition: 0,
        request: request("WorkerCaller", "callAdd", { key, delta: 2 }, { invocationId: idOnPartition(0, 2) }),
      })) as InvokeResult;
      expect(valueOf(call)).toBe(2);
      // Both directions used the port: the call went 0 → 1 and its completion 1 → 0.
      const outbox = relayed.filter((e) => e.kind === "outbox");
      expect(outbox.map((e) => (e.kind === "outbox" ? [e.message.fromPartition, e.message.toPartition] : []))).toEqual([
        [0, 1],
        [1, 0],
      ]);

      const get = (await pool.run({
        kind: "invoke",
        partition: 1,
        request: request("WorkerCounter", "get", null, { invocationId: idForKey(key), key }),
      } satisfies WorkerTask)) as InvokeResult;
      expect(valueOf(get)).toBe(2);

      // A task error crosses the thread boundary as a WireError with a stable code (C3).
      await expect(
        pool.run({ kind: "invoke", partition: 0, request: request("WorkerCounter", "get", null, { invocationId: idForKey(key), key }) } satisfies WorkerTask),
      ).rejects.toMatchObject({ code: "ERR_PARTITION_NOT_OWNED" });
    } finally {
      await handleTask({ kind: "close" });
      await pool.run({ kind: "close" } satisfies WorkerTask);
      await pool.destroy();
      local.port2.close();
      remote.port2.close();
      tmp.remove();
    }
  });
});
