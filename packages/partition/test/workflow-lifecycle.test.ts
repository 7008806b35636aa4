// Goal: the processor's workflow and idempotency rules (P7–P9, promises W1–W4) — promises got,
// peeked and completed once with waiters woken, AttachInvocation and GetInvocationOutput by
// workflow target, a duplicate run call answered 409, retention purging the key's state and
// promises; method: commands applied to a real log and SQLite store, notifications read back
// from the effects (the official SDK never sends GetInvocationOutput, so it is covered here).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openLog } from "@cairn/log";
import {
  AttachInvocationCommandMessageSchema,
  CompletePromiseCommandMessageSchema,
  GetInvocationOutputCommandMessageSchema,
  GetPromiseCommandMessageSchema,
  MessageType,
  OutputCommandMessageSchema,
  PeekPromiseCommandMessageSchema,
  SetStateCommandMessageSchema,
  ValueSchema,
  WorkflowTargetSchema,
  create,
  decodeNotification,
  formatInvocationId,
  makeInvocationId,
  partitionKeyOf,
  toBinary,
  workflowInvocationUuid,
} from "@cairn/protocol";
import { Processor, Store, type Effects, type NewInvocation } from "../src/internal.js";
import { idForKey, idOnPartition, run, tempDir } from "./harness.js";

const options = { partition: 0, partitionCount: 1, inboxLengthMax: 10 };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);


function workflowRunId(key: string): string {
  return formatInvocationId(makeInvocationId(partitionKeyOf(key), workflowInvocationUuid({ service: "Wf", key })));
}

function workflowInvocation(id: string, key: string, handler: string, by: NewInvocation["by"] = { t: "ingress" }): NewInvocation {
  return { id, svc: "Wf", hnd: handler, key, sty: "WORKFLOW", hty: handler === "run" ? "WORKFLOW" : "SHARED", hdrs: [], body: text('"x"'), by };
}

/** The notifications forwarded to `id`, decoded: [type, completion id, result case, content]. */
function notificationsOf(fx: Effects, id: string): [number, number | undefined, string | undefined, string | undefined][] {
  return fx.forward
    .filter((f) => f.id === id)
    .map((f) => {
      const n = decodeNotification({ type: f.type, payload: f.payload });
      const content =
        n.result.case === "value" ? new TextDecoder().decode(n.result.value.content) : n.result.case === "failure" ? `${n.result.value.code} ${n.result.value.message}` : undefined;
      return [f.type, n.id.case === "completionId" ? n.id.value : undefined, n.result.case, content];
    });
}

