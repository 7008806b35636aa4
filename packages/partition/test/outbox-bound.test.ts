// Goal: a partition's outbox is bounded (D5): past outboxLengthMax unacknowledged messages to
// other partitions it refuses new ingress invocations with ERR_PARTITION_QUEUE_FULL, and admits
// them again once the receiver acknowledged; method: the worker entry in-process owning only
// partition 0 of 2, an official-SDK send to an object on partition 1, the outbox-ack withheld
// and then posted by the test as the main thread would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partitionKeyOf } from "@cairn/protocol";
import { partitionOf, type MainEvent, type SchemaSnapshot, type WorkerEvent } from "@cairn/partition";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { idOnPartition, openWorker, request, schemaFor, tempDir, testConfig, valueOf } from "./harness.js";

let service: SdkService;
let schema: SchemaSnapshot;

beforeAll(async () => {
  service = await startOfficialService("worker-services");
  schema = schemaFor(service.url, [
    { name: "WorkerCounter", ty: "VIRTUAL_OBJECT", handlers: [{ name: "add", ty: "EXCLUSIVE" }] },
    { name: "WorkerCaller", ty: "SERVICE", handlers: [{ name: "sendAdd" }] },
  ]);
}, 60_000);

afterAll(async () => {
  await service.close();
});

describe("outbox bound", () => {
  it("refuses ingress invocations while outboxLengthMax messages wait for their ack, and admits them after", async () => {
    let key = "bound";
    for (let i = 0; partitionOf(partitionKeyOf(key), 2) !== 1; i++) key = `bound-${i}`;
    const tmp = tempDir();
    const outbox: Extract<WorkerEvent, { kind: "outbox" }>[] = [];
    const worker = await openWorker({
      dataDir: tmp.dir,
      partitions: [0],
      partitionCount: 2,
      schema,
      config: { ...testConfig, outboxLengthMax: 1 },
      onEvent: (event) => {
        if (event.kind === "outbox") outbox.push(event); // withheld: no outbox-ack yet
      },
    });
    try {
      await worker.invoke(0, request("WorkerCaller", "sendAdd", { key, delta: 1 }, { invocationId: idOnPartition(0, 2) }));
      await expect.poll(() => outbox.length).toBeGreaterThanOrEqual(1);
      const refused = worker.invoke(0, request("WorkerCaller", "sendAdd", { key, delta: 2 }, { invocationId: idOnPartition(0, 2) }));
      const error = (await refused.then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: string; message?: string } | undefined;
      expect(error?.code).toBe("ERR_PARTITION_QUEUE_FULL");
      expect(error?.message).toMatch(/not yet delivered \(limit 1\)/);
      const first = outbox[0];
      if (first === undefined) throw new Error("no outbox message");
      worker.port.postMessage({ kind: "outbox-ack", fromPartition: 0, seq: first.message.seq } satisfies MainEvent);
      await expect
        .poll(async () => {
          try {
            return valueOf(await worker.invoke(0, request("WorkerCaller", "sendAdd", { key, delta: 3 }, { invocationId: idOnPartition(0, 2) })));
          } catch {
            return undefined;
          }
        })
        .toMatch(/^inv_1/);
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});
