// Limits and defaults of @cairn/partition, one place for every bound (D5). Units are in the names.

/** Eager state sent in StartMessage.state_map up to this many bytes; beyond it `partial_state` is set. */
export const stateMapBytesMax = 4 * 1024 * 1024;
/** Outbox messages sent and not yet acknowledged, per partition; the rest wait in the table. */
export const outboxInflightMax = 256;
/** First wait before resending an unacknowledged outbox message; doubles up to the max. */
export const outboxRetryInitialMs = 1_000;
export const outboxRetryMaxMs = 30_000;
/** Timers loaded into memory at once (the earliest ones); the rest stay in the table. */
export const timerBatchMax = 256;
/** setTimeout's own limit (2^31 - 1 ms); a later timer is re-armed when this one fires. */
export const timerDelayMsMax = 2_147_483_647;
/** How long a completed invocation's status, journal and result are kept (Restate: journal retention 1 d). */
export const completionRetentionMs = 24 * 60 * 60 * 1000;
/** Default retention of a completed workflow run, its state and promises (Restate: 1 d). */
export const defaultWorkflowRetentionMs = 24 * 60 * 60 * 1000;
/** Default retention of an idempotent invocation's result (Restate: 1 d). */
export const defaultIdempotencyRetentionMs = 24 * 60 * 60 * 1000;
/** Partition keys an unkeyed service's idempotent requests spread over (restate-server 1.7: 512). */
export const idempotencyBucketsPerService = 512;
/** Ingress `call` requests waiting on one partition at once (besides inflightInvocationsMax). */
export const waitersMax = 100_000;

/**
 * Bounds of a partition's log. One record carries a whole ingress request (bodies up to 32 MiB,
 * the ingress limit) or one chunk of an attempt (frames up to 32 MiB, the invoker's limit), plus
 * headers and framing: 40 MiB leaves room for both. A group commit must hold one such record,
 * a chunk file one such batch; in-flight bytes are the append backpressure bound (D5).
 */
export const logRecordBytesMax = 40 * 1024 * 1024;
export const logBatchBytesMax = 48 * 1024 * 1024;
export const logInFlightBytesMax = 96 * 1024 * 1024;
export const logChunkBytesMax = 128 * 1024 * 1024;
/** The largest ingress request body a record can carry (what startServer accepts as requestBodyBytesMax). */
export const requestBodyBytesLimit = 32 * 1024 * 1024;
/** Outbox messages not yet acknowledged by their receivers, per partition; past it new ingress invocations get 429 (D5). */
export const defaultOutboxLengthMax = 10_000;

/**
 * How long the store's write transaction stays open after the first drain that opened it (R5):
 * the drains of that window share one COMMIT, so the hot pages (meta, indexes, the newest journal
 * rows) reach the WAL once per window instead of once per drain. The log holds every applied
 * record, so a crash loses nothing the replay does not restore. Measured (greet, 50 connections,
 * 3 000 calls, `strace -c`): WAL page writes per call 11.3 with a COMMIT per drain, 9.5 with a
 * 20 ms window, 6.6 with 50 ms; longer windows make each COMMIT a longer pause of the worker.
 */
export const storeCommitDelayMs = 20;
/** Records applied in one open store transaction before it commits early (bounds a window's dirty pages). */
export const storeCommitRecordsMax = 2_000;

/** How long closing a worker waits for its queued spans to be exported before dropping them. */
export const tracingCloseMs = 2_000;

/** Answers in one AnswerBatch message (worker.ts W4); more settled in one turn leave in several. */
export const answerBatchMax = 512;

/** Defaults for PartitionConfig fields when the main thread leaves them to the worker. */
export const defaultInflightInvocationsMax = 10_000;
export const defaultInboxLengthMax = 1_000;

if (outboxRetryInitialMs > outboxRetryMaxMs) throw new Error("outbox retry initial exceeds max");
if (timerBatchMax < 1) throw new Error("timerBatchMax must be positive");
if (logRecordBytesMax < requestBodyBytesLimit + 1024 * 1024) throw new Error("a log record must hold the largest request body and its headers");
if (logBatchBytesMax < logRecordBytesMax + 16 || logChunkBytesMax < logBatchBytesMax + 20 || logInFlightBytesMax < logBatchBytesMax) {
  throw new Error("log bounds must nest: record < batch < chunk, batch ≤ in-flight");
}
