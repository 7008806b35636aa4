// The partition processor: a deterministic state machine from log commands to store changes.
//
// Owns: what each command does to the store (invocation status, journal, state, locks, inbox,
// timers, outbox, dedup), and the list of effects the live partition carries out afterwards.
// Does not own: I/O of any kind — appending to the log, attempts, setTimeout, ports (partition.ts).
//
// P1. apply() reads only the store and the command: the same log applied to the same store gives
//     the same store (D3). Time is `command.now`; ids of callees are derived from recorded values.
// P2. Journal order = apply order = wire order: an entry gets index `journal_size` when applied,
//     and a notification is forwarded to a live attempt only as an effect of its apply, i.e. after
//     the record carrying it is durable (D1).
// P3. An exclusive handler holds its key's lock from the moment it is invoked until it completes;
//     later exclusive invocations of the key wait in the inbox in arrival order.
// P4. A Journal command applies only to an invocation in status `invoked`; anything else is a
//     late record of an attempt that no longer counts, and is ignored.
// P5. Every completed invocation notifies its caller exactly once: a local caller in the same
//     apply, a remote one through one outbox message.
// P6. A signal (ingress awakeable resolve/reject, SendSignal, CompleteAwakeable) is applied on the
//     partition of its target invocation, through the outbox when that is another partition; an
//     unknown or completed target ignores it. Index 1 is cancel: an inboxed or scheduled target
//     completes with 409, a paused one resumes, any other gets the notification (the SDK cancels).
// P7. A second Invoke of an existing id is a duplicate, never a second run: a call to a workflow
//     `run` gets `409 the workflow method was already invoked`; a call with an idempotency key is
//     answered with the original's result (at once, or when it completes); a send is dropped.
// P8. Every waiter on an invocation's completion (a duplicate idempotent call, an
//     AttachInvocation) is notified exactly once, in the apply that completes it, on its own
//     partition (through the outbox when that is another one); GetInvocationOutput never waits.
// P9. A completed invocation is kept for its completion retention (`ret` of its Invoke: the
//     workflow or idempotency retention; else the default), then purged by a durable timer; a
//     purged workflow run takes its key's state and promises with it (promises.ts W3). A purge
//     timer purges only the completion it was set for (its fire time equals the row's
//     `completion_expires_at`): one that outlived an admin purge finds nothing, or a later
//     completion of a reused id (an idempotency key), and leaves it.
// P10. Admin operations (kill, pause, resume, purge) and failed attempts are applied by
//     invocation-control.ts (K1–K4) through kernel(), inside the same transaction as any command.
import * as nodeCrypto from "node:crypto";
import { createHash } from "node:crypto";
import {
  AttachInvocationCommandMessageSchema,
  GetInvocationOutputCommandMessageSchema,
  CallCommandMessageSchema,
  ClearStateCommandMessageSchema,
  CompleteAwakeableCommandMessageSchema,
  SendSignalCommandMessageSchema,
  GetLazyStateCommandMessageSchema,
  GetLazyStateKeysCommandMessageSchema,
  OneWayCallCommandMessageSchema,
  OutputCommandMessageSchema,
  SetStateCommandMessageSchema,
  SleepCommandMessageSchema,
  FutureSchema,
  decodeNotification,
  formatInvocationId,
  decodeProto,
  invocationIdPartitionKey,
  isFutureResolved,
  makeInvocationId,
  parseInvocationId,
  partitionKeyOf,
  parseAwakeableId,
  idempotentInvocationUuid,
  workflowInvocationUuid,
  type NotificationLookup,
} from "@cairn/protocol";
import { calleeTraceparent } from "@cairn/telemetry";
import type { Command, Entry, NewInvocation, OutboxPayload, SignalPayload, WireFailure } from "./command-codec.js";
import { encodeOutboxEnvelope } from "./command-codec.js";
import { attachTargetId } from "./attach-target.js";
import { idempotentServicePartitionKey } from "./idempotency.js";
import { completionRetentionMs } from "./constants.js";
import { partitionOf, type InvocationOutcome } from "./contract.js";
import {
  MessageType,
  callCompletion,
  callInvocationIdCompletion,
  encodeInput,
  lazyStateCompletion,
  lazyStateKeysCompletion,
  signalNotification,
  sleepCompletion,
  fromFailure,
  completionNotification,
  type CompletionResult,
} from "./notifications.js";
import { applyPromiseCommand, purgePromises } from "./promises.js";
import type { EndRow, InvocationRow, JournalHeadRow, Store } from "./store.js";
import {
  type ControlKernel,
  applyAttemptFailed,
  applyControl,
  controlStatements,
  outputFailureMetadata,
  setCompletionFailureMetadata,
  setOutputFailureMetadata,
} from "./invocation-control.js";
import { sameStateVersion, stateVersion, type StateEntryRow } from "./state-version.js";

/** A frame to push to an invocation's live attempt, if it has one. */
export interface Forward {
  id: string;
  type: number;
  payload: Uint8Array;
  /** For a RunCompletion proposed with REQUESTED_ACK: answer with ProposeRunCompletionAck instead. */
  ackCompletionId?: number;
}

