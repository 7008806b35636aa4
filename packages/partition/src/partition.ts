// A live partition: its log, its store, the processor over them, and the effects the processor
// asks for — attempts through the invoker, durable timers, the outbox sender, ingress waiters.
//
// Owns: the order in which records are applied, every in-memory structure that is rebuilt from
// the store on open (attempts to restart, timers to arm, outbox messages to resend), and the
// answers to tasks. Does not own: the meaning of commands (processor.ts).
//
// R1. A record is applied only after log.append resolved (it is durable), and records are applied
//     in LSN order, each batch in one SQLite transaction with its applied LSN (D1, D2).
// R2. Effects run after the records that produced them were applied (R5); none runs during replay.
//     What replay would have started is re-derived from the store: every `invoked` invocation gets
//     an attempt, every timer is armed, every outbox row is sent.
// R3. A retry of a failed attempt starts only after every record that attempt produced has been
//     applied (the journal tracker), so the next replay holds all of them.
// R5. Applies are group-committed in the store (store.ts T5): the first drain after a commit opens
//     a write transaction, later drains apply inside it, and it commits storeCommitDelayMs later,
//     after storeCommitRecordsMax records, when asked (commitStore: before another connection
//     reads the store) and on close. An effect may run before that COMMIT: what it announces is
//     durable in the log (R1), and a crash before the COMMIT replays those records from the last
//     committed applied LSN (D2). A record that fails to apply rolls the whole open window back
//     and the partition stops applying, as a failed COMMIT does; a reopen replays the window.
// R4. Every waiter (ingress call, deliver, pending proposal) is answered or rejected: on close they
//     are rejected with PartitionClosedError, never left hanging.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openLog, type Log } from "@cairn/log";
import {
  CallCommandMessageSchema,
  FutureSchema,
  MessageType,
  OneWayCallCommandMessageSchema,
  ProposeRunCompletionMessageSchema,
  RunCompletionNotificationMessageSchema,
  decodeProto,
  invocationIdPartitionKey,
  parseInvocationId,
  runCompletionOf,
  encodeProto,
} from "@cairn/protocol";
import {
  type Attempt,
  type AttemptOutcome,
  type Invoker,
  type RawFrame,
  type SdkError,
  type Terminal,
  chooseProtocolVersion,
  nextRetry,
  resolveRetryPolicy,
} from "@cairn/invoker";
import { type AttemptFailed, type Command, type Entry, type EntryTarget, type NewInvocation, type SignalPayload, decodeCommand, decodeOutboxEnvelope, encodeCommand } from "./command-codec.js";
import {
  defaultOutboxLengthMax,
  logBatchBytesMax,
  logChunkBytesMax,
  logInFlightBytesMax,
  logRecordBytesMax,
  outboxInflightMax,
  outboxRetryInitialMs,
  outboxRetryMaxMs,
  stateMapBytesMax,
  storeCommitDelayMs,
  storeCommitRecordsMax,
  timerBatchMax,
  timerDelayMsMax,
  waitersMax,
} from "./constants.js";
import {
  type AttachTaskResult,
  type ControlTaskOp,
  type ControlTaskResult,
  type HandlerType,
  type InvocationFailure,
  type InvocationOutcome,
  type InvokeRequest,
  type InvokeResult,
  type OutboxMessage,
  type PartitionConfig,
  type SchemaSnapshot,
  type ServiceType,
  type SetStateTaskResult,
  type SignalTaskResult,
  partitionOf,
} from "./contract.js";
import {
  BadRequestError,
  InboxFullError,
  PartitionClosedError,
  PartitionQueueFullError,
  ServiceNotFoundError,
  StateConflictError,
  WrongPartitionError,
} from "./errors.js";
import { sameStateVersion, stateVersion, type StateEntryRow } from "./state-version.js";
import { type Effects, type InvokeApplied, Processor, emptyEffects, randomSeedOf, workflowAlreadyInvokedMessage } from "./processor.js";
import { completionRetentionOf } from "./retention.js";
import { runCompletionAck } from "./notifications.js";
import { type AttemptStateRow, controlStatements } from "./invocation-control.js";
import { PartitionTelemetry, type WorkerTelemetry } from "./partition-telemetry.js";
import type { AttemptSpan, PartitionDepths } from "@cairn/telemetry";
import { type InvocationRow, Store } from "./store.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface PartitionOptions {
  partition: number;
  partitionCount: number;
  dataDir: string;
  config: PartitionConfig;
  /** The current schema snapshot (the worker replaces it on `schema` tasks). */
  schema: () => SchemaSnapshot;
  invoker: Invoker;
  /** Delivers an outbox message; resolves once the receiving partition made it durable. */
  outbox: (message: OutboxMessage) => Promise<void>;
  logger?: Logger;
  /** Metrics (and spans when tracing is on) of the worker; absent in tests of logic. */
  telemetry?: WorkerTelemetry;
}

export interface Recovered {
  fromLsn: number;
  records: number;
}

interface Pending {
  bytes: Uint8Array;
  resolve: (result: InvokeApplied | undefined) => void;
  reject: (error: unknown) => void;
}

interface Waiter {
  resolve: (result: InvokeResult) => void;
  reject: (error: unknown) => void;
  /**
   * Whether the answer states when the retained result expires (`idempotency-expires`): only
   * for answers from a retained result (duplicates, attach, output), not for the request that ran it.
   */
  withExpiry: boolean;
}

interface LiveAttempt {
  id: string;
  version: number;
  deploymentId: string;
  pinned: boolean;
  attempt: Attempt | undefined;
  terminalSeen: boolean;
  /** Whether this attempt stored at least one journal entry (resets retry_count_since_last_stored_entry). */
  stored: boolean;
  lastError: SdkError | undefined;
  /** Settles once every record this attempt proposed is applied (R3). */
  chain: Promise<void>;
  /** Telemetry: target, start time (performance.now()), and the span when tracing is on. */
  service?: string;
  handler?: string;
  startedAt?: number;
  span?: AttemptSpan | undefined;
}

interface RetryState {
  /** retry_count_since_last_stored_entry for the next Start. */
  count: number;
  /** Failed attempts since the invocation last ran to End or Suspension (drives the policy). */
  failures: number;
}

const typeProposeRunCompletion = 0x0005;

