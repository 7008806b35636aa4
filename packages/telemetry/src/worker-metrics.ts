// The metrics a partition worker thread records, under their public names. The partition calls
// the record* methods on its hot path (each a Map lookup and an add, M2); gauges are filled in
// by `collect` when the main thread scrapes.
import type { IntervalHistogram } from "node:perf_hooks";
import { batchSizeBuckets, latencyBucketsSeconds } from "./constants.js";
import { type Counter, type Gauge, type Histogram, type MetricSnapshot, Registry } from "./metrics.js";
import { eventLoopMonitor, recordEventLoop } from "./process-metrics.js";
import type { SpanQueueStats } from "./span-queue.js";

/** Queue depths of one partition at scrape time. */
export interface PartitionDepths {
  /** Records appended and not yet applied. */
  pendingApply: number;
  /** Ingress requests waiting for an outcome. */
  waiters: number;
  /** Attempts running against deployments. */
  liveAttempts: number;
  /** Invocations admitted and not completed. */
  activeInvocations: number;
  /** Outbox messages sent and not yet acknowledged. */
  outboxInflight: number;
  /** Attempts waiting for their retry delay. */
  retryTimers: number;
  /** Log bytes appended and not yet durable. */
  logInflightBytes: number;
}

export type AttemptOutcomeLabel = "end" | "suspended" | "failed" | "aborted";

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly #invocationsStarted: Counter;
  readonly #invocationsCompleted: Counter;
  readonly #invocationsFailed: Counter;
  readonly #attempts: Counter;
  readonly #attemptSeconds: Histogram;
  readonly #appendSeconds: Histogram;
  readonly #syncSeconds: Histogram;
  readonly #groupCommitRecords: Histogram;
  readonly #applyBatchRecords: Histogram;
  readonly #depth: Gauge;
  readonly #connections: Gauge;
  readonly #heap: Gauge;
  readonly #spans: Gauge;
  readonly #lag: Gauge;
  readonly #loop: IntervalHistogram;
  readonly #worker: string;

  constructor(workerIndex: number) {
    this.#worker = String(workerIndex);
    const r = this.registry;
    this.#invocationsStarted = r.counter("cairn_invocations_started_total", "Invocations whose first attempt started.", ["service", "handler"]);
    this.#invocationsCompleted = r.counter("cairn_invocations_completed_total", "Invocations that completed with a success.", ["service", "handler"]);
    this.#invocationsFailed = r.counter("cairn_invocations_failed_total", "Invocations that completed with a terminal failure (including killed and cancelled).", ["service", "handler"]);
    this.#attempts = r.counter("cairn_attempts_total", "Attempts ended, by outcome (end, suspended, failed; aborted: stopped by the server, e.g. the invocation was killed).", ["service", "handler", "outcome"]);
    this.#attemptSeconds = r.histogram("cairn_attempt_duration_seconds", "Time from an attempt's start to its end, suspension or failure.", ["service", "handler", "outcome"], latencyBucketsSeconds);
    this.#appendSeconds = r.histogram("cairn_log_append_duration_seconds", "Time from a log append to its record being durable (group commit write + fdatasync).", ["partition"], latencyBucketsSeconds);
    this.#syncSeconds = r.histogram("cairn_log_fsync_duration_seconds", "Time one fdatasync of a group commit took.", ["partition"], latencyBucketsSeconds);
    this.#groupCommitRecords = r.histogram("cairn_log_group_commit_records", "Records written by one group commit (one write + one fdatasync).", ["partition"], batchSizeBuckets);
    this.#applyBatchRecords = r.histogram("cairn_partition_apply_batch_records", "Log records applied in one store transaction.", ["partition"], batchSizeBuckets);
    this.#depth = r.gauge("cairn_partition_queue_depth", "Items in a partition's queues at scrape time.", ["partition", "queue"]);
    this.#connections = r.gauge("cairn_deployment_connections", "Open HTTP/2 sessions to deployments (http2) and HTTP/1.1 attempts in flight (http1).", ["worker", "protocol"]);
    this.#heap = r.gauge("cairn_worker_heap_bytes", "V8 heap of a partition worker thread.", ["worker", "kind"]);
    this.#spans = r.gauge("cairn_tracing_spans", "Spans of a worker's exporter: exported, dropped (queue full), failed (export error) since start, and queued now.", ["worker", "state"]);
    this.#lag = r.gauge("cairn_event_loop_lag_seconds", "Event-loop delay of a thread since the previous scrape.", ["thread", "stat"]);
    this.#loop = eventLoopMonitor();
  }

  invocationStarted(service: string, handler: string): void {
    this.#invocationsStarted.inc([service, handler]);
  }

  invocationCompleted(service: string, handler: string, success: boolean): void {
    (success ? this.#invocationsCompleted : this.#invocationsFailed).inc([service, handler]);
  }

  attemptEnded(service: string, handler: string, outcome: AttemptOutcomeLabel, seconds: number): void {
    this.#attempts.inc([service, handler, outcome]);
    this.#attemptSeconds.observe([service, handler, outcome], seconds);
  }

  logAppended(partition: string, seconds: number): void {
    this.#appendSeconds.observe([partition], seconds);
  }

  groupCommitted(partition: string, records: number, syncSeconds: number | undefined): void {
    this.#groupCommitRecords.observe([partition], records);
    if (syncSeconds !== undefined) this.#syncSeconds.observe([partition], syncSeconds);
  }

  applied(partition: string, records: number): void {
    this.#applyBatchRecords.observe([partition], records);
  }

  /** Fills the gauges and returns the snapshot the main thread merges. */
  collect(depths: ReadonlyMap<number, PartitionDepths>, connections: { http2: number; http1: number }, spans: SpanQueueStats | undefined): MetricSnapshot[] {
    this.#depth.reset();
    for (const [partition, d] of depths) {
      const p = String(partition);
      this.#depth.set([p, "pending_apply"], d.pendingApply);
      this.#depth.set([p, "waiters"], d.waiters);
      this.#depth.set([p, "live_attempts"], d.liveAttempts);
      this.#depth.set([p, "active_invocations"], d.activeInvocations);
      this.#depth.set([p, "outbox_inflight"], d.outboxInflight);
      this.#depth.set([p, "retry_timers"], d.retryTimers);
      this.#depth.set([p, "log_inflight_bytes"], d.logInflightBytes);
    }
    this.#connections.set([this.#worker, "http2"], connections.http2);
    this.#connections.set([this.#worker, "http1"], connections.http1);
    const heap = process.memoryUsage();
    this.#heap.set([this.#worker, "used"], heap.heapUsed);
    this.#heap.set([this.#worker, "total"], heap.heapTotal);
    if (spans !== undefined) {
      this.#spans.set([this.#worker, "exported"], spans.exported);
      this.#spans.set([this.#worker, "dropped"], spans.dropped);
      this.#spans.set([this.#worker, "failed"], spans.failedSpans);
      this.#spans.set([this.#worker, "queued"], spans.queued);
    }
    recordEventLoop(this.#lag, `worker-${this.#worker}`, this.#loop);
    return this.registry.snapshot();
  }

  close(): void {
    this.#loop.disable();
  }
}