/** What the live partition must do after a batch of applies (none of it is replayed). */
export interface Effects {
  /** Invocations that need a new attempt (invoked, resumed, or taken from the inbox). */
  start: Set<string>;
  forward: Forward[];
  /**
   * Completed invocations (ingress waiters answer). `row`: the invocation's row as it was before
   * completing (its target, trace context and creation time, for metrics and the invocation span);
   * `at`: the completion time.
   */
  completed: { id: string; outcome: InvocationOutcome; row: CompletedRow; at: number }[];
  /** Outbox seqs inserted. */
  outbox: number[];
  /** The timer table changed (rows removed or replaced): the partition re-reads its next timer. */
  timersChanged: boolean;
  /**
   * The earliest fire time of the timers only added by this batch; when the armed timer fires no
   * later than that, the partition need not re-read the timer table (it re-arms when it fires).
   */
  timerAddedAt?: number;
  /** Invocations that left `invoked` (completed, paused): their live attempts end. */
  stopped: Set<string>;
}

/** What telemetry needs of a completed invocation's row (no second read of the store). */
export type CompletedRow = Pick<
  InvocationRow,
  "target_service_name" | "target_handler_name" | "target_service_key" | "trace_parent" | "trace_state" | "created_at"
>;

export function emptyEffects(): Effects {
  return { start: new Set(), forward: [], completed: [], outbox: [], timersChanged: false, stopped: new Set() };
}

export interface ProcessorOptions {
  partition: number;
  partitionCount: number;
  inboxLengthMax: number;
}

export type InvokeApplied = { status: string; existing: boolean };

const exclusiveHandlerTypes = new Set(["EXCLUSIVE", "WORKFLOW"]);

export class Processor {
  readonly #store: Store;
  readonly #options: ProcessorOptions;
  /** Invocations not completed; kept equal to the store's count (inflightInvocationsMax). */
  #active: number;
  /** Counts the notifications appended by #notify (the only writer of journal sizes besides #journal). */
  #notified = 0;

  constructor(store: Store, options: ProcessorOptions) {
    this.#store = store;
    this.#options = options;
    this.#active = store.s.invCountActive.get() as number;
    controlStatements(store); // the tables and columns of invocation-control.ts
  }

  get activeInvocations(): number {
    return this.#active;
  }

  /** Applies one command at `lsn`; the caller wraps calls in a transaction and records the LSN (T1). */
  apply(command: Command, lsn: number, fx: Effects): InvokeApplied | undefined {
    const applied = this.#store.appliedLsn;
    if (lsn !== applied + 1) throw new Error(`assertion: apply of lsn ${lsn} after applied lsn ${applied}`);
    let result: InvokeApplied | undefined;
    switch (command.k) {
      case "inv":
        result = this.#invoke(command.inv, command.now, fx);
        break;
      case "jrn":
        this.#journal(command, fx);
        break;
      case "fail":
        this.#fail(command.id, { code: command.code, msg: command.msg }, command.now, fx);
        break;
      case "pause":
        this.#pause(command.id, command.code, command.msg, command.now, fx);
        break;
      case "tmr":
        this.#timer(command.seq, command.now, fx);
        break;
      case "dlv":
        this.#deliver(command.from, command.seq, command.wm, command.msg, command.now, fx);
        break;
      case "ack":
        for (const seq of command.seqs) this.#store.s.outboxDelete.run(seq);
        break;
      case "sig":
        this.#signal(command.sig, command.now, fx);
        break;
      case "st":
        this.#replaceState(command.svc, command.key, command.kv, command.ver);
        break;
      case "ctl":
        applyControl(this.kernel(), command.id, command.op, command.dp, command.now, fx);
        break;
      case "att":
        applyAttemptFailed(this.kernel(), command, fx);
        break;
    }
    this.#store.setMeta("applied_lsn", lsn);
    return result;
  }

  // ---- invocations -------------------------------------------------------------------------

  #invoke(inv: NewInvocation, now: number, fx: Effects): InvokeApplied {
    const s = this.#store.s;
    const existing = s.invStatus.get(inv.id) as string | undefined;
    if (existing !== undefined) {
      this.#duplicate(inv, existing, now, fx);
      return { status: existing, existing: true };
    }
    const scheduled = inv.at !== undefined && inv.at > now;
    const exclusive = inv.key !== undefined && inv.hty !== null && exclusiveHandlerTypes.has(inv.hty);
    let status: string;
    if (scheduled) status = "scheduled";
    else if (exclusive && s.lockGet.get(inv.svc, inv.key) !== undefined) status = "inboxed";
    else status = "invoked";

    const by = inv.by;
    s.invInsert.run({
      id: inv.id,
      partition_key: invocationIdPartitionKey(parseInvocationId(inv.id)).toString(),
      status,
      svc: inv.svc,
      hnd: inv.hnd,
      key: inv.key ?? null,
      sty: inv.sty,
      hty: inv.hty,
      invoked_by: by.t === "ingress" ? "ingress" : "service",
      invoked_by_id: by.t === "ingress" ? null : by.id,
      caller_partition: by.t === "call" ? by.p : null,
      caller_completion_id: by.t === "call" ? by.cid : null,
      ik: inv.ik ?? null,
      tp: inv.tp ?? null,
      ts: inv.ts ?? null,
      now,
      inboxed_at: status === "inboxed" ? now : null,
      scheduled_start_at: scheduled ? (inv.at ?? null) : null,
      running_at: status === "invoked" ? now : null,
      ret: inv.ret ?? null,
    });
    this.#active += 1;
    // The row above already counts the input entry (journal sizes 1 and 1).
    this.#appendEntry(inv.id, MessageType.InputCommand, encodeInput(inv.hdrs, inv.body), now, true);
    if (inv.ik !== undefined) s.idempotencyInsert.run(inv.svc, inv.key ?? "", inv.hnd, inv.ik, inv.id);

