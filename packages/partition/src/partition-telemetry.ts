// What one partition reports to the worker's telemetry: metrics always, spans when tracing is on.
//
// Owns: the translation from partition events (append, apply, attempt start/end, completion)
// to metric samples and spans. Does not own: the metrics registry or the tracer (the worker's,
// shared by its partitions), nor when the events happen (partition.ts).
//
// PT1. With tracing off (`tracer` undefined) no span object is created and no per-invocation
//      state is kept: each hook is a branch on one field plus its metric update.
// PT2. Hooks never throw into the partition: a failing hook is swallowed (telemetry is not data).
// PT3. A command span waiting for a completion (sleep, call, …) is held in this partition's
//      registry (bounded, @cairn/telemetry OpenCommandSpans) and ends when the notification is
//      applied: forwarded to a running attempt (notified), or found in the journal of the attempt
//      that resumes the invocation (AttemptSpan.replayed). The invocation's completion ends the rest.
// PT4. `invocations_started` counts the first attempt of an invocation once per process: never an
//      attempt restarted from the store on open, nor one after a failure or a suspension.
import type { AttemptOutcome } from "@cairn/invoker";
import type { AttemptSpan, InvocationTracer, OpenCommandSpans, WorkerMetrics } from "@cairn/telemetry";
import type { InvocationOutcome } from "./contract.js";
import type { Store } from "./store.js";

/** The worker's telemetry, shared by its partitions. */
export interface WorkerTelemetry {
  metrics: WorkerMetrics;
  tracer: InvocationTracer | undefined;
}

interface CompletedRow {
  target_service_name: string;
  target_handler_name: string;
  target_service_key: string | null;
  trace_parent: string | null;
  trace_state: string | null;
  created_at: number;
  completed_at: number | null;
}

export class PartitionTelemetry {
  readonly #partition: string;
  readonly #metrics: WorkerMetrics;
  readonly #tracer: InvocationTracer | undefined;
  readonly #store: Store;
  readonly #open: OpenCommandSpans | undefined;
  #completedRow: ReturnType<Store["db"]["prepare"]> | undefined;

  constructor(partition: number, telemetry: WorkerTelemetry, store: Store) {
    this.#partition = String(partition);
    this.#metrics = telemetry.metrics;
    this.#tracer = telemetry.tracer;
    this.#store = store;
    this.#open = telemetry.tracer?.openCommandSpans();
  }

  get tracing(): boolean {
    return this.#tracer !== undefined;
  }

  /** A log append became durable after `ms`. */
  appended(ms: number): void {
    this.#metrics.logAppended(this.#partition, ms / 1000);
  }

  /** The log's group-commit hook (records per fdatasync, its duration). */
  readonly groupCommitted = (records: number, _bytes: number, syncMs: number | undefined): void => {
    this.#metrics.groupCommitted(this.#partition, records, syncMs === undefined ? undefined : syncMs / 1000);
  };

  /** `records` log records were applied in one store transaction. */
  applied(records: number): void {
    this.#metrics.applied(this.#partition, records);
  }

  /** An attempt starts; returns its span when tracing is on (PT1). */
  attemptStarted(
    facts: { id: string; service: string; handler: string; key: string | null; traceparent: string | null; tracestate: string | null },
    details: { deploymentId: string; protocolVersion: number; first: boolean; failures: number },
  ): AttemptSpan | undefined {
    if (details.first) this.#metrics.invocationStarted(facts.service, facts.handler);
    if (this.#tracer === undefined) return undefined;
    try {
      return this.#tracer.startAttempt(
        { invocationId: facts.id, service: facts.service, handler: facts.handler, key: facts.key, traceparent: facts.traceparent, tracestate: facts.tracestate },
        { deploymentId: details.deploymentId, protocolVersion: details.protocolVersion, failures: details.failures, ...(this.#open === undefined ? {} : { open: this.#open }) },
      );
    } catch {
      return undefined; // PT2
    }
  }

  /** An attempt ended with `outcome` after `ms`. */
  attemptEnded(service: string, handler: string, ms: number, outcome: AttemptOutcome, span: AttemptSpan | undefined): void {
    let label: "end" | "suspended" | "failed" | "aborted";
    if (outcome.kind === "terminal") label = outcome.terminal.kind === "end" ? "end" : outcome.terminal.kind === "suspension" ? "suspended" : "failed";
    else label = outcome.error.retryable ? "failed" : "aborted";
    this.#metrics.attemptEnded(service, handler, label, ms / 1000);
    if (span === undefined) return;
    try {
      if (outcome.kind === "terminal" && outcome.terminal.kind === "end") span.end({ kind: "end" });
      else if (outcome.kind === "terminal" && outcome.terminal.kind === "suspension") span.end({ kind: "suspended" });
      else if (outcome.kind === "terminal" && outcome.terminal.kind === "error") {
        const { code, message } = outcome.terminal.error;
        span.end({ kind: "failed", code, message, retryable: true });
      } else if (outcome.kind === "failed") span.end({ kind: "failed", code: 503, message: outcome.error.message, retryable: outcome.error.retryable });
    } catch {
      // PT2
    }
  }

  /** A notification was applied to a running invocation (PT3). */
  notified(id: string, type: number, payload: Uint8Array): void {
    if (this.#open === undefined || !this.#open.has(id)) return;
    try {
      this.#open.notified(id, type, payload);
    } catch {
      // PT2
    }
  }

  /**
   * Invocations completed in one applied batch (live only: replay has no effects, R2).
   * `failuresOf`: the durable failed-attempt counter of an invocation (the floor of its attempts).
   */
  completed(list: readonly { id: string; outcome: InvocationOutcome }[], failuresOf: (id: string) => number = () => 0): void {
    if (list.length === 0) return;
    this.#completedRow ??= this.#store.db.prepare(
      "SELECT target_service_name, target_handler_name, target_service_key, trace_parent, trace_state, created_at, completed_at FROM sys_invocation_status WHERE id = ?",
    );
    for (const { id, outcome } of list) {
      const row = this.#completedRow.get(id) as CompletedRow | undefined;
      if (row === undefined) continue;
      const success = "value" in outcome;
      this.#metrics.invocationCompleted(row.target_service_name, row.target_handler_name, success);
      if (this.#tracer === undefined) continue;
      try {
        this.#tracer.endInvocation(
          {
            invocationId: id,
            service: row.target_service_name,
            handler: row.target_handler_name,
            key: row.target_service_key,
            traceparent: row.trace_parent,
            tracestate: row.trace_state,
          },
          success ? { kind: "success" } : { kind: "failure", code: outcome.failure.code, message: outcome.failure.message },
          row.created_at,
          row.completed_at ?? Date.now(),
          failuresOf(id),
          this.#open,
        );
      } catch {
        // PT2
      }
    }
  }
}
