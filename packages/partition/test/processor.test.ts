// Goal: the processor is a deterministic function of the log (D2, D3): per-key inbox order, timers
// surviving a reopen, outbox dedup, and replay from the applied LSN reproducing the same store;
// method: commands appended to a real @cairn/log and applied to a real SQLite store in a temp
// dir, the store compared table by table after reopening and replaying.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openLog } from "@cairn/log";
import { MessageType, SleepCommandMessageSchema, OutputCommandMessageSchema, ValueSchema, create, toBinary } from "@cairn/protocol";
import { Processor, Store, decodeCommand, emptyEffects, encodeCommand, type Command, type NewInvocation } from "../src/internal.js";
import { idForKey, idOnPartition, run, tempDir } from "./harness.js";

const options = { partition: 0, partitionCount: 1, inboxLengthMax: 2 };


function invocation(id: string, key: string | undefined, handler = "add"): NewInvocation {
  const inv: NewInvocation = {
    id,
    svc: key === undefined ? "Svc" : "Obj",
    hnd: handler,
    sty: key === undefined ? "SERVICE" : "VIRTUAL_OBJECT",
    hty: key === undefined ? null : "EXCLUSIVE",
    hdrs: [["content-type", "application/json"]],
    body: new TextEncoder().encode("1"),
    by: { t: "ingress" },
  };
  if (key !== undefined) inv.key = key;
  return inv;
}

function output(text: string): Uint8Array {
  return toBinary(OutputCommandMessageSchema, create(OutputCommandMessageSchema, { result: { case: "value", value: create(ValueSchema, { content: new TextEncoder().encode(text) }) } }));
}

function dump(store: Store): Record<string, unknown[]> {
  const tables = ["meta", "sys_invocation_status", "sys_journal", "state", "sys_keyed_service_status", "sys_inbox", "sys_timer", "sys_outbox", "sys_outbox_dedup", "sys_idempotency"];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) out[table] = store.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
  return out;
}