    if (scheduled) {
      this.#addTimer(inv.at ?? now, "invoke", inv.id, null, fx);
    } else if (status === "inboxed") {
      if ((s.inboxLength.get(inv.svc, inv.key) as number) >= this.#options.inboxLengthMax) {
        // D5: the key's inbox is full. Not an ingress request (those are checked before logging):
        // the caller gets a failure instead of an unbounded queue.
        this.#complete(inv.id, { fail: { code: 503, msg: `inbox of ${inv.svc}/${inv.key ?? ""} is full` } }, now, fx);
        return { status: "completed", existing: false };
      }
      s.inboxInsert.run(inv.svc, inv.key, this.#store.nextSeq("inbox_seq"), inv.id, now);
    } else {
      if (exclusive) s.lockSet.run(inv.svc, inv.key, inv.id);
      fx.start.add(inv.id);
    }
    return { status, existing: false };
  }

  /** P7: an Invoke of an id that exists (a workflow run again, an idempotency key again). */
  #duplicate(inv: NewInvocation, status: string, now: number, fx: Effects): void {
    const by = inv.by;
    if (by.t !== "call") return; // ingress duplicates are answered by the partition; sends are dropped
    if (inv.hty === "WORKFLOW") {
      this.#replyTo(by.p, by.id, by.cid, MessageType.CallCompletionNotification, { fail: { code: 409, msg: workflowAlreadyInvokedMessage } }, now, fx);
    } else if (status === "completed") {
      this.#replyTo(by.p, by.id, by.cid, MessageType.CallCompletionNotification, this.#resultOf(inv.id), now, fx);
    } else {
      this.#store.s.waiterInsert.run(inv.id, this.#store.nextSeq("waiter_seq"), by.id, by.p, by.cid, MessageType.CallCompletionNotification);
    }
  }

  /** P8: AttachInvocation (wait) / GetInvocationOutput of invocation `targetId` of this partition. */
  #attachLocal(targetId: string, callerId: string, callerPartition: number, completionId: number, type: number, wait: boolean, now: number, fx: Effects): void {
    const status = this.#store.s.invStatus.get(targetId) as string | undefined;
    let result: CompletionResult | undefined;
    if (status === undefined) result = { fail: { code: 404, msg: "not found" } };
    else if (status === "completed") result = this.#resultOf(targetId);
    else if (!wait) result = { void: true };
    if (result !== undefined) this.#replyTo(callerPartition, callerId, completionId, type, result, now, fx);
    else this.#store.s.waiterInsert.run(targetId, this.#store.nextSeq("waiter_seq"), callerId, callerPartition, completionId, type);
  }

  /** The stored outcome of a completed invocation as a completion result. */
  #resultOf(id: string): CompletionResult {
    const row = this.#store.s.invGet.get(id) as InvocationRow;
    if (row.completion_result === "success") return { ok: row.completion_value ?? new Uint8Array(0) };
    return { fail: { code: row.completion_failure_code ?? 500, msg: row.completion_failure_message ?? "" } };
  }

  /** A completion notification for invocation `callerId` of partition `callerPartition` (here, or through the outbox). */
  #replyTo(callerPartition: number, callerId: string, completionId: number, type: number, result: CompletionResult, now: number, fx: Effects): void {
    if (callerPartition === this.#options.partition) {
      this.#notify(callerId, type, completionNotification(completionId, result), now, fx);
      return;
    }
    const payload: OutboxPayload = { t: "cmp", id: callerId, cid: completionId, ty: type };
    if ("ok" in result) payload.ok = result.ok;
    else if ("fail" in result) payload.fail = result.fail;
    else payload.void = true;
    this.#sendOutbox(callerPartition, payload, fx);
  }

  /** A scheduled invocation whose time came: take the lock, or queue in the inbox. */
  #release(id: string, now: number, fx: Effects): void {
    const s = this.#store.s;
    const row = s.invGet.get(id) as InvocationRow | undefined;
    if (row?.status !== "scheduled") return;
    const key = row.target_service_key;
    const exclusive = key !== null && row.target_handler_ty !== null && exclusiveHandlerTypes.has(row.target_handler_ty);
    if (exclusive && s.lockGet.get(row.target_service_name, key) !== undefined) {
      s.inboxInsert.run(row.target_service_name, key, this.#store.nextSeq("inbox_seq"), id, now);
      s.invSetStatus.run("inboxed", now, id);
      return;
    }
    if (exclusive) s.lockSet.run(row.target_service_name, key, id);
    s.invSetRunning.run(now, now, id);
    fx.start.add(id);
  }

  #journal(command: Extract<Command, { k: "jrn" }>, fx: Effects): void {
    const s = this.#store.s;
    const row = s.invJournalGet.get(command.id) as JournalHeadRow | undefined;
    if (row?.status !== "invoked") return; // P4
    const now = command.now;
    if (command.pin !== undefined) s.invPin.run(command.pin[0], command.pin[1], command.id);
    let size = row.journal_size;
    let commands = row.journal_commands_size;
    for (const entry of command.e) {
      this.#appendEntryAt(command.id, size, entry, now);
      size += 1;
      if (entry[0] < 0x8000) commands += 1;
      s.invJournalSizes.run(size, commands, now, now, command.id);
      const notified = this.#notified;
      this.#effectOf(row, entry, commands - 1, now, fx);
      // The effect may have appended notifications (a Call's id, a lazy state value): only then
      // can the sizes in the store differ from ours.
      if (this.#notified !== notified) {
        const sizes = s.invSizes.get(command.id) as { journal_size: number; journal_commands_size: number };
        size = sizes.journal_size;
        commands = sizes.journal_commands_size;
      }
    }
    if (command.end === true) {
      const current = s.invEndGet.get(command.id) as EndRow;
      const outcome: OutcomeValue =
        current.output_kind === "value"
          ? { ok: current.output_value ?? new Uint8Array(0) }
          : current.output_kind === "failure"
            ? { fail: withMeta({ code: current.output_failure_code ?? 500, msg: current.output_failure_message ?? "" }, outputFailureMetadata(this.#store, command.id)) }
            : { fail: { code: 500, msg: "the handler ended without an output" } };
      this.#complete(command.id, outcome, now, fx, current);
    } else if (command.susp !== undefined) {
      const future = decodeProto(FutureSchema, command.susp);
      if (isFutureResolved(future, this.#lookup(command.id))) {
        fx.start.add(command.id); // resume at once (§4.5 step 2)
      } else {
        s.invSuspend.run(command.susp, now, command.id);
        fx.stopped.add(command.id);
      }
    }
  }

  /** The side effect of one journal entry sent by the SDK (RESTATE-PROTOCOL.md §4.3). */
  #effectOf(row: JournalHeadRow, entry: Entry, commandIndex: number, now: number, fx: Effects): void {
    const s = this.#store.s;
    const [type, payload] = entry;
    const id = row.id;
    const svc = row.target_service_name;
    const key = row.target_service_key ?? "";
    switch (type) {
      case MessageType.OutputCommand: {
        const out = decodeProto(OutputCommandMessageSchema, payload);
        if (out.result.case === "value") s.invOutput.run("value", out.result.value.content, null, null, id);
        else if (out.result.case === "failure") s.invOutput.run("failure", null, out.result.value.code, out.result.value.message, id);
        // One Output per journal: a value's metadata column is still NULL, so only a failure writes it.
        if (out.result.case === "failure") setOutputFailureMetadata(this.#store, id, out.result.value.metadata);
        break;
      }
      case MessageType.SetStateCommand: {
        const m = decodeProto(SetStateCommandMessageSchema, payload);
        s.stateSet.run(svc, key, m.key, m.value?.content ?? new Uint8Array(0));
        break;
      }
      case MessageType.ClearStateCommand: {
        const m = decodeProto(ClearStateCommandMessageSchema, payload);
        s.stateClear.run(svc, key, m.key);
        break;
      }
      case MessageType.ClearAllStateCommand:
        s.stateClearAll.run(svc, key);
        break;
      case MessageType.GetLazyStateCommand: {
        const m = decodeProto(GetLazyStateCommandMessageSchema, payload);
        const value = s.stateGet.get(svc, key, m.key) as Uint8Array | undefined;
        this.#notify(id, MessageType.GetLazyStateCompletionNotification, lazyStateCompletion(m.resultCompletionId, value), now, fx);
        break;
      }
      case MessageType.GetLazyStateKeysCommand: {
        const m = decodeProto(GetLazyStateKeysCommandMessageSchema, payload);
        const keys = s.stateKeys.all(svc, key) as Uint8Array[];
        this.#notify(id, MessageType.GetLazyStateKeysCompletionNotification, lazyStateKeysCompletion(m.resultCompletionId, keys), now, fx);
        break;
      }
      case MessageType.SleepCommand: {
        const m = decodeProto(SleepCommandMessageSchema, payload);
        this.#addTimer(Number(m.wakeUpTime), "sleep", id, m.resultCompletionId, fx);
        break;
      }
      case MessageType.CallCommand: {
        const m = decodeProto(CallCommandMessageSchema, payload);
        const target = entry[3];
        const calleeId = calleeInvocationId(id, commandIndex, m.serviceName, m.handlerName, m.key, m.idempotencyKey, target);
        this.#notify(id, MessageType.CallInvocationIdCompletionNotification, callInvocationIdCompletion(m.invocationIdNotificationIdx, calleeId), now, fx);
        if (target === undefined || "err" in target) {
          const msg = target !== undefined && "err" in target ? target.err : `service ${m.serviceName} not found`;
          this.#notify(id, MessageType.CallCompletionNotification, callCompletion(m.resultCompletionId, undefined, { code: 404, msg }), now, fx);
          break;
        }
        const inv: NewInvocation = {
          id: calleeId,
          svc: m.serviceName,
          hnd: m.handlerName,
          sty: target.sty,
          hty: target.hty,
          hdrs: m.headers.map((h) => [h.key, h.value]),
          body: m.parameter,
          by: { t: "call", id, p: this.#options.partition, cid: m.resultCompletionId },
        };
        if (m.key.length > 0) inv.key = m.key;
        if (m.idempotencyKey !== undefined) inv.ik = m.idempotencyKey;
        if (target.ret !== undefined) inv.ret = target.ret;
        // The callee's parent is the caller's invocation span (derived from ids: deterministic, D3).
        inv.tp = calleeTraceparent(id, row.trace_parent);
        if (row.trace_state !== null) inv.ts = row.trace_state;
        this.#route(inv, now, fx);
        break;
      }
      case MessageType.OneWayCallCommand: {
        const m = decodeProto(OneWayCallCommandMessageSchema, payload);
        const target = entry[3];
        const calleeId = calleeInvocationId(id, commandIndex, m.serviceName, m.handlerName, m.key, m.idempotencyKey, target);
        this.#notify(id, MessageType.CallInvocationIdCompletionNotification, callInvocationIdCompletion(m.invocationIdNotificationIdx, calleeId), now, fx);
        if (target === undefined || "err" in target) break; // a send to nowhere is dropped, as Restate logs and drops it
        const inv: NewInvocation = {
          id: calleeId,
          svc: m.serviceName,
          hnd: m.handlerName,
          sty: target.sty,
          hty: target.hty,
          hdrs: m.headers.map((h) => [h.key, h.value]),
          body: m.parameter,
          by: { t: "send", id },
        };
        if (m.key.length > 0) inv.key = m.key;
        if (m.idempotencyKey !== undefined) inv.ik = m.idempotencyKey;
        if (target.ret !== undefined) inv.ret = target.ret;
        inv.tp = calleeTraceparent(id, row.trace_parent);
        if (row.trace_state !== null) inv.ts = row.trace_state;
        const at = Number(m.invokeTime);
        if (at > now) inv.at = at;
        this.#route(inv, now, fx);
        break;
      }
      case MessageType.SendSignalCommand: {
        const m = decodeProto(SendSignalCommandMessageSchema, payload);
        const sig: SignalPayload = { id: m.targetInvocationId };
        if (m.signalId.case === "idx") sig.idx = m.signalId.value;
        else if (m.signalId.case === "name") sig.name = m.signalId.value;
        else break; // no signal id: nothing to address
        if (m.result.case === "value") sig.ok = m.result.value.content;
        else if (m.result.case === "failure") sig.fail = fromFailure(m.result.value);
        this.#routeSignal(sig, now, fx);
        break;
      }
      case MessageType.CompleteAwakeableCommand: {
        const m = decodeProto(CompleteAwakeableCommandMessageSchema, payload);
        let parsed: ReturnType<typeof parseAwakeableId>;
        try {
          parsed = parseAwakeableId(m.awakeableId);
        } catch {
          break; // a malformed id addresses nothing (restate-server logs and drops it)
        }
        if (parsed.kind !== "signal") break; // legacy prom_1 ids address V1–V3 journals, not served here
        const sig: SignalPayload = { id: formatInvocationId(parsed.invocationId), idx: parsed.signalIndex };
        if (m.result.case === "failure") sig.fail = fromFailure(m.result.value);
        else sig.ok = m.result.case === "value" ? m.result.value.content : new Uint8Array(0);
        this.#routeSignal(sig, now, fx);
        break;
      }
      case MessageType.GetPromiseCommand:
      case MessageType.PeekPromiseCommand:
      case MessageType.CompletePromiseCommand:
        applyPromiseCommand({ store: this.#store, notify: (to, t, p) => this.#notify(to, t, p, now, fx) }, id, svc, key, type, payload);
        break;
      case MessageType.AttachInvocationCommand:
      case MessageType.GetInvocationOutputCommand: {
        const wait = type === MessageType.AttachInvocationCommand;
        const m = wait ? decodeProto(AttachInvocationCommandMessageSchema, payload) : decodeProto(GetInvocationOutputCommandMessageSchema, payload);
        const answerType = wait ? MessageType.AttachInvocationCompletionNotification : MessageType.GetInvocationOutputCompletionNotification;
        let targetId: string;
        try {
          targetId = attachTargetId(m.target);
        } catch (error) {
          const msg = `bad target invocation: ${error instanceof Error ? error.message : String(error)}`;
          this.#notify(id, answerType, completionNotification(m.resultCompletionId, { fail: { code: 400, msg } }), now, fx);
          break;
        }
        const target = partitionOf(invocationIdPartitionKey(parseInvocationId(targetId)), this.#options.partitionCount);
        if (target === this.#options.partition) this.#attachLocal(targetId, id, target, m.resultCompletionId, answerType, wait, now, fx);
        else this.#sendOutbox(target, { t: "att", tid: targetId, id, p: this.#options.partition, cid: m.resultCompletionId, ty: answerType, wait }, fx);
        break;
      }
      case MessageType.RunCompletionNotification: {
        const ack = entry[2] === 1;
        const n = decodeNotification({ type, payload });
        const forward: Forward = { id, type, payload };
        if (ack && n.id.case === "completionId") forward.ackCompletionId = n.id.value;
        fx.forward.push(forward);
        break;
      }
      default:
        // Run, GetEagerState(Keys), and commands this processor does not act on yet are stored
        // as journaled; the SDK replays them.
        break;
    }
  }

  /** A new invocation for this partition or another one (through the outbox). */
  #route(inv: NewInvocation, now: number, fx: Effects): void {
    const target = partitionOf(invocationIdPartitionKey(parseInvocationId(inv.id)), this.#options.partitionCount);
    if (target === this.#options.partition) this.#invoke(inv, now, fx);
    else this.#sendOutbox(target, { t: "inv", inv }, fx);
  }

  /** P6: a signal for this partition or another one (through the outbox). */
  #routeSignal(sig: SignalPayload, now: number, fx: Effects): void {
    let target: number;
    try {
      target = partitionOf(invocationIdPartitionKey(parseInvocationId(sig.id)), this.#options.partitionCount);
    } catch {
      return; // not an invocation id: addresses nothing
    }
    if (target === this.#options.partition) this.#signal(sig, now, fx);
    else this.#sendOutbox(target, { t: "sig", sig }, fx);
  }

  /**
   * A whole-state replace from the admin API. Deterministic (D3): skipped when an invocation holds
   * the key (its journal may have read the old state) or when the caller's version is stale; the
   * partition checks both before logging, so a skip only happens when a race slipped in between.
   */
  #replaceState(svc: string, key: string, kv: [Uint8Array, Uint8Array][], version: string | undefined): void {
    const s = this.#store.s;
    if (s.lockGet.get(svc, key) !== undefined) return;
    if (version !== undefined && !sameStateVersion(stateVersion(s.stateAll.all(svc, key) as StateEntryRow[]), version)) return;
    s.stateClearAll.run(svc, key);
    for (const [k, v] of kv) s.stateSet.run(svc, key, k, v);
  }

  /** P6: applies a signal to an invocation of this partition. */
  #signal(sig: SignalPayload, now: number, fx: Effects): void {
    const s = this.#store.s;
    const status = s.invStatus.get(sig.id) as string | undefined;
    if (status === undefined || status === "completed") return;
    const cancel = sig.idx === 1;
    if (cancel && (status === "inboxed" || status === "scheduled")) {
      this.#complete(sig.id, { fail: { code: 409, msg: "canceled" } }, now, fx);
      return;
    }
    // Cancel is SignalNotification{idx:1, void} whatever result it came with (§4.8).
    const notification = cancel ? signalNotification({ id: sig.id, idx: 1 }) : signalNotification(sig);
    this.#notify(sig.id, MessageType.SignalNotification, notification, now, fx);
    if (cancel && status === "paused") {
      s.invSetRunning.run(now, now, sig.id);
      fx.start.add(sig.id);
    }
  }

  /** `current`: the invocation's row when the caller has just read it (saves reading it again). */
  #complete(id: string, outcome: OutcomeValue, now: number, fx: Effects, current?: EndRow): void {
    const s = this.#store.s;
    const row = current ?? (s.invEndGet.get(id) as EndRow | undefined);
    if (row === undefined || row.status === "completed") return;
    const ok = "ok" in outcome ? outcome.ok : undefined;
    const fail = "fail" in outcome ? outcome.fail : undefined;
    s.invComplete.run(
      fail === undefined ? "success" : "failure",
      ok ?? null,
      fail?.code ?? null,
      fail?.msg ?? null,
      now,
      now,
      now + (row.completion_retention_ms ?? completionRetentionMs),
      id,
    );
    this.#active -= 1;
    if (fail !== undefined) setCompletionFailureMetadata(this.#store, id, fail.meta);
    s.timerDeleteFor.run(id);
    if (row.status === "inboxed") s.inboxDeleteId.run(id);
    if (row.status === "inboxed" || row.status === "scheduled") {
      // Never started (cancelled, killed, refused): answered, then not retained, as on restate-server.
      s.journalDelete.run(id);
      s.idempotencyDeleteFor.run(id);
      s.invDelete.run(id);
    } else {
      this.#addTimer(now + (row.completion_retention_ms ?? completionRetentionMs), "purge", id, null, fx); // P9
    }
    fx.completed.push({ id, outcome: fail === undefined ? { value: ok ?? new Uint8Array(0) } : { failure: toOutcomeFailure(fail) }, row, at: now });
    fx.stopped.add(id);
    // P5: the caller's CallCompletionNotification.
    if (row.caller_completion_id !== null && row.invoked_by_id !== null) {
      const callerPartition = row.caller_partition ?? this.#options.partition;
      if (callerPartition === this.#options.partition) {
        this.#completeCall(row.invoked_by_id, row.caller_completion_id, ok, fail, now, fx);
      } else {
        const payload: OutboxPayload = { t: "cmp", id: row.invoked_by_id, cid: row.caller_completion_id };
        if (fail !== undefined) payload.fail = fail;
        else payload.ok = ok ?? new Uint8Array(0);
        this.#sendOutbox(callerPartition, payload, fx);
      }
    }
    // P8: duplicate idempotent calls and AttachInvocation commands waiting for this outcome.
    const waiters = s.waitersOf.all(id) as { caller_id: string; caller_partition: number; completion_id: number; notification_type: number }[];
    if (waiters.length > 0) {
      s.waitersDelete.run(id);
      const result: CompletionResult = fail === undefined ? { ok: ok ?? new Uint8Array(0) } : { fail };
      for (const w of waiters) this.#replyTo(w.caller_partition, w.caller_id, w.completion_id, w.notification_type, result, now, fx);
    }
    // P3: pass the key's lock to the next inboxed invocation.
    const key = row.target_service_key;
    if (key !== null && s.lockGet.get(row.target_service_name, key) === id) {
      s.lockDelete.run(row.target_service_name, key);
      const next = s.inboxHead.get(row.target_service_name, key) as { sequence_number: number; id: string } | undefined;
      if (next !== undefined) {
        s.inboxDelete.run(row.target_service_name, key, next.sequence_number);
        s.lockSet.run(row.target_service_name, key, next.id);
        s.invSetRunning.run(now, now, next.id);
        fx.start.add(next.id);
      }
    }
  }

  #completeCall(callerId: string, completionId: number, ok: Uint8Array | undefined, fail: WireFailure | undefined, now: number, fx: Effects): void {
    const status = this.#store.s.invStatus.get(callerId) as string | undefined;
    if (status === undefined || status === "completed") return;
    this.#notify(callerId, MessageType.CallCompletionNotification, callCompletion(completionId, ok, fail), now, fx);
  }

  #fail(id: string, failure: WireFailure, now: number, fx: Effects): void {
    this.#complete(id, { fail: failure }, now, fx);
  }

  #pause(id: string, code: number, msg: string, now: number, fx: Effects): void {
    const s = this.#store.s;
    if ((s.invStatus.get(id) as string | undefined) !== "invoked") return;
    s.invSetStatus.run("paused", now, id);
    s.invLastFailure.run(msg, code, id);
    fx.stopped.add(id);
  }

  #timer(seq: number, now: number, fx: Effects): void {
    const s = this.#store.s;
    const timer = s.timerGet.get(seq) as { kind: string; fire_at: number; invocation_id: string; completion_id: number | null } | undefined;
    if (timer === undefined) return; // already fired (a duplicate proposal) or removed
    s.timerDelete.run(seq);
    fx.timersChanged = true;
    switch (timer.kind) {
      case "sleep":
        if (timer.completion_id !== null) this.#notify(timer.invocation_id, MessageType.SleepCompletionNotification, sleepCompletion(timer.completion_id), now, fx);
        break;
      case "invoke":
        this.#release(timer.invocation_id, now, fx);
        break;
      case "purge":
        this.#purge(timer.invocation_id, timer.fire_at);
        break;
    }
  }

  /** `expiresAt`: from a purge timer, which only purges the completion it was set for (P9). */
  #purge(id: string, expiresAt?: number): void {
    const s = this.#store.s;
    const row = s.invGet.get(id) as InvocationRow | undefined;
    if (row?.status !== "completed") return;
    if (expiresAt !== undefined && row.completion_expires_at !== expiresAt) return;
    if (row.target_handler_ty === "WORKFLOW" && row.target_service_key !== null) {
      // P9: the workflow key's state and promises end with its run.
      s.stateClearAll.run(row.target_service_name, row.target_service_key);
      purgePromises(this.#store, row.target_service_name, row.target_service_key);
    }
    s.journalDelete.run(id);
    s.idempotencyDeleteFor.run(id);
    s.invDelete.run(id);
  }

  #deliver(from: number, seq: number, wm: number, msg: OutboxPayload, now: number, fx: Effects): void {
    const s = this.#store.s;
    if (s.dedupHas.get(from, seq) !== undefined) return; // already applied
    s.dedupInsert.run(from, seq);
    // The sender never resends anything below its watermark: those dedup rows can go.
    s.dedupPrune.run(from, wm);
    if (msg.t === "inv") this.#invoke(msg.inv, now, fx);
    else if (msg.t === "sig") this.#signal(msg.sig, now, fx);
    else if (msg.t === "ctl") applyControl(this.kernel(), msg.id, msg.op, undefined, now, fx);
    else if (msg.t === "att") this.#attachLocal(msg.tid, msg.id, msg.p, msg.cid, msg.ty, msg.wait, now, fx);
    else if (msg.ty === undefined) this.#completeCall(msg.id, msg.cid, msg.ok, msg.fail, now, fx);
    else {
      const result: CompletionResult = msg.fail !== undefined ? { fail: msg.fail } : msg.ok !== undefined ? { ok: msg.ok } : { void: true };
      this.#notify(msg.id, msg.ty, completionNotification(msg.cid, result), now, fx);
    }
  }

  // ---- journal, notifications, timers, outbox ----------------------------------------------

  /** Appends a notification the processor produced; forwards it, or resumes a suspended invocation. */
  #notify(id: string, type: number, payload: Uint8Array, now: number, fx: Effects): void {
    const s = this.#store.s;
    const row = s.invGet.get(id) as InvocationRow | undefined;
    if (row === undefined || row.status === "completed") return;
    this.#notified += 1;
    this.#appendEntryAt(id, row.journal_size, [type, payload, 0], now);
    s.invJournalSizes.run(row.journal_size + 1, row.journal_commands_size, now, now, id);
    if (row.status === "invoked") fx.forward.push({ id, type, payload });
    else if (row.status === "suspended" && row.suspended_future !== null) {
      const future = decodeProto(FutureSchema, row.suspended_future);
      if (isFutureResolved(future, this.#lookup(id))) {
        s.invSetRunning.run(now, now, id);
        fx.start.add(id);
      }
    }
  }

  #appendEntry(id: string, type: number, payload: Uint8Array, now: number, _isInput: boolean): void {
    this.#appendEntryAt(id, 0, [type, payload, 0], now);
  }

  #appendEntryAt(id: string, index: number, entry: Entry, now: number): void {
    const [type, payload] = entry;
    let completionId: number | null = null;
    let signalIndex: number | null = null;
    let signalName: string | null = null;
    let failed = 0;
    if (type >= 0x8000 && type < 0xfc00) {
      const n = decodeNotification({ type, payload });
      if (n.id.case === "completionId") completionId = n.id.value;
      else if (n.id.case === "signalId") signalIndex = n.id.value;
      else if (n.id.case === "signalName") signalName = n.id.value;
      failed = n.result.case === "failure" ? 1 : 0;
    }
    this.#store.s.journalInsert.run(id, index, type, payload, completionId, signalIndex, signalName, failed, now);
  }

  #lookup(id: string): NotificationLookup {
    const s = this.#store.s;
    const outcome = (failed: unknown): "success" | "failure" | undefined =>
      failed === undefined ? undefined : failed === 1 ? "failure" : "success";
    return {
      completion: (cid) => outcome(s.journalCompletion.get(id, cid)),
      signal: (index) => outcome(s.journalSignal.get(id, index)),
      namedSignal: (name) => outcome(s.journalNamedSignal.get(id, name)),
    };
  }

  #addTimer(fireAt: number, kind: "sleep" | "invoke" | "purge", id: string, completionId: number | null, fx: Effects): void {
    this.#store.s.timerInsert.run(this.#store.nextSeq("timer_seq"), fireAt, kind, id, completionId);
    if (fx.timerAddedAt === undefined || fireAt < fx.timerAddedAt) fx.timerAddedAt = fireAt;
  }

  /** The operations invocation-control.ts builds on (kill, pause, resume, purge, failed attempts). */
  kernel(): ControlKernel {
    return {
      store: this.#store,
      partition: this.#options.partition,
      partitionCount: this.#options.partitionCount,
      complete: (id, failure, now, fx) => this.#complete(id, { fail: failure }, now, fx as Effects),
      purge: (id) => this.#purge(id),
      sendOutbox: (to, msg, fx) => this.#sendOutbox(to, msg, fx as Effects),
    };
  }

  #sendOutbox(to: number, msg: OutboxPayload, fx: Effects): void {
    const s = this.#store.s;
    const seq = this.#store.nextSeq("outbox_seq");
    // Watermark: the lowest seq still unacknowledged (this one included), P5 + dedup pruning.
    const min = s.outboxMinSeq.get() as number | null;
    const wm = min === null ? seq : Math.min(min, seq);
    s.outboxInsert.run(seq, to, encodeOutboxEnvelope({ wm, msg }));
    fx.outbox.push(seq);
  }
}

