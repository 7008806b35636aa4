// The contract between the server's main thread and its partition workers.
//
// Owns: the shapes that cross the worker-thread boundary (structured-clone-safe plain data only:
// no classes, no functions, bigint and Uint8Array allowed) and the schema snapshot the workers
// route by. Does not own: how the main thread parses HTTP (ingress/admin) or how a worker applies
// commands (processor). Change it additively; both sides compile against it.
//
// Threads (ARCHITECTURE.md): the main thread runs ingress, admin and metadata, and owns the
// partition table. Each partition worker is a piscina pool with exactly one thread
// (minThreads = maxThreads = 1), so every task for a partition lands on the thread that owns it;
// `concurrentTasksPerWorker` lets thousands of invocations wait in one worker at once, and the
// pool's `maxQueue` is the bound of D5 (past it the ingress answers 429/503). Pools must be
// created with `atomics: "disabled"`: with piscina's default ("sync") an idle worker blocks in
// Atomics.wait between tasks, and a partition's attempts, timers and outbox stall until the next
// task arrives.
//
// C1. A partition is owned by exactly one worker for the whole life of the process
//     (partition p → worker p mod workerCount). The partition table never changes at run time.
// C2. Every task answer that acknowledges something (an accepted send, a delivered outbox
//     message, a completed call) is sent only after the log record carrying it is durable (D1).
// C3. Errors cross the boundary as `WireError { code, message, stack? }` and are rebuilt from a
//     code → class registry on the receiving side.
// C4. Schema snapshots carry a strictly increasing `version`; a worker ignores an older one.
// C5. Hot-path tasks may be batched over the events port (see ChannelTask below).

import type { MessagePort } from "node:worker_threads";
import type { MetricSnapshot } from "@cairn/telemetry";

/** Service kinds as the discovery manifest names them. */
export type ServiceType = "SERVICE" | "VIRTUAL_OBJECT" | "WORKFLOW";
/** Handler kinds; plain services have none (undefined). */
export type HandlerType = "EXCLUSIVE" | "SHARED" | "WORKFLOW";

export interface RetryPolicy {
  initialIntervalMs: number;
  exponentiationFactor: number;
  maxIntervalMs: number;
  /** Counts the first attempt. */
  maxAttempts: number;
  onMaxAttempts: "PAUSE" | "KILL";
}

export interface DeploymentInfo {
  /** `dp_…` */
  id: string;
  /** Base URI without a trailing slash; the invoker appends `/invoke/{service}/{handler}`. */
  uri: string;
  /** true: HTTP/1.1 request/response; false: HTTP/2 (prior knowledge) bidirectional streaming. */
  useHttp11: boolean;
  additionalHeaders: Record<string, string>;
  minProtocolVersion: number;
  maxProtocolVersion: number;
}

export interface HandlerInfo {
  name: string;
  ty: HandlerType | undefined;
  /** Content type the input must have, if the manifest restricts it (`undefined` = any/none). */
  inputContentType?: string;
  /** Whether an empty body is allowed for the input. */
  inputEmptyAllowed?: boolean;
  public: boolean;
  inactivityTimeoutMs?: number;
  abortTimeoutMs?: number;
  journalRetentionMs?: number;
  idempotencyRetentionMs?: number;
  workflowCompletionRetentionMs?: number;
  enableLazyState?: boolean;
  retryPolicy?: Partial<RetryPolicy>;
}

export interface ServiceInfo {
  name: string;
  ty: ServiceType;
  /** The deployment new invocations go to (the latest registration that carried the service). */
  deploymentId: string;
  revision: number;
  public: boolean;
  handlers: Record<string, HandlerInfo>;
  inactivityTimeoutMs?: number;
  abortTimeoutMs?: number;
  journalRetentionMs?: number;
  idempotencyRetentionMs?: number;
  workflowCompletionRetentionMs?: number;
  enableLazyState?: boolean;
  retryPolicy?: Partial<RetryPolicy>;
}

/** Everything a worker needs to route and run invocations. Sent whole on every change (C4). */
export interface SchemaSnapshot {
  version: number;
  deployments: Record<string, DeploymentInfo>;
  services: Record<string, ServiceInfo>;
}

/** Server-wide settings a worker needs; defaults live in the server's constants. */
export interface PartitionConfig {
  /** Default inactivity timeout of an attempt (Restate: 60 s). */
  inactivityTimeoutMs: number;
  /** Default abort timeout of an attempt (Restate: 10 min). */
  abortTimeoutMs: number;
  defaultRetryPolicy: RetryPolicy;
  /** Bound on invocations admitted to one partition and not yet completed (D5). */
  inflightInvocationsMax: number;
  /** Bound on a virtual-object key's inbox (D5). */
  inboxLengthMax: number;
  /**
   * Bound on a partition's outbox: messages to other partitions not yet acknowledged. Past it
   * the partition admits no new ingress invocation (429) until receivers catch up (D5).
   * Default `defaultOutboxLengthMax`.
   */
  outboxLengthMax?: number;
  /** Whether log appends fsync (always true in production; tests of logic may turn it off). */
  fsync: boolean;
  /** Traces: absent = off (no tracer, no span objects). `endpoint` is an OTLP/HTTP base URL. */
  tracing?: { endpoint: string; serviceName?: string };
  /** Least severe level a worker posts to the main thread (default debug: the main thread filters). */
  logLevel?: "debug" | "info" | "warn" | "error";
}

