// A bounded batching span processor: finished spans wait in one array of at most `queueMax`
// spans and leave in batches of `batchMax`, one export request at a time.
//
// Owns: the queue of finished spans of one thread, its timer, the drop and export counters.
// Does not own: encoding and sending (the SpanExporter).
//
// Q1. The queue never holds more than queueMax spans; a span that finds it full is dropped and
//     counted (`dropped`). Ending a span never waits on I/O: onEnd only pushes to the array.
// Q2. At most one export is in flight; its spans have left the queue. A failed or timed-out export
//     drops its spans (counted in `failedSpans`) — traces are telemetry, not data.
// Q3. The flush timer is unref'd: a queue with spans in it never keeps a process or thread alive.
// Q4. Encoding and sending never run inside onEnd (on the invocation path): a full batch is
//     kicked from an immediate, after the work that ended the span.
//
// Why not the SDK's BatchSpanProcessor: it drops silently past its queue size, and the drop count
// is one of the figures /metrics must show.
import type { Context } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface SpanQueueOptions {
  queueMax: number;
  batchMax: number;
  flushIntervalMs: number;
  exportTimeoutMs: number;
}

export interface SpanQueueStats {
  /** Spans handed to the exporter and acknowledged by the receiver. */
  exported: number;
  /** Spans dropped because the queue was full (Q1). */
  dropped: number;
  /** Spans lost in failed or timed-out exports (Q2). */
  failedSpans: number;
  /** Spans waiting now. */
  queued: number;
}

export class SpanQueue implements SpanProcessor {
  readonly #exporter: SpanExporter;
  readonly #options: SpanQueueOptions;
  #queue: ReadableSpan[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #exporting: Promise<void> | undefined;
  #closed = false;
  readonly #stats = { exported: 0, dropped: 0, failedSpans: 0 };

  constructor(exporter: SpanExporter, options: SpanQueueOptions) {
    this.#exporter = exporter;
    this.#options = options;
  }

  stats(): SpanQueueStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#options.queueMax) {
      this.#stats.dropped += 1; // Q1
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#options.batchMax) {
      if (this.#immediate === undefined && this.#exporting === undefined) {
        this.#immediate = setImmediate(() => {
          this.#immediate = undefined;
          this.#kick();
        }); // Q4
        this.#immediate.unref();
      }
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, this.#options.flushIntervalMs);
      this.#timer.unref(); // Q3
    }
  }

  /** Exports everything queued now (and waits for the export in flight). */
  async forceFlush(): Promise<void> {
    while (this.#exporting !== undefined || this.#queue.length > 0) {
      if (this.#exporting === undefined) this.#kick();
      await this.#exporting;
    }
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    await this.forceFlush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    await this.#exporter.shutdown();
  }

  #kick(): void {
    if (this.#exporting !== undefined || this.#queue.length === 0) return;
    const batch = this.#queue.length <= this.#options.batchMax ? this.#queue : this.#queue.slice(0, this.#options.batchMax);
    this.#queue = batch === this.#queue ? [] : this.#queue.slice(this.#options.batchMax);
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#exporting = this.#export(batch).finally(() => {
      this.#exporting = undefined;
      if (this.#queue.length >= this.#options.batchMax) this.#kick();
      else if (this.#queue.length > 0 && this.#timer === undefined && !this.#closed) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#kick();
        }, this.#options.flushIntervalMs);
        this.#timer.unref();
      }
    });
  }

  #export(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const timer = setTimeout(() => finish({ code: ExportResultCode.FAILED }), this.#options.exportTimeoutMs);
      timer.unref();
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result.code === ExportResultCode.SUCCESS) this.#stats.exported += batch.length;
        else this.#stats.failedSpans += batch.length; // Q2
        resolve();
      };
      try {
        this.#exporter.export(batch, finish);
      } catch {
        finish({ code: ExportResultCode.FAILED });
      }
    });
  }
}