/** The invocation columns an attempt starts from (Store.s.invStartGet). */
type StartRow = Pick<
  InvocationRow,
  | "status"
  | "target_service_name"
  | "target_handler_name"
  | "target_service_key"
  | "target_service_ty"
  | "pinned_deployment_id"
  | "pinned_service_protocol_version"
  | "journal_modified_at"
  | "idempotency_key"
  | "trace_parent"
  | "trace_state"
>;

/** Resolved once; `settled.then(f)` queues `f` as a microtask. */
const settled = Promise.resolve();

export class Partition {
  readonly id: number;
  readonly #options: PartitionOptions;
  readonly #log: Log;
  readonly #store: Store;
  readonly #processor: Processor;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters = new Map<string, Waiter[]>();
  #waiterCount = 0;
  readonly #live = new Map<string, LiveAttempt>();
  readonly #retries = new Map<string, RetryState>();
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  #pendingInvokes = 0;
  #closed = false;
  #broken: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the armed #timer fires (ms since the epoch). */
  #timerAt: number | undefined;
  readonly #timersInFlight = new Set<number>();
  readonly #outboxInFlight = new Map<number, { attempts: number; timer: NodeJS.Timeout | undefined }>();
  #outboxCursor = 0;
  #ackBatch: number[] = [];
  /** Outbox rows not yet acknowledged (bounded by config.outboxLengthMax, D5). */
  #outboxBacklog = 0;
  #ackScheduled = false;
  #drainScheduled = false;
  /** R5: the commit of the store's open write transaction, armed by the drain that opened it. */
  #commitTimer: NodeJS.Timeout | undefined;
  #uncommittedRecords = 0;
  readonly #telemetry: PartitionTelemetry | undefined;