type OutcomeValue = { ok: Uint8Array } | { fail: WireFailure };

function withMeta(fail: WireFailure, meta: [string, string][] | undefined): WireFailure {
  if (meta !== undefined) fail.meta = meta;
  return fail;
}

/** The failure a second call of a workflow's `run` gets (restate-server's wording). */
export const workflowAlreadyInvokedMessage = "the workflow method was already invoked";

function toOutcomeFailure(fail: WireFailure): { code: number; message: string; metadata?: Record<string, string> } {
  const failure: { code: number; message: string; metadata?: Record<string, string> } = { code: fail.code, message: fail.msg };
  if (fail.meta !== undefined) failure.metadata = Object.fromEntries(fail.meta);
  return failure;
}

/**
 * The id of the invocation a Call/OneWayCall creates, derived only from recorded values so that
 * replay yields the same id (P1): keyed targets hash their key into the partition key (so every
 * invocation of a key lands on one partition); workflow runs and idempotent calls use Restate's
 * deterministic uuids; otherwise the uuid and partition key come from SHA-256(caller id ‖ command index).
 */
export function calleeInvocationId(
  callerId: string,
  commandIndex: number,
  service: string,
  handler: string,
  key: string,
  idempotencyKey: string | undefined,
  target: Entry[3],
): string {
  const digest = createHash("sha256").update(callerId).update(`#${commandIndex}`).digest();
  const keyed = target !== undefined && !("err" in target) && target.sty !== "SERVICE";
  const partitionKey = keyed
    ? partitionKeyOf(key)
    : idempotencyKey !== undefined
      ? idempotentServicePartitionKey(service, idempotencyKey)
      : digest.readBigUInt64BE(16);
  let uuid: Uint8Array;
  if (keyed && target.hty === "WORKFLOW") uuid = workflowInvocationUuid({ service, key });
  else if (idempotencyKey !== undefined) uuid = idempotentInvocationUuid(keyed ? { service, key, handler, idempotencyKey } : { service, handler, idempotencyKey });
  else uuid = new Uint8Array(digest.buffer, digest.byteOffset, 16).slice();
  return formatInvocationId(makeInvocationId(partitionKey, uuid));
}

/** A stable per-invocation seed for ctx.rand (V6+): the first 8 bytes of SHA-256 of the raw id. */
export function randomSeedOf(invocationId: string | Uint8Array): bigint {
  return sha256(typeof invocationId === "string" ? parseInvocationId(invocationId) : invocationId).readBigUInt64BE(0);
}

/** One-shot SHA-256: `crypto.hash` (Node ≥ 20.12) skips the Hash object; older Node builds one. */
const sha256: (data: Uint8Array) => Buffer =
  typeof (nodeCrypto as { hash?: unknown }).hash === "function"
    ? (data) => nodeCrypto.hash("sha256", data, "buffer")
    : (data) => createHash("sha256").update(data).digest();