export interface WireError {
  code: string;
  message: string;
  stack?: string;
}

/** A terminal failure as the protocol carries it (`Failure { code, message, metadata }`). */
export interface InvocationFailure {
  code: number;
  message: string;
  metadata?: Record<string, string>;
}

export type InvocationOutcome = { value: Uint8Array } | { failure: InvocationFailure };

/** A new invocation, minted by the ingress on the main thread. */
export interface InvokeRequest {
  /** `inv_1…`; the partition key inside it selects the partition. */
  invocationId: string;
  service: string;
  handler: string;
  /** Object or workflow key; absent for plain services. */
  key?: string;
  /** Request headers forwarded into `InputCommand.headers`. */
  headers: [string, string][];
  body: Uint8Array;
  /** call: answer with the outcome; send: answer once the invocation is durably accepted. */
  mode: "call" | "send";
  /** Absolute time (epoch ms) for a delayed send. */
  executeAtMs?: number;
  idempotencyKey?: string;
  /** W3C trace context from the ingress request, passed on to every attempt. */
  traceparent?: string;
  tracestate?: string;
}

export type InvokeResult =
  | { kind: "completed"; invocationId: string; outcome: InvocationOutcome; idempotencyExpiresAtMs?: number }
  | { kind: "accepted"; invocationId: string; status: "Accepted" | "PreviouslyAccepted"; executeAtMs?: number };

/** Tasks the main thread runs on a worker (one piscina task each; the answer is the result). */
export type WorkerTask =
  | {
      kind: "open";
      workerIndex: number;
      /** The partitions this worker owns (C1). */
      partitions: number[];
      partitionCount: number;
      dataDir: string;
      config: PartitionConfig;
      schema: SchemaSnapshot;
      /** Worker → main events (`WorkerEvent`); transferred with the task. */
      events: MessagePort;
    }
  | { kind: "schema"; schema: SchemaSnapshot }
  | { kind: "invoke"; partition: number; request: InvokeRequest }
  | { kind: "deliver"; partition: number; message: OutboxMessage }
  /**
   * The outcome of a known invocation. `wait: true` answers once it completes (the wait counts
   * against the partition's waiter bound and is rejected with ERR_PARTITION_CLOSED on close);
   * `wait: false` answers `not-ready` at once while it is not completed.
   */
  | { kind: "attach"; partition: number; invocationId: string; wait: boolean }
  /**
   * Appends `SignalNotification{idx, value | failure}` to the invocation's journal (awakeable
   * resolve/reject; idx 1 = cancel). Answers once the record is durable (C2); an unknown or
   * completed invocation is accepted and ignored, as on restate-server.
   */
  | {
      kind: "signal";
      partition: number;
      invocationId: string;
      signalIndex: number;
      result: { value: Uint8Array } | { failure: InvocationFailure };
    }
  /** The worker's metrics (counters since open, gauges now); answered with MetricsTaskResult. */
  | { kind: "metrics" }
  /**
   * Commits every open store transaction of the worker's partitions (group commit, partition.ts
   * R5), so another connection (SQL introspection) reads every applied record. Answers void.
   */
  | { kind: "commit-stores" }
  /**
   * Replaces the whole state of one virtual-object or workflow key (admin
   * `POST /services/{name}/state`) through the partition's log; answers once durable and applied.
   * Refused with ERR_PARTITION_STATE_CONFLICT while an invocation holds the key's lock, or when
   * `version` (Restate's StateMutationVersion of the state the caller read) is not the current one.
   */
  | { kind: "set-state"; partition: number; service: string; key: string; entries: [string, Uint8Array][]; version?: string }
  /**
   * An admin operation on one invocation (`PATCH /invocations/{id}/{op}`), answered once its
   * record is durable and applied (C2); `deploymentId` re-pins a resumed invocation.
   */
  | { kind: "control"; partition: number; invocationId: string; op: ControlTaskOp; deploymentId?: string }
  | { kind: "close" };

/** Answer of a `metrics` task: plain snapshots the main thread merges and renders. */
export interface MetricsTaskResult {
  metrics: MetricSnapshot[];
}

/** Answer of a `set-state` task. */
export interface SetStateTaskResult {
  accepted: true;
}

export type ControlTaskOp = "cancel" | "kill" | "pause" | "resume" | "purge" | "purge-journal";

/**
 * Answer of a `control` task. The admin maps it onto restate-server's statuses: done → 200,
 * accepted → 202 (a signal was appended, the invocation acts on it), not-found → 404,
 * conflict → 409 (e.g. already completed), not-started → 425 (inboxed or scheduled).
 */