describe("processor", () => {
  it("queues exclusive invocations of one key in arrival order and hands the lock on at completion", async () => {
    const tmp = tempDir();
    const log = await openLog(join(tmp.dir, "log"), { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      const [a, b, c] = [idForKey("k"), idForKey("k"), idForKey("k")] as [string, string, string];
      let fx = await run(log, store, processor, [
        { k: "inv", now: 1, inv: invocation(a, "k") },
        { k: "inv", now: 2, inv: invocation(b, "k") },
        { k: "inv", now: 3, inv: invocation(c, "k") },
      ]);
      expect([...fx.start]).toEqual([a]);
      expect(store.s.invStatus.get(b)).toBe("inboxed");
      expect(store.s.invStatus.get(c)).toBe("inboxed");
      // The inbox is bounded (inboxLengthMax 2): a fourth waits for nothing, it fails at once.
      const d = idForKey("k");
      fx = await run(log, store, processor, [{ k: "inv", now: 4, inv: invocation(d, "k") }]);
      expect(fx.completed).toMatchObject([{ id: d, outcome: { failure: { code: 503, message: "inbox of Obj/k is full" } } }]);
      // a completes → b gets the lock, c still waits.
      fx = await run(log, store, processor, [{ k: "jrn", now: 5, id: a, e: [[MessageType.OutputCommand, output("1"), 0]], end: true }]);
      expect([...fx.start]).toEqual([b]);
      expect(fx.completed[0]?.id).toBe(a);
      // The completion carries what telemetry reports of it: no second read of the row (PT5).
      expect(fx.completed[0]).toMatchObject({ at: 5, row: { target_service_name: "Obj", target_service_key: "k", created_at: 1 } });
      expect(store.s.lockGet.get("Obj", "k")).toBe(b);
      expect(store.s.invStatus.get(c)).toBe("inboxed");
      // A late journal record of a's attempt is ignored (P4).
      await run(log, store, processor, [{ k: "jrn", now: 6, id: a, e: [[MessageType.OutputCommand, output("2"), 0]] }]);
      expect((store.s.invGet.get(a) as { journal_size: number }).journal_size).toBe(2);
    } finally {
      store.close();
      await log.close();
      tmp.remove();
    }
  });

  it("deduplicates outbox deliveries on (from, seq) and prunes below the watermark", async () => {
    const tmp = tempDir();
    const log = await openLog(join(tmp.dir, "log"), { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      const id = idOnPartition(0, 1);
      const msg = { t: "inv" as const, inv: invocation(id, undefined, "run") };
      const fx = await run(log, store, processor, [
        { k: "dlv", now: 1, from: 3, seq: 7, wm: 7, msg },
        { k: "dlv", now: 2, from: 3, seq: 7, wm: 7, msg },
      ]);
      expect([...fx.start]).toEqual([id]);
      expect(store.db.prepare("SELECT COUNT(*) FROM sys_invocation_status").pluck().get()).toBe(1);
      await run(log, store, processor, [{ k: "dlv", now: 3, from: 3, seq: 9, wm: 8, msg: { t: "cmp", id, cid: 1, ok: new Uint8Array(0) } }]);
      expect(store.db.prepare("SELECT seq FROM sys_outbox_dedup WHERE from_partition = 3").pluck().all()).toEqual([9]);
    } finally {
      store.close();
      await log.close();
      tmp.remove();
    }
  });

  it("applies signals: appended and forwarded while invoked, cancel completes an inboxed invocation with 409, completed and unknown ignored, deduplicated from the outbox", async () => {
    const tmp = tempDir();
    const log = await openLog(join(tmp.dir, "log"), { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      const [a, b] = [idForKey("s"), idForKey("s")] as [string, string];
      await run(log, store, processor, [
        { k: "inv", now: 1, inv: invocation(a, "s") },
        { k: "inv", now: 2, inv: invocation(b, "s") },
      ]);
      expect(store.s.invStatus.get(b)).toBe("inboxed");
      let fx = await run(log, store, processor, [{ k: "sig", now: 3, sig: { id: a, idx: 17, ok: new TextEncoder().encode("v") } }]);
      expect(fx.forward.map((f) => [f.id, f.type])).toEqual([[a, MessageType.SignalNotification]]);
      const entry = store.db.prepare(`SELECT "index", entry_type, signal_index, failed FROM sys_journal WHERE id = ? ORDER BY "index" DESC LIMIT 1`).get(a);
      expect(entry).toEqual({ index: 1, entry_type: MessageType.SignalNotification, signal_index: 17, failed: 0 });
      // The same signal through another partition's outbox, twice: applied once.
      const dlv: Command = { k: "dlv", now: 4, from: 2, seq: 1, wm: 1, msg: { t: "sig", sig: { id: a, idx: 18, fail: { code: 500, msg: "no" } } } };
      fx = await run(log, store, processor, [dlv, { ...dlv, now: 5 }]);
      expect(fx.forward).toHaveLength(1);
      expect(store.db.prepare("SELECT failed FROM sys_journal WHERE id = ? AND signal_index = 18").pluck().all(a)).toEqual([1]);
      // Cancel of the inboxed b: completed with 409 and out of the inbox; a keeps the lock.
      fx = await run(log, store, processor, [{ k: "sig", now: 6, sig: { id: b, idx: 1 } }]);
      expect(fx.completed).toMatchObject([{ id: b, outcome: { failure: { code: 409, message: "canceled" } } }]);
      expect(store.s.inboxLength.get("Obj", "s")).toBe(0);
      expect(store.s.lockGet.get("Obj", "s")).toBe(a);
      // Completed and unknown targets: nothing changes.
      const before = dump(store);
      fx = await run(log, store, processor, [
        { k: "sig", now: 7, sig: { id: b, idx: 17, ok: new Uint8Array(0) } },
        { k: "sig", now: 8, sig: { id: idOnPartition(0, 1), idx: 17, ok: new Uint8Array(0) } },
      ]);
      expect(fx.forward).toEqual([]);
      const after = dump(store);
      expect({ ...after, meta: [] }).toEqual({ ...before, meta: [] });
    } finally {
      store.close();
      await log.close();
      tmp.remove();
    }
  });

  it("replays the log from the applied LSN into the same store, timers included", async () => {
    const tmp = tempDir();
    const logDir = join(tmp.dir, "log");
    const log = await openLog(logDir, { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    const sleeper = idOnPartition(0, 1);
    const counter = idForKey("c");
    const sleep = toBinary(SleepCommandMessageSchema, create(SleepCommandMessageSchema, { wakeUpTime: 5000n, resultCompletionId: 1 }));
    const commands: Command[] = [
      { k: "inv", now: 10, inv: invocation(sleeper, undefined, "sleep") },
      { k: "inv", now: 11, inv: invocation(counter, "c") },
      { k: "jrn", now: 12, id: sleeper, pin: ["dp_x", 7], e: [[MessageType.SleepCommand, sleep, 0]], susp: new Uint8Array([10, 1, 1]) },
      { k: "jrn", now: 13, id: counter, e: [[MessageType.OutputCommand, output("7"), 0]], end: true },
      { k: "tmr", now: 5001, seq: 1 },
    ];
    const processor = new Processor(store, options);
    // Apply only the first three, as if the process died with the rest logged but not applied.
    await run(log, store, processor, commands.slice(0, 3));
    expect(store.s.invStatus.get(sleeper)).toBe("suspended");
    for (const command of commands.slice(3)) await log.append(encodeCommand(command));
    store.close();
    await log.close();

    // Reopen: replay from the applied LSN (D2).
    const log2 = await openLog(logDir, { fsync: false });
    const store2 = Store.open(join(tmp.dir, "store.sqlite"));
    expect(store2.appliedLsn).toBe(3);
    const processor2 = new Processor(store2, options);
    const fx = emptyEffects();
    for (const record of log2.readSync(store2.appliedLsn + 1)) {
      store2.db.transaction(() => processor2.apply(decodeCommand(record.payload), record.lsn, fx))();
    }
    // The sleep's timer fired through the log: its notification resumed the invocation.
    expect(store2.s.invStatus.get(sleeper)).toBe("invoked");
    expect([...fx.start]).toContain(sleeper);
    expect(store2.s.invStatus.get(counter)).toBe("completed");

    // Applying the whole log to an empty store gives the same store (D3).
    const fresh = Store.open(join(tmp.dir, "fresh.sqlite"));
    const processor3 = new Processor(fresh, options);
    for (const record of log2.readSync(1)) fresh.db.transaction(() => processor3.apply(decodeCommand(record.payload), record.lsn, emptyEffects()))();
    expect(dump(fresh)).toEqual(dump(store2));
    fresh.close();
    store2.close();
    await log2.close();
    tmp.remove();
  });

  it("refuses to apply out of LSN order", () => {
    const tmp = tempDir();
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      expect(() => processor.apply({ k: "ack", seqs: [] }, 2, emptyEffects())).toThrow(/assertion/);
    } finally {
      store.close();
      tmp.remove();
    }
  });
});