describe("workflows, promises and attach in the processor", () => {
  it("serves promises, attach and output, refuses a second run, and purges the key after retention", async () => {
    const tmp = tempDir();
    const log = await openLog(join(tmp.dir, "log"), { fsync: false });
    const store = Store.open(join(tmp.dir, "store.sqlite"));
    try {
      const processor = new Processor(store, options);
      const key = "order-1";
      const runId = workflowRunId(key);
      const sharedId = idForKey(key);
      const watcherId = idOnPartition(0, 1);
      const target = { case: "workflowTarget" as const, value: create(WorkflowTargetSchema, { workflowName: "Wf", workflowKey: key }) };
      await run(log, store, processor, [
        { k: "inv", now: 1, inv: { ...workflowInvocation(runId, key, "run"), ret: 5_000 } },
        { k: "inv", now: 1, inv: workflowInvocation(sharedId, key, "get") },
        { k: "inv", now: 1, inv: { id: watcherId, svc: "Svc", hnd: "watch", sty: "SERVICE", hty: null, hdrs: [], body: text("1"), by: { t: "ingress" } } },
      ]);

      // The shared handler blocks in GetPromise; the run peeks (void), sets state, completes the promise twice.
      let fx = await run(log, store, processor, [
        { k: "jrn", now: 2, id: sharedId, e: [[MessageType.GetPromiseCommand, toBinary(GetPromiseCommandMessageSchema, create(GetPromiseCommandMessageSchema, { key: "p", resultCompletionId: 1 })), 0]] },
        {
          k: "jrn",
          now: 2,
          id: watcherId,
          e: [
            [MessageType.GetInvocationOutputCommand, toBinary(GetInvocationOutputCommandMessageSchema, create(GetInvocationOutputCommandMessageSchema, { target, resultCompletionId: 1 })), 0],
            [MessageType.AttachInvocationCommand, toBinary(AttachInvocationCommandMessageSchema, create(AttachInvocationCommandMessageSchema, { target, resultCompletionId: 2 })), 0],
          ],
        },
      ]);
      expect(notificationsOf(fx, sharedId)).toEqual([]);
      expect(notificationsOf(fx, watcherId)).toEqual([[MessageType.GetInvocationOutputCompletionNotification, 1, "void", undefined]]);

      const complete = (cid: number, value: string): Uint8Array =>
        toBinary(CompletePromiseCommandMessageSchema, create(CompletePromiseCommandMessageSchema, { key: "p", resultCompletionId: cid, completion: { case: "completionValue", value: create(ValueSchema, { content: text(value) }) } }));
      fx = await run(log, store, processor, [
        {
          k: "jrn",
          now: 3,
          id: runId,
          e: [
            [MessageType.PeekPromiseCommand, toBinary(PeekPromiseCommandMessageSchema, create(PeekPromiseCommandMessageSchema, { key: "p", resultCompletionId: 1 })), 0],
            [MessageType.SetStateCommand, toBinary(SetStateCommandMessageSchema, create(SetStateCommandMessageSchema, { key: text("s"), value: create(ValueSchema, { content: text("1") }) })), 0],
            [MessageType.CompletePromiseCommand, complete(2, '"yes"'), 0],
            [MessageType.CompletePromiseCommand, complete(3, '"no"'), 0],
            [MessageType.PeekPromiseCommand, toBinary(PeekPromiseCommandMessageSchema, create(PeekPromiseCommandMessageSchema, { key: "p", resultCompletionId: 4 })), 0],
          ],
        },
      ]);
      expect(notificationsOf(fx, runId)).toEqual([
        [MessageType.PeekPromiseCompletionNotification, 1, "void", undefined],
        [MessageType.CompletePromiseCompletionNotification, 2, "void", undefined],
        [MessageType.CompletePromiseCompletionNotification, 3, "failure", "409 promise was already completed"],
        [MessageType.PeekPromiseCompletionNotification, 4, "value", '"yes"'],
      ]);
      expect(notificationsOf(fx, sharedId)).toEqual([[MessageType.GetPromiseCompletionNotification, 1, "value", '"yes"']]);

      // A second call of run (from another invocation) is answered 409 at once, without a new run.
      fx = await run(log, store, processor, [{ k: "inv", now: 4, inv: workflowInvocation(runId, key, "run", { t: "call", id: watcherId, p: 0, cid: 7 }) }]);
      expect(notificationsOf(fx, watcherId)).toEqual([[MessageType.CallCompletionNotification, 7, "failure", "409 the workflow method was already invoked"]]);
      expect(fx.start.size).toBe(0);

      // The run completes: the attach waiter gets its output; the purge timer follows its retention.
      const output = toBinary(OutputCommandMessageSchema, create(OutputCommandMessageSchema, { result: { case: "value", value: create(ValueSchema, { content: text('"done"') }) } }));
      fx = await run(log, store, processor, [{ k: "jrn", now: 10, id: runId, e: [[MessageType.OutputCommand, output, 0]], end: true }]);
      expect(notificationsOf(fx, watcherId)).toEqual([[MessageType.AttachInvocationCompletionNotification, 2, "value", '"done"']]);
      const purge = store.db.prepare("SELECT seq, fire_at FROM sys_timer WHERE invocation_id = ? AND kind = 'purge'").get(runId) as { seq: number; fire_at: number };
      expect(purge.fire_at).toBe(10 + 5_000);
      expect(store.db.prepare("SELECT COUNT(*) AS n FROM sys_promise").get()).toEqual({ n: 1 });

      // Unknown targets: 404.
      const unknown = { case: "invocationId" as const, value: idOnPartition(0, 1) };
      fx = await run(log, store, processor, [
        { k: "jrn", now: 11, id: watcherId, e: [[MessageType.AttachInvocationCommand, toBinary(AttachInvocationCommandMessageSchema, create(AttachInvocationCommandMessageSchema, { target: unknown, resultCompletionId: 9 })), 0]] },
      ]);
      expect(notificationsOf(fx, watcherId)).toEqual([[MessageType.AttachInvocationCompletionNotification, 9, "failure", "404 not found"]]);

      // Retention over: the run, its state and its promises are gone; the key can run again.
      await run(log, store, processor, [{ k: "tmr", now: 5_010, seq: purge.seq }]);
      expect(store.s.invStatus.get(runId)).toBeUndefined();
      expect(store.db.prepare("SELECT COUNT(*) AS n FROM sys_promise").get()).toEqual({ n: 0 });
      expect(store.db.prepare("SELECT COUNT(*) AS n FROM state").get()).toEqual({ n: 0 });
      fx = await run(log, store, processor, [{ k: "inv", now: 5_020, inv: workflowInvocation(runId, key, "run") }]);
      expect([...fx.start]).toEqual([runId]);
    } finally {
      store.close();
      await log.close();
      tmp.remove();
    }
  });
});
