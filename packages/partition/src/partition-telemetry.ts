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
// PT5. A completion is reported from the row the processor completed it from (carried in its
//      effect): no store read per completed invocation. An invocation completed before it ever
//      ran (cancelled or refused in the inbox, its row deleted at once) is counted too.
import type { AttemptOutcome } from "@cairn/invoker";
import type { AttemptSpan, InvocationTracer, OpenCommandSpans, WorkerMetrics } from "@cairn/telemetry";
import type { InvocationOutcome } from "./contract.js";
import type { CompletedRow } from "./processor.js";

/** The worker's telemetry, shared by its partitions. */
export interface WorkerTelemetry {
  metrics: WorkerMetrics;
  tracer: InvocationTracer | undefined;
}

export class PartitionTelemetry {
  readonly #partition: string;
  readonly #metrics: WorkerMetrics;
  readonly #tracer: InvocationTracer | undefined;
  readonly #open: OpenCommandSpans | undefined;

  constructor(partition: number, telemetry: WorkerTelemetry) {
    this.#partition = String(partition);
    this.#metrics = telemetry.metrics;
    this.#tracer = telemetry.tracer;
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
   * Invocations completed in one applied batch (live only: replay has no effects, R2), each with
   * the row the processor completed it from (PT5) and its completion time.
   * `failuresOf`: the durable failed-attempt counter of an invocation (the floor of its attempts).
   */
  completed(
    list: readonly { id: string; outcome: InvocationOutcome; row: CompletedRow; at: number }[],
    failuresOf: (id: string) => number = () => 0,
  ): void {
    for (const { id, outcome, row, at } of list) {
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
          at,
          failuresOf(id),
          this.#open,
        );
      } catch {
        // PT2
      }
    }
  }
}