export interface ControlTaskResult {
  outcome: "done" | "accepted" | "not-found" | "conflict" | "not-started";
  message: string;
}

/** Answer of an `attach` task. A completed invocation is retained for its journal retention (1 d). */
export type AttachTaskResult =
  | {
      kind: "completed";
      invocationId: string;
      service?: string;
      handler?: string;
      outcome: InvocationOutcome;
      idempotencyExpiresAtMs?: number;
    }
  | { kind: "not-ready"; invocationId: string }
  | { kind: "not-found" };

/** Answer of a `signal` task: an object (not void), so a worker without the task is told apart. */
export interface SignalTaskResult {
  accepted: true;
}

/**
 * Answers, by task kind: open → OpenResult, schema → void, invoke → InvokeResult, deliver → void,
 * attach → AttachTaskResult, signal → SignalTaskResult, set-state → SetStateTaskResult,
 * control → ControlTaskResult, metrics → MetricsTaskResult, commit-stores → void, close → void.
 */
export interface OpenResult {
  /** Per partition: the LSN replay started from and how many records were replayed. */
  recovered: { partition: number; fromLsn: number; records: number }[];
}

/**
 * A message from one partition's durable outbox to another partition (cross-partition calls,
 * sends and completions). `(fromPartition, seq)` is unique and dense per source partition; the
 * receiver deduplicates on it and the sender retries until acknowledged.
 */
export interface OutboxMessage {
  fromPartition: number;
  seq: number;
  toPartition: number;
  /** Opaque to the main thread: the processor's own encoding of what to apply. */
  payload: Uint8Array;
}

/** Events a worker posts to the main thread on its `events` port. */
export type WorkerEvent =
  /** Deliver to `message.toPartition` (as a `deliver` task), then answer with `outbox-ack`. */
  | { kind: "outbox"; message: OutboxMessage }
  | { kind: "log"; level: "debug" | "info" | "warn" | "error"; message: string; fields?: Record<string, unknown> }
  /** Answers of ChannelTasks (C5). */
  | AnswerBatch;

/** Main → worker on the same port, once a delivered message is durable on the receiver. */
export type MainEvent =
  | { kind: "outbox-ack"; fromPartition: number; seq: number }
  /** A batch of hot-path tasks (C5); answered by `WorkerEvent` `answers` carrying the same ids. */
  | TaskBatch;

/**
 * C5. The hot path: tasks of these kinds may travel in batches over the events port instead of
 * as one piscina task each (one postMessage per event-loop turn per direction, not one per
 * request). Each answer is what the piscina task of the same kind answers, and an error is the
 * same WireError (C3). The main thread bounds how many are pending per worker (D5) and rejects
 * all of them when the worker's thread dies; the worker answers every task it received, and on
 * `close` answers the ones still pending (W3) before the `close` task answers.
 */
export type ChannelTask = Extract<WorkerTask, { kind: "invoke" | "attach" | "signal" | "deliver" }>;

/** The kinds of ChannelTask, for a receiver that checks what it was sent. */
export const channelTaskKinds: readonly ChannelTask["kind"][] = ["invoke", "attach", "signal", "deliver"];

/**
 * Main → worker. Grammar (structured clone, parallel arrays so a batch clones as few objects as
 * possible):
 *   TaskBatch   => { kind: "tasks", ids: u32[n], tasks: ChannelTask[n] }
 * `ids[i]` names `tasks[i]`; ids are unique among the tasks pending on one worker incarnation.
 */
export interface TaskBatch {
  kind: "tasks";
  ids: number[];
  tasks: ChannelTask[];
}

/**
 * Worker → main, answering tasks of one or more TaskBatches in any order:
 *   AnswerBatch => { kind: "answers", ids: u32[k], results: any[k], failures: { id: u32, error: WireError }[m] }
 * Every id of a received task appears exactly once, in `ids` (its answer at the same index of
 * `results`) or in `failures`.
 */
export interface AnswerBatch {
  kind: "answers";
  ids: number[];
  results: unknown[];
  failures: { id: number; error: WireError }[];
}

/** 2^64: the partition-key space is [0, 2^64), split into equal contiguous ranges. */
const partitionKeySpace = 1n << 64n;

/**
 * The partition that owns a partition key: partition i owns keys in
 * [i·2^64/N, (i+1)·2^64/N). Same split as Restate's, so ids minted on either server route alike.
 */
export function partitionOf(partitionKey: bigint, partitionCount: number): number {
  if (partitionKey < 0n || partitionKey >= partitionKeySpace) throw new RangeError(`partition key out of range: ${partitionKey}`);
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new RangeError(`bad partition count: ${partitionCount}`);
  return Number((partitionKey * BigInt(partitionCount)) >> 64n);
}

/** The worker that owns a partition (C1). */
export function workerOf(partition: number, workerCount: number): number {
  return partition % workerCount;
}
