// Goal: the store's group commit (partition.ts R5, store.ts T5) loses nothing and hides nothing
// that was asked for: another connection sees applied records once the partition commits, and a
// window dropped before its COMMIT (as a crash drops it) is replayed from the log on open.
// Method: Partition.open on a temp dir with the real invoker and the official greeter; the crash
// is simulated by closing the store's connection, which rolls its open transaction back.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Invoker } from "@cairn/invoker";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { Partition, type PartitionOptions } from "../src/internal.js";
import { idOnPartition, request, schemaFor, tempDir, testConfig, valueOf } from "./harness.js";

let greeter: SdkService;

beforeAll(async () => {
  greeter = await startOfficialService("greeter");
}, 60_000);

afterAll(async () => {
  await greeter.close();
});

function optionsFor(dataDir: string, invoker: Invoker): PartitionOptions {
  const schema = schemaFor(greeter.url, [{ name: "Greeter", ty: "SERVICE", handlers: [{ name: "greet" }] }]);
  return { partition: 0, partitionCount: 1, dataDir, config: { ...testConfig, fsync: true }, schema: () => schema, invoker, outbox: () => Promise.resolve() };
}

/** The status as a second connection (SQL introspection) reads it. */
function statusSeenBy2ndConnection(dataDir: string, id: string): string | undefined {
  const db = new Database(join(dataDir, "partitions", "0", "store.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT status FROM sys_invocation_status WHERE id = ?").pluck().get(id) as string | undefined;
  } finally {
    db.close();
  }
}

describe("store group commit", () => {
  it("shows applied records to another connection after commitStore, not before", async () => {
    const tmp = tempDir();
    const invoker = new Invoker();
    const { partition } = await Partition.open(optionsFor(tmp.dir, invoker));
    try {
      const id = idOnPartition(0, 1);
      const result = await partition.invoke(request("Greeter", "greet", "Ada", { invocationId: id }));
      expect(valueOf(result)).toBe("Hello, Ada!");
      // Answered from the open window: this connection sees the completion, a second one not yet
      // (it sees nothing, or the invocation running if the Invoke's window committed already).
      expect(partition.store.s.invStatus.get(id)).toBe("completed");
      expect(statusSeenBy2ndConnection(tmp.dir, id)).not.toBe("completed");
      partition.commitStore();
      expect(statusSeenBy2ndConnection(tmp.dir, id)).toBe("completed");
    } finally {
      await partition.close();
      invoker.close();
      tmp.remove();
    }
  });

  it("replays a window lost before its COMMIT from the log on open", async () => {
    const tmp = tempDir();
    const invoker = new Invoker();
    const ids = [idOnPartition(0, 1), idOnPartition(0, 1), idOnPartition(0, 1)];
    try {
      const first = await Partition.open(optionsFor(tmp.dir, invoker));
      for (const [i, id] of ids.entries()) {
        expect(valueOf(await first.partition.invoke(request("Greeter", "greet", `n${i}`, { invocationId: id })))).toBe(`Hello, n${i}!`);
      }
      const appliedBeforeCrash = first.partition.store.appliedLsn;
      first.partition.store.db.close(); // the crash: the open transaction is rolled back
      await first.partition.close();

      const second = await Partition.open(optionsFor(tmp.dir, invoker));
      try {
        // Every answered call's records came back from the log, none was applied twice.
        expect(second.recovered.records).toBeGreaterThan(0);
        expect(second.partition.store.appliedLsn).toBe(appliedBeforeCrash);
        for (const id of ids) expect(second.partition.store.s.invStatus.get(id)).toBe("completed");
      } finally {
        await second.partition.close();
      }
    } finally {
      invoker.close();
      tmp.remove();
    }
  });
});