  private constructor(options: PartitionOptions, log: Log, store: Store, telemetry: PartitionTelemetry | undefined) {
    this.id = options.partition;
    this.#options = options;
    this.#log = log;
    this.#store = store;
    this.#logger = options.logger ?? (() => undefined);
    this.#telemetry = telemetry;
    this.#processor = new Processor(store, {
      partition: options.partition,
      partitionCount: options.partitionCount,
      inboxLengthMax: options.config.inboxLengthMax,
    });
  }

  /** Opens the partition's log and store, replays the log from the applied LSN (D2), and resumes work (R2). */
  static async open(options: PartitionOptions): Promise<{ partition: Partition; recovered: Recovered }> {
    const dir = join(options.dataDir, "partitions", String(options.partition));
    mkdirSync(join(dir, "log"), { recursive: true });
    const hooks: { telemetry?: PartitionTelemetry } = {};
    const log = await openLog(join(dir, "log"), {
      fsync: options.config.fsync,
      recordBytesMax: logRecordBytesMax,
      batchBytesMax: logBatchBytesMax,
      inFlightBytesMax: logInFlightBytesMax,
      chunkBytesMax: logChunkBytesMax,
      ...(options.telemetry === undefined ? {} : { onGroupCommit: (records: number, bytes: number, syncMs: number | undefined) => hooks.telemetry?.groupCommitted(records, bytes, syncMs) }),
    });
    let store: Store;
    try {
      store = Store.open(join(dir, "store.sqlite"));
    } catch (error) {
      await log.close();
      throw error;
    }
    if (options.telemetry !== undefined) hooks.telemetry = new PartitionTelemetry(options.partition, options.telemetry);
    const partition = new Partition(options, log, store, hooks.telemetry);
    let recovered: Recovered;
    try {
      recovered = partition.#replay();
    } catch (error) {
      store.close();
      await log.close();
      throw error;
    }
    partition.#resume();
    return { partition, recovered };
  }

  #replay(): Recovered {
    const fromLsn = this.#store.appliedLsn + 1;
    let records = 0;
    const fx = emptyEffects();
    const batch: { lsn: number; payload: Uint8Array }[] = [];
    const flush = this.#store.db.transaction(() => {
      for (const record of batch) this.#processor.apply(decodeCommand(record.payload), record.lsn, fx);
    });
    for (const record of this.#log.readSync(fromLsn)) {
      batch.push({ lsn: record.lsn, payload: record.payload });
      records += 1;
      if (batch.length >= 1000) {
        flush();
        batch.length = 0;
      }
    }
    if (batch.length > 0) flush();
    return { fromLsn, records };
  }

  /** R2: re-derive the live work from the store. */
  #resume(): void {
    this.#outboxBacklog = this.#store.db.prepare("SELECT COUNT(*) FROM sys_outbox").pluck().get() as number;
    // K3: retry counters survive a crash; a pending retry keeps its time.
    const now = Date.now();
    const delayed = new Map<string, number>();
    for (const row of controlStatements(this.#store).stateOfInvoked.all() as AttemptStateRow[]) {
      this.#retries.set(row.id, { count: row.retry_count_since_stored, failures: row.retry_count });
      if (row.next_retry_at !== null && row.next_retry_at > now) delayed.set(row.id, row.next_retry_at - now);
    }
    for (const id of this.#store.s.invByStatus.all("invoked") as string[]) {
      const delayMs = delayed.get(id);
      if (delayMs !== undefined) this.#scheduleRetry(id, delayMs);
      else this.#startAttempt(id, true);
    }
    this.#armTimers();
    this.#pumpOutbox();
  }

  get activeInvocations(): number {
    return this.#processor.activeInvocations;
  }

  /** Queue depths for metrics (read at scrape time). */
  depths(): PartitionDepths {
    return {
      pendingApply: this.#pending.size,
      waiters: this.#waiterCount,
      liveAttempts: this.#live.size,
      activeInvocations: this.#processor.activeInvocations,
      outboxInflight: this.#outboxInFlight.size,
      retryTimers: this.#retryTimers.size,
      logInflightBytes: this.#log.stats().inFlightBytes,
    };
  }

  /** The store, for tests and introspection (read only). */
  get store(): Store {
    return this.#store;
  }

  // ---- tasks -------------------------------------------------------------------------------

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    this.#assertOpen();
    let raw: Uint8Array;
    try {
      raw = parseInvocationId(request.invocationId);
    } catch (error) {
      throw new BadRequestError(`bad invocation id: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (partitionOf(invocationIdPartitionKey(raw), this.#options.partitionCount) !== this.id) {
      throw new WrongPartitionError(`invocation ${request.invocationId} does not belong to partition ${this.id}`);
    }
    // The status alone (one column) for the common case of a new id; the whole row only when it exists.
    if (this.#store.s.invStatus.get(request.invocationId) !== undefined) {
      const existing = this.#store.s.invGet.get(request.invocationId) as InvocationRow | undefined;
      if (existing !== undefined) return this.#answerExisting(existing, request);
    }

    const { sty, hty } = this.#resolveTarget(request.service, request.handler, request.key);
    const config = this.#options.config;
    if (this.#processor.activeInvocations + this.#pendingInvokes >= config.inflightInvocationsMax) {
      throw new PartitionQueueFullError(`partition ${this.id} has ${config.inflightInvocationsMax} invocations in flight; retry later`);
    }
    const outboxLengthMax = config.outboxLengthMax ?? defaultOutboxLengthMax;
    if (this.#outboxBacklog >= outboxLengthMax) {
      throw new PartitionQueueFullError(
        `partition ${this.id} has ${this.#outboxBacklog} messages to other partitions not yet delivered (limit ${outboxLengthMax}); retry later`,
      );
    }
    if (request.key !== undefined && (hty === "EXCLUSIVE" || hty === "WORKFLOW")) {
      const length = this.#store.s.inboxLength.get(request.service, request.key) as number;
      if (length >= config.inboxLengthMax) throw new InboxFullError(`inbox of ${request.service}/${request.key} is full (${config.inboxLengthMax})`);
    }
    const inv: NewInvocation = {
      id: request.invocationId,
      svc: request.service,
      hnd: request.handler,
      sty,
      hty,
      hdrs: request.headers,
      body: request.body,
      by: { t: "ingress" },
    };
    if (request.key !== undefined) inv.key = request.key;
    if (request.executeAtMs !== undefined) inv.at = request.executeAtMs;
    if (request.idempotencyKey !== undefined) inv.ik = request.idempotencyKey;
    if (request.traceparent !== undefined) inv.tp = request.traceparent;
    if (request.tracestate !== undefined) inv.ts = request.tracestate;
    const retention = completionRetentionOf(this.#options.schema().services[request.service], request.handler, hty, request.idempotencyKey !== undefined);
    if (retention !== undefined) inv.ret = retention;

    // The waiter is registered after the apply (nothing can complete in between: the
    // continuation reads the store first); its bound is checked before anything is logged.
    if (request.mode === "call" && this.#waiterCount >= waitersMax) {
      throw new PartitionQueueFullError(`partition ${this.id} has ${waitersMax} requests waiting`);
    }
    this.#pendingInvokes += 1;
    let applied: InvokeApplied | undefined;
    try {
      applied = await this.#propose({ k: "inv", now: Date.now(), inv });
    } finally {
      this.#pendingInvokes -= 1;
    }
    if (request.mode === "send") {
      const accepted: InvokeResult = {
        kind: "accepted",
        invocationId: request.invocationId,
        status: applied?.existing === true ? "PreviouslyAccepted" : "Accepted",
      };
      if (request.executeAtMs !== undefined) accepted.executeAtMs = request.executeAtMs;
      return accepted;
    }
    const status = this.#store.s.invStatus.get(request.invocationId) as string | undefined;
    if (status === undefined) throw new Error(`assertion: invocation ${request.invocationId} not in the store after its Invoke applied`);
    // A concurrent request created it first (a duplicate, P7), or it completed in its own apply
    // (full inbox): those answer from the whole row.
    if (applied?.existing === true || status === "completed") {
      const row = this.#store.s.invGet.get(request.invocationId) as InvocationRow;
      return applied?.existing === true ? this.#answerExisting(row, request) : completedResult(row, false);
    }
    return this.#wait(request.invocationId, false);
  }

  /**
   * The outcome of invocation `invocationId`: `completed` (retained for completionRetentionMs),
   * `not-found`, or — while it is not completed — `not-ready` (wait: false) or the outcome once it
   * completes (wait: true; bounded by waitersMax, rejected with PartitionClosedError on close).
   */
  async attach(invocationId: string, wait: boolean): Promise<AttachTaskResult> {
    this.#assertOpen();
    this.#checkOwnId(invocationId);
    const row = this.#store.s.invGet.get(invocationId) as InvocationRow | undefined;
    if (row === undefined) return { kind: "not-found" };
    const target = { service: row.target_service_name, handler: row.target_handler_name };
    if (row.status === "completed") return { ...completedResult(row, true), ...target } as AttachTaskResult;
    if (!wait) return { kind: "not-ready", invocationId };
    const result = await this.#wait(invocationId, true);
    if (result.kind !== "completed") throw new Error(`assertion: waiter of ${invocationId} answered ${result.kind}`);
    return { ...result, ...target };
  }

  /**
   * Appends SignalNotification{signalIndex, value | failure} to invocation `invocationId` through
   * the log (P6 of the processor); answers once the record is durable and applied (D1). An unknown
   * or completed invocation is accepted and ignored.
   */
  async signal(invocationId: string, signalIndex: number, result: { value: Uint8Array } | { failure: InvocationFailure }): Promise<SignalTaskResult> {
    this.#assertOpen();
    this.#checkOwnId(invocationId);
    if (!Number.isInteger(signalIndex) || signalIndex < 1 || signalIndex > 0xffff_ffff) {
      throw new BadRequestError(`bad signal index ${signalIndex}: expected an integer in [1, 2^32)`);
    }
    const status = this.#store.s.invStatus.get(invocationId) as string | undefined;
    // Nothing to log for a completed invocation, or an unknown one with no invoke on its way to
    // the log (one on its way is applied first: the log orders them).
    if (status === "completed" || (status === undefined && this.#pendingInvokes === 0)) return { accepted: true };
    const sig: SignalPayload = { id: invocationId, idx: signalIndex };
    if ("failure" in result) {
      const { code, message, metadata } = result.failure;
      sig.fail = { code, msg: message };
      if (metadata !== undefined && Object.keys(metadata).length > 0) sig.fail.meta = Object.entries(metadata);
    } else {
      sig.ok = result.value;
    }
    await this.#propose({ k: "sig", now: Date.now(), sig });
    return { accepted: true };
  }

  /**
   * Replaces the whole state of `service`/`key` through the log (the `State` command); answers once
   * durable and applied. Refused (StateConflictError) while an invocation holds the key, or when
   * `version` is not the current state's version (state-version.ts).
   */
  async setState(service: string, key: string, entries: [string, Uint8Array][], version: string | undefined): Promise<SetStateTaskResult> {
    this.#assertOpen();
    const s = this.#store.s;
    const holder = s.lockGet.get(service, key) as string | undefined;
    if (holder !== undefined) {
      throw new StateConflictError(`the key '${key}' of '${service}' is held by invocation ${holder}; change its state once that invocation completed`);
    }
    if (version !== undefined) {
      const current = stateVersion(s.stateAll.all(service, key) as StateEntryRow[]);
      if (!sameStateVersion(current, version)) throw new StateConflictError(`the state of '${service}/${key}' changed since version ${version} was read (now ${current})`);
    }
    const kv = entries.map(([k, v]): [Uint8Array, Uint8Array] => [Buffer.from(k, "utf8"), v]);
    await this.#propose({ k: "st", now: Date.now(), svc: service, key, kv, ...(version === undefined ? {} : { ver: version }) });
    return { accepted: true };
  }

  /**
   * An admin operation on invocation `invocationId` (invocation-control.ts): cancel (a signal,
   * P6), kill, pause, resume (optionally onto `deploymentId`), purge, purge-journal. Answers once
   * the record is durable and applied (K1), or at once when the status rules it out.
   */
  async control(invocationId: string, op: ControlTaskOp, deploymentId?: string): Promise<ControlTaskResult> {
    this.#assertOpen();
    this.#checkOwnId(invocationId);
    const status = this.#store.s.invStatus.get(invocationId) as string | undefined;
    if (status === undefined) return { outcome: "not-found", message: `the requested invocation '${invocationId}' does not exist` };
    const completed = status === "completed";
    const notStarted = status === "inboxed" || status === "scheduled";
    const now = Date.now();
    switch (op) {
      case "cancel": {
        if (completed) return { outcome: "conflict", message: `invocation ${invocationId} is already completed` };
        await this.#propose({ k: "sig", now, sig: { id: invocationId, idx: 1 } });
        return notStarted ? { outcome: "done", message: "canceled" } : { outcome: "accepted", message: "cancel signal appended" };
      }
      case "kill":
        if (completed) return { outcome: "conflict", message: `invocation ${invocationId} is already completed` };
        await this.#propose({ k: "ctl", now, id: invocationId, op: "kill" });
        return { outcome: "done", message: "killed" };
      case "purge":
      case "purge-journal":
        if (!completed) return { outcome: "conflict", message: `invocation ${invocationId} is not completed; only completed invocations can be purged` };
        await this.#propose({ k: "ctl", now, id: invocationId, op });
        return { outcome: "done", message: op === "purge" ? "purged" : "journal purged" };
      case "pause":
        if (status === "paused") return { outcome: "done", message: "already paused" };
        if (status !== "invoked" && status !== "suspended") {
          return { outcome: "conflict", message: `invocation ${invocationId} is ${status}; only running or suspended invocations can be paused` };
        }
        await this.#propose({ k: "ctl", now, id: invocationId, op: "pause" });
        // A suspended invocation has no attempt to stop: it is paused at once.
        return status === "suspended" ? { outcome: "done", message: "paused" } : { outcome: "accepted", message: "pausing" };
      case "resume": {
        if (completed) return { outcome: "conflict", message: `invocation ${invocationId} is already completed` };
        if (notStarted) return { outcome: "not-started", message: `invocation ${invocationId} has not started yet` };
        if (deploymentId !== undefined) {
          const pinned = this.#store.s.invStartGet.get(invocationId) as StartRow | undefined;
          if (status === "invoked" || pinned?.pinned_deployment_id === null || pinned === undefined) {
            return { outcome: "conflict", message: `invocation ${invocationId} is still running or its deployment is not pinned yet; its deployment cannot be changed` };
          }
          if (this.#options.schema().deployments[deploymentId] === undefined) throw new BadRequestError(`the deployment '${deploymentId}' does not exist`);
        }
        this.#retries.delete(invocationId);
        const command: Command = { k: "ctl", now, id: invocationId, op: "resume" };
        if (deploymentId !== undefined) command.dp = deploymentId;
        await this.#propose(command);
        return { outcome: "done", message: "resumed" };
      }
    }
  }

  async deliver(message: OutboxMessage): Promise<void> {
    this.#assertOpen();
    if (message.toPartition !== this.id) throw new WrongPartitionError(`outbox message for partition ${message.toPartition} delivered to ${this.id}`);
    if (this.#store.s.dedupHas.get(message.fromPartition, message.seq) !== undefined) return;
    const envelope = decodeOutboxEnvelope(message.payload);
    await this.#propose({ k: "dlv", now: Date.now(), from: message.fromPartition, seq: message.seq, wm: envelope.wm, msg: envelope.msg });
  }

  /** The main thread confirmed an outbox message durable on its receiver (events-port path). */
  outboxAcked(seq: number): void {
    if (this.#closed || !this.#outboxInFlight.has(seq)) return;
    this.#queueAck(seq);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new PartitionClosedError(`partition ${this.id} closed`);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const entry of this.#outboxInFlight.values()) if (entry.timer !== undefined) clearTimeout(entry.timer);
    for (const live of this.#live.values()) live.attempt?.abort("partition closed");
    this.#live.clear();
    for (const id of [...this.#waiters.keys()]) this.#dropWaiters(id, closed);
    for (const pending of this.#pending.values()) pending.reject(closed);
    this.#pending.clear();
    if (this.#commitTimer !== undefined) clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    try {
      await this.#log.close();
    } finally {
      this.#store.close();
    }
  }

  // ---- proposing and applying (R1) ----------------------------------------------------------

  async #propose(command: Command): Promise<InvokeApplied | undefined> {
    this.#assertOpen();
    const bytes = encodeCommand(command);
    const appendStartedAt = this.#telemetry === undefined ? 0 : performance.now();
    const lsn = await this.#log.append(bytes);
    this.#telemetry?.appended(performance.now() - appendStartedAt);
    if (this.#closed) throw new PartitionClosedError(`partition ${this.id} closed`);
    return new Promise((resolve, reject) => {
      this.#pending.set(lsn, { bytes, resolve, reject });
      this.#scheduleDrain();
    });
  }

  /**
   * The appends of one group commit resolve together; their continuations run one after another
   * as microtasks. Draining once after all of them applies the whole group at once.
   */
  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    // A promise reaction, not queueMicrotask: Node wraps each queueMicrotask callback in an AsyncResource.
    void settled.then(this.#drainScheduledNow);
  }

  readonly #drainScheduledNow = (): void => {
    this.#drainScheduled = false;
    this.#drain();
  };

  #drain(): void {
    if (this.#broken !== undefined) return;
    const batch: [number, Pending][] = [];
    let next = this.#store.appliedLsn + 1;
    for (let pending = this.#pending.get(next); pending !== undefined; pending = this.#pending.get(next)) {
      this.#pending.delete(next);
      batch.push([next, pending]);
      next += 1;
    }
    if (batch.length === 0) return;
    const fx = emptyEffects();
    const results: (InvokeApplied | undefined)[] = [];
    try {
      if (this.#store.begin()) this.#commitTimer = setTimeout(this.#commitStore, storeCommitDelayMs);
      // Decode the durable bytes, not the in-memory command: live apply = replay apply (D3).
      for (const [lsn, pending] of batch) results.push(this.#processor.apply(decodeCommand(pending.bytes), lsn, fx));
    } catch (error) {
      // A command that cannot be applied is a bug or a corrupt record: stop applying rather than
      // skip it (the store would diverge from the log). The open window holds a half-applied
      // record, so all of it is rolled back (R5); a reopen replays up to the same record.
      this.#broken = error instanceof Error ? error : new Error(String(error));
      this.#logger("error", `partition ${this.id} stopped applying: ${this.#broken.message}`, { stack: this.#broken.stack });
      this.#abandonStoreWindow();
      for (const [, pending] of batch) pending.reject(this.#broken);
      for (const pending of this.#pending.values()) pending.reject(this.#broken);
      this.#pending.clear();
      return;
    }
    batch.forEach(([, pending], i) => pending.resolve(results[i]));
    this.#telemetry?.applied(batch.length);
    this.#uncommittedRecords += batch.length;
    if (this.#uncommittedRecords >= storeCommitRecordsMax) this.#commitStore();
    try {
      this.#runEffects(fx);
    } catch (error) {
      // Effects are re-derivable from the store (R2); a failing one is logged, not fatal.
      this.#logger("error", `partition ${this.id}: effect failed: ${error instanceof Error ? error.message : String(error)}`, {
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
  }

  /**
   * R5: commits the store's open write transaction now. The SQL introspection reads the store from
   * another connection, so the server asks for this before a query (read your own writes).
   */
  commitStore(): void {
    this.#commitStore();
  }

  readonly #commitStore = (): void => {
    if (this.#commitTimer !== undefined) clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    this.#uncommittedRecords = 0;
    if (!this.#store.db.open) return;
    try {
      this.#store.commit();
    } catch (error) {
      // The applied records are in the log; the store stops where its last COMMIT left it and a
      // reopen replays the rest (D2). Applying on top of a lost window would diverge.
      this.#broken ??= error instanceof Error ? error : new Error(String(error));
      this.#logger("error", `partition ${this.id} stopped applying: store commit failed: ${this.#broken.message}`, { stack: this.#broken.stack });
      this.#abandonStoreWindow();
    }
  };

  /** R5: drops the open window (the partition stopped applying); the log still holds its records. */
  #abandonStoreWindow(): void {
    if (this.#commitTimer !== undefined) clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    this.#uncommittedRecords = 0;
    try {
      this.#store.rollback();
    } catch {
      // the connection is unusable; the partition is stopped either way
    }
  }

  #runEffects(fx: Effects): void {
    if (this.#closed) return;
    for (const id of fx.stopped) {
      const live = this.#live.get(id);
      if (live === undefined) continue;
      this.#live.delete(id);
      if (!live.terminalSeen) live.attempt?.abort("the invocation is no longer running");
    }
    for (const forward of fx.forward) {
      this.#telemetry?.notified(forward.id, forward.type, forward.payload);
      const live = this.#live.get(forward.id);
      if (live?.attempt === undefined || live.terminalSeen) continue;
      if (forward.ackCompletionId !== undefined && live.version >= 7) {
        live.attempt.send(MessageType.ProposeRunCompletionAck, runCompletionAck(forward.ackCompletionId));
      } else {
        live.attempt.send(forward.type, forward.payload);
      }
    }
    this.#telemetry?.completed(fx.completed, (id) => this.#retries.get(id)?.failures ?? 0);
    for (const { id, outcome } of fx.completed) {
      this.#retries.delete(id);
      const waiters = this.#waiters.get(id);
      if (waiters === undefined) continue; // nobody to answer (a send, a call from a service)
      // The row is read only for its expiry, which only answers from a retained result state.
      const row = waiters.some((w) => w.withExpiry) ? (this.#store.s.invGet.get(id) as InvocationRow | undefined) : undefined;
      this.#resolveWaiters(id, completedResultOf(id, outcome, row, true));
    }
    for (const id of fx.start) this.#startAttempt(id);
    this.#outboxBacklog += fx.outbox.length;
    if (fx.outbox.length > 0) this.#pumpOutbox();
    // Timers only added, all firing after the armed timer: it re-arms when it fires (no read).
    if (fx.timersChanged || (fx.timerAddedAt !== undefined && (this.#timer === undefined || this.#timerAt === undefined || fx.timerAddedAt < this.#timerAt))) {
      this.#armTimers();
    }
  }

  // ---- attempts ----------------------------------------------------------------------------

  /** `resumed`: restarted from the store on open (R2), so not a first start for the metrics. */
  #startAttempt(id: string, resumed = false): void {
    if (this.#closed) return;
    const running = this.#live.get(id);
    if (running !== undefined && !running.terminalSeen) return;
    const retryTimer = this.#retryTimers.get(id);
    if (retryTimer !== undefined) {
      clearTimeout(retryTimer);
      this.#retryTimers.delete(id);
    }
    const row = this.#store.s.invStartGet.get(id) as StartRow | undefined;
    if (row?.status !== "invoked") return;
    const schema = this.#options.schema();
    const service = schema.services[row.target_service_name];
    const handler = service?.handlers[row.target_handler_name];
    const deploymentId = row.pinned_deployment_id ?? service?.deploymentId;
    const deployment = deploymentId === undefined ? undefined : schema.deployments[deploymentId];
    const live: LiveAttempt = {
      id,
      version: 0,
      deploymentId: deploymentId ?? "",
      pinned: row.pinned_deployment_id !== null,
      attempt: undefined,
      terminalSeen: false,
      stored: false,
      lastError: undefined,
      chain: Promise.resolve(),
    };
    if (deployment === undefined) {
      this.#onAttemptFailed(live, { code: 503, message: `no deployment for ${row.target_service_name} (deployment ${deploymentId ?? "unknown"})` }, undefined);
      return;
    }
    try {
      live.version = row.pinned_service_protocol_version ?? chooseProtocolVersion(deployment.minProtocolVersion, deployment.maxProtocolVersion);
    } catch (error) {
      this.#onAttemptFailed(live, { code: 500, message: error instanceof Error ? error.message : String(error) }, undefined);
      return;
    }
    const journal = (this.#store.s.journalAll.all(id) as { entry_type: number; raw: Uint8Array }[]).map((e) => ({ type: e.entry_type, payload: e.raw }));
    const key = row.target_service_key ?? "";
    const lazy = handler?.enableLazyState ?? service?.enableLazyState ?? false;
    const stateMap: [Uint8Array, Uint8Array][] = [];
    let partialState = true;
    if (row.target_service_key !== null && row.target_service_ty !== "SERVICE" && !lazy) {
      partialState = false;
      let bytes = 0;
      for (const entry of this.#store.s.stateAll.iterate(row.target_service_name, key) as IterableIterator<{ key: Uint8Array; value: Uint8Array }>) {
        bytes += entry.key.length + entry.value.length;
        if (bytes > stateMapBytesMax) {
          partialState = true;
          break;
        }
        stateMap.push([entry.key, entry.value]);
      }
    }
    const retry = this.#retries.get(id) ?? { count: 0, failures: 0 };
    const config = this.#options.config;
    const rawId = parseInvocationId(id);
    const start = {
      id: rawId,
      debugId: id,
      key,
      stateMap,
      partialState,
      retryCountSinceLastStoredEntry: retry.count,
      durationSinceLastStoredEntryMs: Math.max(0, Date.now() - row.journal_modified_at),
      randomSeed: randomSeedOf(rawId),
      ...(row.idempotency_key !== null ? { idempotencyKey: row.idempotency_key } : {}),
    };
    const headers: Record<string, string> = {};
    if (row.trace_parent !== null) headers.traceparent = row.trace_parent;
    if (row.trace_state !== null) headers.tracestate = row.trace_state;
    if (this.#telemetry !== undefined) {
      live.service = row.target_service_name;
      live.handler = row.target_handler_name;
      live.startedAt = performance.now();
      live.span = this.#telemetry.attemptStarted(
        { id, service: row.target_service_name, handler: row.target_handler_name, key: row.target_service_key, traceparent: row.trace_parent, tracestate: row.trace_state },
        { deploymentId: live.deploymentId, protocolVersion: live.version, first: !resumed && journal.length <= 1 && retry.failures === 0 && retry.count === 0, failures: retry.failures },
      );
      if (live.span !== undefined) for (const entry of journal) live.span.replayed(entry.type, entry.payload);
      // The deployment's spans become children of this attempt (the SDK reads the request headers).
      const traceparent = live.span?.traceparent;
      if (traceparent !== undefined) headers.traceparent = traceparent;
    }
    this.#live.set(id, live);
    live.attempt = this.#options.invoker.start(
      {
        deployment: { uri: deployment.uri, additionalHeaders: deployment.additionalHeaders, useHttp11: deployment.useHttp11 },
        service: row.target_service_name,
        handler: row.target_handler_name,
        protocolVersion: live.version,
        start,
        journal,
        headers,
        inactivityTimeoutMs: handler?.inactivityTimeoutMs ?? service?.inactivityTimeoutMs ?? config.inactivityTimeoutMs,
        abortTimeoutMs: handler?.abortTimeoutMs ?? service?.abortTimeoutMs ?? config.abortTimeoutMs,
      },
      { onFrames: (frames, terminal) => this.#onFrames(live, frames, terminal) },
    );
    void live.attempt.done.then((outcome) => this.#onAttemptDone(live, outcome));
  }

  /** One chunk from the SDK → at most one log record (the hot path: one append per batch). */
  #onFrames(live: LiveAttempt, frames: readonly RawFrame[], terminal: Terminal | undefined): void {
    if (this.#closed || this.#live.get(live.id) !== live) return;
    if (live.span !== undefined) for (const frame of frames) live.span.frame(frame.type, frame.payload);
    const entries: Entry[] = [];
    try {
      for (const frame of frames) entries.push(this.#entryOf(live, frame));
    } catch (error) {
      live.attempt?.abort(`bad frame from the deployment: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (terminal !== undefined) live.terminalSeen = true;
    if (terminal?.kind === "error") live.lastError = terminal.error;
    const command: Extract<Command, { k: "jrn" }> = { k: "jrn", now: Date.now(), id: live.id, e: entries };
    if (terminal?.kind === "end") command.end = true;
    if (terminal?.kind === "suspension") command.susp = encodeProto(FutureSchema, terminal.future);
    if (entries.length === 0 && command.end === undefined && command.susp === undefined) return;
    if (entries.length > 0) {
      live.stored = true;
      if (!live.pinned) {
        command.pin = [live.deploymentId, live.version];
        live.pinned = true;
      }
    }
    const applied = this.#propose(command);
    live.chain = applied.then(
      () => undefined,
      (error: unknown) => {
        if (!this.#closed) this.#logger("warn", `journal append failed for ${live.id}: ${String(error)}`);
        live.attempt?.abort("journal append failed");
      },
    );
  }

  #entryOf(live: LiveAttempt, frame: RawFrame): Entry {
    if (frame.type === typeProposeRunCompletion) {
      const proposal = decodeProto(ProposeRunCompletionMessageSchema, frame.payload);
      const notification = runCompletionOf(proposal);
      if (notification === undefined) throw new Error("ProposeRunCompletion without a result");
      const ack = live.version >= 7 && (frame.flags & 0x8000) !== 0 ? 1 : 0;
      return [MessageType.RunCompletionNotification, encodeProto(RunCompletionNotificationMessageSchema, notification), ack];
    }
    // Copy: the frame is a view into a network buffer, the entry outlives it in the log queue.
    const payload = frame.payload.slice();
    if (frame.type === MessageType.CallCommand || frame.type === MessageType.OneWayCallCommand) {
      const m =
        frame.type === MessageType.CallCommand
          ? decodeProto(CallCommandMessageSchema, payload)
          : decodeProto(OneWayCallCommandMessageSchema, payload);
      return [frame.type, payload, 0, this.#targetOf(m.serviceName, m.handlerName, m.key, m.idempotencyKey !== undefined)];
    }
    return [frame.type, payload, 0];
  }

  /** Resolves a call target against the schema before logging, so apply does not depend on it (D3). */
  #targetOf(service: string, handler: string, key: string, idempotent: boolean): EntryTarget {
    try {
      const { sty, hty } = this.#resolveTarget(service, handler, key.length > 0 ? key : undefined);
      const ret = completionRetentionOf(this.#options.schema().services[service], handler, hty, idempotent);
      return ret === undefined ? { sty, hty } : { sty, hty, ret };
    } catch (error) {
      return { err: error instanceof Error ? error.message : String(error) };
    }
  }

  #resolveTarget(service: string, handler: string, key: string | undefined): { sty: ServiceType; hty: HandlerType | null } {
    const info = this.#options.schema().services[service];
    if (info === undefined) throw new ServiceNotFoundError(`service ${service} not found`);
    const handlerInfo = info.handlers[handler];
    if (handlerInfo === undefined) throw new ServiceNotFoundError(`handler ${service}/${handler} not found`);
    if (info.ty === "SERVICE" && key !== undefined) throw new BadRequestError(`service ${service} is not keyed; no key allowed`);
    if (info.ty !== "SERVICE" && key === undefined) throw new BadRequestError(`${service} is keyed; a key is required`);
    const hty: HandlerType | null =
      handlerInfo.ty ?? (info.ty === "VIRTUAL_OBJECT" ? "EXCLUSIVE" : info.ty === "WORKFLOW" ? "WORKFLOW" : null);
    return { sty: info.ty, hty };
  }

  async #onAttemptDone(live: LiveAttempt, outcome: AttemptOutcome): Promise<void> {
    if (this.#telemetry !== undefined && live.startedAt !== undefined) {
      this.#telemetry.attemptEnded(live.service ?? "", live.handler ?? "", performance.now() - live.startedAt, outcome, live.span);
    }
    await live.chain; // R3: the journal tracker
    if (this.#closed) return;
    if (this.#live.get(live.id) === live) this.#live.delete(live.id);
    if (outcome.kind === "terminal") {
      if (outcome.terminal.kind !== "error") {
        this.#retries.delete(live.id);
        return;
      }
      const error = outcome.terminal.error;
      this.#onAttemptFailed(live, { code: error.code, message: error.message }, error);
      return;
    }
    if (!outcome.error.retryable) return;
    const retryAfterMs = (outcome.error as { retryAfterMs?: number }).retryAfterMs;
    this.#onAttemptFailed(live, { code: 503, message: outcome.error.message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, undefined);
  }

  #onAttemptFailed(live: LiveAttempt, failure: { code: number; message: string; retryAfterMs?: number }, sdkError: SdkError | undefined): void {
    if (this.#closed) return;
    const id = live.id;
    const row = this.#store.s.invGet.get(id) as InvocationRow | undefined;
    if (row?.status !== "invoked") return;
    const retry = this.#retries.get(id) ?? { count: 0, failures: 0 };
    retry.failures += 1;
    retry.count = live.stored ? 1 : retry.count + 1;
    this.#retries.set(id, retry);
    this.#logger("warn", `attempt of ${id} failed: ${failure.message}`, {
      invocationId: id,
      service: row.target_service_name,
      handler: row.target_handler_name,
      code: failure.code,
      error: failure.message,
      ...(sdkError?.stacktrace === undefined || sdkError.stacktrace === "" ? {} : { stacktrace: sdkError.stacktrace }),
      retry: retry.failures,
    });
    const now = Date.now();
    // K3: the failure and the counters are logged before the retry, pause or failure happens.
    const record: AttemptFailed = { k: "att", now, id, n: retry.failures, c: retry.count, code: failure.code, msg: failure.message, then: "retry" };
    if (sdkError?.relatedCommandIndex !== undefined) record.rci = sdkError.relatedCommandIndex;
    if (sdkError?.relatedCommandName !== undefined) record.rcn = sdkError.relatedCommandName;
    if (sdkError?.relatedCommandType !== undefined) record.rct = sdkError.relatedCommandType;
    let delayMs: number | undefined;
    if (sdkError?.behavior === "pause") record.then = "pause";
    else if (sdkError?.behavior === "fail") record.then = "fail";
    else {
      const schema = this.#options.schema();
      const service = schema.services[row.target_service_name];
      const policy = resolveRetryPolicy(this.#options.config.defaultRetryPolicy, service?.retryPolicy, service?.handlers[row.target_handler_name]?.retryPolicy);
      const decision = nextRetry(policy, retry.failures, sdkError?.nextRetryDelayMs ?? failure.retryAfterMs);
      if (decision.kind === "pause") record.then = "pause";
      else if (decision.kind === "kill") record.then = "fail";
      else {
        delayMs = decision.delayMs;
        record.next = now + delayMs;
      }
    }
    const recorded = this.#propose(record).then(
      () => true,
      (error: unknown) => {
        if (!this.#closed) this.#logger("warn", `failed attempt of ${id} not recorded: ${String(error)}`);
        return false;
      },
    );
    if (delayMs !== undefined) {
      const wait = delayMs;
      void recorded.then((ok) => {
        if (!ok || this.#closed) return;
        this.#scheduleRetry(id, wait);
      });
    }
  }

  #scheduleRetry(id: string, delayMs: number): void {
    const previous = this.#retryTimers.get(id);
    if (previous !== undefined) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.#retryTimers.delete(id);
      this.#startAttempt(id);
    }, delayMs);
    this.#retryTimers.set(id, timer);
  }

  // ---- timers ------------------------------------------------------------------------------

  #armTimers(): void {
    if (this.#closed) return;
    const now = Date.now();
    // Only the due rows and the earliest later fire time: every completion adds a retention
    // timer a day ahead, so reading the earliest rows wholesale cost a scan per completion.
    const due = this.#store.s.timersDue.all(now, timerBatchMax) as { seq: number; fire_at: number }[];
    for (const row of due) {
      if (this.#timersInFlight.has(row.seq)) continue;
      this.#timersInFlight.add(row.seq);
      this.#propose({ k: "tmr", now, seq: row.seq })
        .catch((error: unknown) => {
          if (!this.#closed) this.#logger("warn", `timer ${row.seq} could not fire: ${String(error)}`);
        })
        .finally(() => this.#timersInFlight.delete(row.seq));
    }
    const next = this.#store.s.timerNextAfter.get(now) as number | null | undefined;
    const at = next === null || next === undefined ? undefined : Math.min(next, now + timerDelayMsMax);
    // The armed timer fires no later than that: keep it rather than re-create it (one that fires
    // early finds nothing due and re-arms).
    if (at !== undefined && this.#timer !== undefined && this.#timerAt !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
    if (at !== undefined) {
      this.#timerAt = at;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#armTimers();
      }, Math.max(0, at - now));
    }
  }

  // ---- outbox ------------------------------------------------------------------------------

  #pumpOutbox(): void {
    if (this.#closed) return;
    const room = outboxInflightMax - this.#outboxInFlight.size;
    if (room <= 0) return;
    const rows = this.#store.s.outboxFrom.all(this.#outboxCursor, room) as { seq: number; to_partition: number; payload: Uint8Array }[];
    for (const row of rows) {
      this.#outboxCursor = row.seq;
      this.#outboxInFlight.set(row.seq, { attempts: 0, timer: undefined });
      this.#sendOutbox({ fromPartition: this.id, seq: row.seq, toPartition: row.to_partition, payload: row.payload });
    }
  }

  #sendOutbox(message: OutboxMessage): void {
    const entry = this.#outboxInFlight.get(message.seq);
    if (entry === undefined || this.#closed) return;
    entry.attempts += 1;
    this.#options.outbox(message).then(
      () => this.#queueAck(message.seq),
      (error: unknown) => {
        if (this.#closed) return;
        const delay = Math.min(outboxRetryMaxMs, outboxRetryInitialMs * 2 ** Math.min(entry.attempts - 1, 16));
        this.#logger("warn", `outbox message ${this.id}/${message.seq} to partition ${message.toPartition} not delivered: ${String(error)}; retry in ${delay} ms`);
        entry.timer = setTimeout(() => this.#sendOutbox(message), delay);
      },
    );
  }

  #queueAck(seq: number): void {
    const entry = this.#outboxInFlight.get(seq);
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    this.#ackBatch.push(seq);
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    setImmediate(() => {
      this.#ackScheduled = false;
      const seqs = this.#ackBatch;
      this.#ackBatch = [];
      if (this.#closed || seqs.length === 0) return;
      this.#propose({ k: "ack", seqs }).then(
        () => {
          for (const s of seqs) this.#outboxInFlight.delete(s);
          this.#outboxBacklog = Math.max(0, this.#outboxBacklog - seqs.length);
          this.#pumpOutbox();
        },
        (error: unknown) => {
          if (!this.#closed) this.#logger("warn", `outbox ack not recorded: ${String(error)}`);
        },
      );
    });
  }

  // ---- waiters -----------------------------------------------------------------------------

  #wait(id: string, withExpiry: boolean): Promise<InvokeResult> {
    if (this.#waiterCount >= waitersMax) throw new PartitionQueueFullError(`partition ${this.id} has ${waitersMax} requests waiting`);
    return new Promise<InvokeResult>((resolve, reject) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ resolve, reject, withExpiry });
      this.#waiters.set(id, list);
      this.#waiterCount += 1;
    });
  }

  #resolveWaiters(id: string, result: InvokeResult): void {
    const list = this.#waiters.get(id);
    if (list === undefined) return;
    this.#waiters.delete(id);
    this.#waiterCount -= list.length;
    for (const waiter of list) {
      if (waiter.withExpiry || result.kind !== "completed" || result.idempotencyExpiresAtMs === undefined) waiter.resolve(result);
      else waiter.resolve({ kind: "completed", invocationId: result.invocationId, outcome: result.outcome });
    }
  }

  #dropWaiters(id: string, error: unknown): void {
    const list = this.#waiters.get(id);
    if (list === undefined) return;
    this.#waiters.delete(id);
    this.#waiterCount -= list.length;
    for (const waiter of list) waiter.reject(error);
  }

  /** P7 of the processor, for ingress requests: a workflow run again is 409, an idempotent call attaches. */
  #answerExisting(row: InvocationRow, request: InvokeRequest): Promise<InvokeResult> | InvokeResult {
    if (request.mode === "send") return { kind: "accepted", invocationId: row.id, status: "PreviouslyAccepted" };
    if (row.target_handler_ty === "WORKFLOW") {
      return { kind: "completed", invocationId: row.id, outcome: { failure: { code: 409, message: workflowAlreadyInvokedMessage } } };
    }
    if (row.status === "completed") return completedResult(row, true);
    return this.#wait(row.id, true);
  }

  /** Throws BadRequestError for an unparsable id, WrongPartitionError for another partition's. */
  #checkOwnId(invocationId: string): void {
    let raw: Uint8Array;
    try {
      raw = parseInvocationId(invocationId);
    } catch (error) {
      throw new BadRequestError(`bad invocation id: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (partitionOf(invocationIdPartitionKey(raw), this.#options.partitionCount) !== this.id) {
      throw new WrongPartitionError(`invocation ${invocationId} does not belong to partition ${this.id}`);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new PartitionClosedError(`partition ${this.id} is closed`);
    if (this.#broken !== undefined) throw this.#broken;
  }
}

function completedResult(row: InvocationRow, withExpiry: boolean): InvokeResult {
  const outcome: InvocationOutcome =
    row.completion_result === "success"
      ? { value: row.completion_value ?? new Uint8Array(0) }
      : { failure: { code: row.completion_failure_code ?? 500, message: row.completion_failure_message ?? "" } };
  // The column invocation-control.ts adds; `SELECT *` rows carry it.
  const metadata = (row as { completion_failure_metadata?: string | null }).completion_failure_metadata;
  if ("failure" in outcome && typeof metadata === "string") {
    const pairs = JSON.parse(metadata) as [string, string][];
    if (pairs.length > 0) outcome.failure.metadata = Object.fromEntries(pairs);
  }
  return completedResultOf(row.id, outcome, row, withExpiry);
}

function completedResultOf(id: string, outcome: InvocationOutcome, row: InvocationRow | undefined, withExpiry: boolean): InvokeResult {
  const result: InvokeResult = { kind: "completed", invocationId: id, outcome };
  // restate-server states the expiry on every answer read from a retained result (duplicates,
  // attach and output, failures included), never on the answer of the request that ran it.
  if (withExpiry && row !== undefined && row.completion_expires_at !== null) {
    result.idempotencyExpiresAtMs = row.completion_expires_at;
  }
  return result;
}
