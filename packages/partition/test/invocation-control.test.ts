// Goal: the control and attempt commands (invocation-control.ts K1–K4) change the store as the
// admin operations and the retry policy mean them, and replay reproduces them; method: commands
// appended to a real @cairn/log and applied to a real SQLite store, then a fresh store replayed
// from the same log and compared table by table.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openLog, type Log } from "@cairn/log";
import { CallCommandMessageSchema, MessageType, create, toBinary } from "@cairn/protocol";
import { Processor, Store, decodeCommand, emptyEffects, type NewInvocation } from "../src/internal.js";
import { idForKey, idOnPartition, partitionOfId, run, tempDir } from "./harness.js";


function invocation(id: string, svc: string, key?: string): NewInvocation {
  const inv: NewInvocation = {
    id,
    svc,
    hnd: "h",
    sty: key === undefined ? "SERVICE" : "VIRTUAL_OBJECT",
    hty: key === undefined ? null : "EXCLUSIVE",
    hdrs: [],
    body: new Uint8Array(0),
    by: { t: "ingress" },
  };
  if (key !== undefined) inv.key = key;
  return inv;
}

function call(service: string, key = ""): Uint8Array {
  return toBinary(
    CallCommandMessageSchema,
    create(CallCommandMessageSchema, { serviceName: service, handlerName: "h", key, parameter: new Uint8Array(0), invocationIdNotificationIdx: 1, resultCompletionId: 2 }),
  );
}

function statusOf(store: Store, id: string): string | undefined {
  return store.s.invStatus.get(id) as string | undefined;
}

function failureOf(store: Store, id: string): { code: number | null; message: string | null } {
  const row = store.db.prepare("SELECT completion_failure_code AS code, completion_failure_message AS message FROM sys_invocation_status WHERE id = ?").get(id);
  return row as { code: number | null; message: string | null };
}

async function withProcessor(partitionCount: number, body: (log: Log, store: Store, processor: Processor, dir: string) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const log = await openLog(join(tmp.dir, "log"), { fsync: false });
  const store = Store.open(join(tmp.dir, "store.sqlite"));
  try {
    await body(log, store, new Processor(store, { partition: 0, partitionCount, inboxLengthMax: 10 }), tmp.dir);
  } finally {
    store.close();
    await log.close();
    tmp.remove();
  }
}

