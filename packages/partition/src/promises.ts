// Workflow durable promises (RESTATE-PROTOCOL.md §3.3, §4.3): the effects of the GetPromise,
// PeekPromise and CompletePromise commands on the store.
//
// Owns: the rows of sys_promise and sys_promise_waiter. Does not own: the journal or how a
// notification reaches an invocation (the processor's notify, passed in as `host.notify`).
//
// W1. A promise is completed at most once: a second CompletePromise leaves the stored result
//     as it is and answers `failure{409, "promise was already completed"}`.
// W2. The apply that completes a promise notifies every invocation blocked in GetPromise on it
//     (GetPromiseCompletion with the result) and removes their waiter rows.
// W3. A promise belongs to its workflow key (service, key), not to an invocation: `run` and the
//     shared handlers of the key see the same promises. Purging the key's run removes them all.
// W4. Peek never blocks: `void` while the promise is not completed.
import {
  CompletePromiseCommandMessageSchema,
  GetPromiseCommandMessageSchema,
  PeekPromiseCommandMessageSchema,
  decodeProto,
} from "@cairn/protocol";
import type { WireFailure } from "./command-codec.js";
import { MessageType, completionNotification, fromFailure, type CompletionResult } from "./notifications.js";
import type { Store } from "./store.js";

/** The processor's side of a promise command: its store, and how to append a notification. */
export interface PromiseHost {
  readonly store: Store;
  /** Appends a notification to invocation `id`'s journal (forwarding or resuming it). */
  notify(id: string, type: number, payload: Uint8Array): void;
}

interface PromiseRow {
  completed: number;
  completion_success_value: Uint8Array | null;
  completion_failure_code: number | null;
  completion_failure_message: string | null;
  completion_failure_metadata: string | null;
}

/** Message of the failure a second completion gets (restate-server's wording). */
export const promiseAlreadyCompletedMessage = "promise was already completed";

/** Applies a promise command of invocation `id` on the promises of (service, key). */
export function applyPromiseCommand(
  host: PromiseHost,
  id: string,
  service: string,
  key: string,
  type: number,
  payload: Uint8Array,
): void {
  const s = host.store.s;
  switch (type) {
    case MessageType.GetPromiseCommand: {
      const m = decodeProto(GetPromiseCommandMessageSchema, payload);
      const result = resultOf(s.promiseGet.get(service, key, m.key) as PromiseRow | undefined);
      if (result !== undefined) {
        host.notify(id, MessageType.GetPromiseCompletionNotification, completionNotification(m.resultCompletionId, result));
      } else {
        s.promiseWaiterInsert.run(service, key, m.key, id, m.resultCompletionId);
      }
      return;
    }
    case MessageType.PeekPromiseCommand: {
      const m = decodeProto(PeekPromiseCommandMessageSchema, payload);
      const result = resultOf(s.promiseGet.get(service, key, m.key) as PromiseRow | undefined) ?? { void: true };
      host.notify(id, MessageType.PeekPromiseCompletionNotification, completionNotification(m.resultCompletionId, result));
      return;
    }
    case MessageType.CompletePromiseCommand: {
      const m = decodeProto(CompletePromiseCommandMessageSchema, payload);
      const existing = s.promiseGet.get(service, key, m.key) as PromiseRow | undefined;
      if (existing !== undefined) {
        // W1
        const answer: CompletionResult = { fail: { code: 409, msg: promiseAlreadyCompletedMessage } };
        host.notify(id, MessageType.CompletePromiseCompletionNotification, completionNotification(m.resultCompletionId, answer));
        return;
      }
      let result: CompletionResult;
      if (m.completion.case === "completionFailure") result = { fail: fromFailure(m.completion.value) };
      else result = { ok: m.completion.case === "completionValue" ? m.completion.value.content : new Uint8Array(0) };
      const fail = "fail" in result ? result.fail : undefined;
      s.promiseComplete.run(
        service,
        key,
        m.key,
        "ok" in result ? result.ok : null,
        fail?.code ?? null,
        fail?.msg ?? null,
        fail?.meta === undefined ? null : JSON.stringify(fail.meta),
      );
      host.notify(id, MessageType.CompletePromiseCompletionNotification, completionNotification(m.resultCompletionId, { void: true }));
      // W2
      const waiters = s.promiseWaiters.all(service, key, m.key) as { invocation_id: string; completion_id: number }[];
      s.promiseWaitersDelete.run(service, key, m.key);
      for (const waiter of waiters) {
        host.notify(waiter.invocation_id, MessageType.GetPromiseCompletionNotification, completionNotification(waiter.completion_id, result));
      }
      return;
    }
  }
}

/** W3: the workflow key's promises and their waiters go with its purged run. */
export function purgePromises(store: Store, service: string, key: string): void {
  store.s.promiseDeleteAll.run(service, key);
  store.s.promiseWaitersDeleteAll.run(service, key);
}

function resultOf(row: PromiseRow | undefined): CompletionResult | undefined {
  if (row === undefined || row.completed !== 1) return undefined;
  if (row.completion_failure_code !== null) {
    const fail: WireFailure = { code: row.completion_failure_code, msg: row.completion_failure_message ?? "" };
    if (row.completion_failure_metadata !== null) fail.meta = JSON.parse(row.completion_failure_metadata) as [string, string][];
    return { fail };
  }
  return { ok: row.completion_success_value ?? new Uint8Array(0) };
}