describe("invocation control", () => {
  it("kills an invocation and the child it called on the same partition, releasing both keys", async () => {
    await withProcessor(1, async (log, store, processor) => {
      const parent = idForKey("p");
      await run(log, store, processor, [{ k: "inv", now: 1, inv: invocation(parent, "Obj", "p") }]);
      await run(log, store, processor, [{ k: "jrn", now: 2, id: parent, e: [[MessageType.CallCommand, call("Obj", "c"), 0, { sty: "VIRTUAL_OBJECT", hty: "EXCLUSIVE" }]] }]);
      const child = store.db.prepare("SELECT id FROM sys_invocation_status WHERE id != ?").pluck().get(parent) as string;
      expect(statusOf(store, child)).toBe("invoked");
      const fx = await run(log, store, processor, [{ k: "ctl", now: 3, id: parent, op: "kill" }]);
      expect(fx.completed.map((c) => c.id).sort()).toEqual([parent, child].sort());
      expect(failureOf(store, parent)).toEqual({ code: 409, message: "killed" });
      expect(failureOf(store, child)).toEqual({ code: 409, message: "killed" });
      expect(fx.stopped.has(parent) && fx.stopped.has(child)).toBe(true);
      expect(store.s.lockGet.get("Obj", "p")).toBeUndefined();
      expect(store.s.lockGet.get("Obj", "c")).toBeUndefined();
    });
  });

  it("kills a child on another partition through the outbox", async () => {
    await withProcessor(2, async (log, store, processor) => {
      const parent = idOnPartition(0, 2);
      await run(log, store, processor, [{ k: "inv", now: 1, inv: invocation(parent, "Svc") }]);
      // A keyed callee whose key hashes to partition 1.
      let key = "k";
      for (let i = 0; partitionOfId(idForKey(key), 2) !== 1; i++) key = `k${i}`;
      await run(log, store, processor, [{ k: "jrn", now: 2, id: parent, e: [[MessageType.CallCommand, call("Obj", key), 0, { sty: "VIRTUAL_OBJECT", hty: "EXCLUSIVE" }]] }]);
      const before = store.db.prepare("SELECT COUNT(*) FROM sys_outbox").pluck().get() as number;
      const fx = await run(log, store, processor, [{ k: "ctl", now: 3, id: parent, op: "kill" }]);
      expect(statusOf(store, parent)).toBe("completed");
      expect(fx.outbox.length).toBe(1);
      expect(store.db.prepare("SELECT COUNT(*) FROM sys_outbox").pluck().get()).toBe(before + 1);
    });
  });

  it("pauses, resumes onto another deployment, and purges only completed invocations", async () => {
    await withProcessor(1, async (log, store, processor) => {
      const id = idOnPartition(0, 1);
      await run(log, store, processor, [{ k: "inv", now: 1, inv: invocation(id, "Svc") }]);
      await run(log, store, processor, [{ k: "ctl", now: 2, id, op: "purge" }]);
      expect(statusOf(store, id)).toBe("invoked"); // K4: not completed, not purged
      let fx = await run(log, store, processor, [{ k: "ctl", now: 3, id, op: "pause" }]);
      expect(statusOf(store, id)).toBe("paused");
      expect(fx.stopped.has(id)).toBe(true);
      fx = await run(log, store, processor, [{ k: "ctl", now: 4, id, op: "resume", dp: "dp_other" }]);
      expect(statusOf(store, id)).toBe("invoked");
      expect(fx.start.has(id)).toBe(true);
      expect(store.db.prepare("SELECT pinned_deployment_id FROM sys_invocation_status WHERE id = ?").pluck().get(id)).toBe("dp_other");
      await run(log, store, processor, [{ k: "ctl", now: 5, id, op: "kill" }]);
      await run(log, store, processor, [{ k: "ctl", now: 6, id, op: "purge-journal" }]);
      expect(store.s.journalAll.all(id)).toEqual([]);
      expect(statusOf(store, id)).toBe("completed");
      await run(log, store, processor, [{ k: "ctl", now: 7, id, op: "purge" }]);
      expect(statusOf(store, id)).toBeUndefined();
    });
  });

  it("keeps a retention timer out of the id index, and lets one that outlived an admin purge leave a later completion of the id alone", async () => {
    await withProcessor(1, async (log, store, processor) => {
      const id = idOnPartition(0, 1);
      const purgeTimers = (): { seq: number; fire_at: number }[] =>
        store.db.prepare("SELECT seq, fire_at FROM sys_timer WHERE kind = 'purge' AND invocation_id = ? ORDER BY seq").all(id) as { seq: number; fire_at: number }[];
      const plan = store.db.prepare("EXPLAIN QUERY PLAN DELETE FROM sys_timer WHERE invocation_id = ? AND kind != 'purge'").all("x") as { detail: string }[];
      expect(plan.map((row) => row.detail).join(" ")).toContain("sys_timer_pending_by_invocation");

      await run(log, store, processor, [{ k: "inv", now: 1, inv: invocation(id, "Svc") }, { k: "ctl", now: 2, id, op: "kill" }]);
      const [first] = purgeTimers();
      if (first === undefined) throw new Error("no retention timer after the kill");
      await run(log, store, processor, [{ k: "ctl", now: 3, id, op: "purge" }]);
      expect(statusOf(store, id)).toBeUndefined();
      expect(purgeTimers()).toEqual([first]); // left to fire: it finds nothing of its own

      // The same id again (an idempotency key reused after the purge), completed later.
      await run(log, store, processor, [{ k: "inv", now: 10, inv: invocation(id, "Svc") }, { k: "ctl", now: 11, id, op: "kill" }]);
      const second = purgeTimers().find((t) => t.seq !== first.seq);
      expect(second?.fire_at).toBeGreaterThan(first.fire_at);
      await run(log, store, processor, [{ k: "tmr", now: first.fire_at, seq: first.seq }]);
      expect(statusOf(store, id)).toBe("completed"); // the old timer did not purge the new completion
      await run(log, store, processor, [{ k: "tmr", now: second?.fire_at ?? 0, seq: second?.seq ?? 0 }]);
      expect(statusOf(store, id)).toBeUndefined();
    });
  });

  it("records failed attempts durably, then pauses or fails as the command says; replay gives the same store", async () => {
    await withProcessor(1, async (log, store, processor, dir) => {
      const [a, b] = [idOnPartition(0, 1), idOnPartition(0, 1)];
      await run(log, store, processor, [
        { k: "inv", now: 1, inv: invocation(a, "Svc") },
        { k: "inv", now: 1, inv: invocation(b, "Svc") },
        { k: "att", now: 2, id: a, n: 1, c: 1, code: 500, msg: "boom", then: "retry", next: 502, rci: 3, rcn: "step", rct: 0x0411 },
        { k: "att", now: 3, id: a, n: 2, c: 2, code: 570, msg: "mismatch", then: "pause" },
        { k: "att", now: 3, id: b, n: 1, c: 1, code: 418, msg: "teapot", then: "fail" },
      ]);
      expect(statusOf(store, a)).toBe("paused");
      expect(store.db.prepare("SELECT retry_count, retry_count_since_stored, last_failure, last_failure_error_code FROM sys_invocation_state WHERE id = ?").get(a)).toEqual({
        retry_count: 2,
        retry_count_since_stored: 2,
        last_failure: "[570 Journal mismatch] mismatch",
        last_failure_error_code: 570,
      });
      expect(store.db.prepare("SELECT last_failure, last_failure_error_code FROM sys_invocation_status WHERE id = ?").get(a)).toEqual({
        last_failure: "[570 Journal mismatch] mismatch",
        last_failure_error_code: 570,
      });
      expect(failureOf(store, b)).toEqual({ code: 418, message: "teapot" });

      // Replay into a fresh store (D3).
      const fresh = Store.open(join(dir, "replayed.sqlite"));
      try {
        const replayer = new Processor(fresh, { partition: 0, partitionCount: 1, inboxLengthMax: 10 });
        const fx = emptyEffects();
        fresh.db.transaction(() => {
          for (const record of log.readSync(1)) replayer.apply(decodeCommand(record.payload), record.lsn, fx);
        })();
        for (const table of ["sys_invocation_status", "sys_invocation_state", "sys_journal"]) {
          expect(fresh.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()).toEqual(store.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all());
        }
      } finally {
        fresh.close();
      }
    });
  });
});
