// A bounded batching span processor: finished spans wait in batches of at most `batchMax`, at
// most `queueMax` spans (and, encoded, `queueBytesMax` bytes) in all, and leave one export request
// at a time.
//
// Owns: the batches of finished spans of one thread, its timer, the drop and export counters.
// Does not own: encoding (EncodedSpanBatch) and sending (the SpanExporter).
//
// Q1. The queue never holds more than queueMax spans nor (encoded) queueBytesMax bytes; a span
//     that finds it full is dropped and counted (`dropped`). Ending a span never waits on I/O.
// Q2. At most one export is in flight; its spans have left the queue. A failed or timed-out export
//     drops its spans (counted in `failedSpans`) — traces are telemetry, not data.
// Q3. The flush timer is unref'd: a queue with spans in it never keeps a process or thread alive.
// Q4. Sending never runs inside onEnd (on the invocation path): a full batch leaves from an
//     immediate, after the work that ended the span. With an exporter that takes encoded requests
//     (OtlpProtoExporter), onEnd encodes the one span that ended into its batch (E3 in
//     otlp-exporter.ts: bounded work, and the span object is garbage at once); with any other
//     SpanExporter the span objects wait and the exporter encodes the batch.
//
// Why not the SDK's BatchSpanProcessor: it drops silently past its queue size, and the drop count
// is one of the figures /metrics must show; and it keeps span objects alive until export.
import type { Context } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { EncodedSpanBatch, type EncodedSpanExporter } from "./otlp-exporter.js";

export interface SpanQueueOptions {
  queueMax: number;
  batchMax: number;
  flushIntervalMs: number;
  exportTimeoutMs: number;
  /** Bytes of encoded spans waiting at most (encoding exporters only); default unbounded by bytes. */
  queueBytesMax?: number;
}

export interface SpanQueueStats {
  /** Spans handed to the exporter and acknowledged by the receiver. */
  exported: number;
  /** Spans dropped because the queue was full (Q1). */
  dropped: number;
  /** Spans lost in failed or timed-out exports, or that could not be encoded (Q2). */
  failedSpans: number;
  /** Spans waiting now. */
  queued: number;
}

/** Span objects waiting for an exporter that encodes them itself. */
class SpanList {
  readonly spans: ReadableSpan[] = [];
  count = 0;
  readonly bytes = 0;
  add(span: ReadableSpan): void {
    this.spans.push(span);
    this.count += 1;
  }
}

type Batch = EncodedSpanBatch | SpanList;

function isEncoding(exporter: SpanExporter): exporter is EncodedSpanExporter {
  return typeof (exporter as Partial<EncodedSpanExporter>).sendEncoded === "function";
}

/** Initial buffer of an encoded batch; later ones start at the size of the last full batch. */
const batchCapacityBytes = 64 * 1024;
const batchCapacityBytesMax = 8 * 1024 * 1024;

export class SpanQueue implements SpanProcessor {
  readonly #exporter: SpanExporter;
  readonly #encoding: EncodedSpanExporter | undefined;
  readonly #options: SpanQueueOptions;
  readonly #queueBytesMax: number;
  /** Oldest first; only the last one may still fill. */
  #batches: Batch[] = [];
  #queued = 0;
  #queuedBytes = 0;
  #capacityBytes = batchCapacityBytes;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #exporting: Promise<void> | undefined;
  #closed = false;
  readonly #stats = { exported: 0, dropped: 0, failedSpans: 0 };

  constructor(exporter: SpanExporter, options: SpanQueueOptions) {
    this.#exporter = exporter;
    this.#encoding = isEncoding(exporter) ? exporter : undefined;
    this.#options = options;
    this.#queueBytesMax = options.queueBytesMax ?? Number.POSITIVE_INFINITY;
  }

  stats(): SpanQueueStats {
    return { ...this.#stats, queued: this.#queued };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#closed) return;
    if (this.#queued >= this.#options.queueMax || this.#queuedBytes >= this.#queueBytesMax) {
      this.#stats.dropped += 1; // Q1
      return;
    }
    let batch = this.#batches[this.#batches.length - 1];
    if (batch === undefined || batch.count >= this.#options.batchMax) {
      batch = this.#encoding === undefined ? new SpanList() : new EncodedSpanBatch(this.#capacityBytes);
      this.#batches.push(batch);
    }
    const bytesBefore = batch.bytes;
    try {
      batch.add(span);
    } catch {
      this.#stats.failedSpans += 1; // a span that cannot be encoded is lost, not the batch
      return;
    }
    this.#queued += 1;
    this.#queuedBytes += batch.bytes - bytesBefore;
    if (batch.count >= this.#options.batchMax) {
      if (this.#immediate === undefined && this.#exporting === undefined) {
        this.#immediate = setImmediate(() => {
          this.#immediate = undefined;
          this.#kick();
        }); // Q4
        this.#immediate.unref();
      }
    } else if (this.#timer === undefined) {
      this.#armTimer();
    }
  }

  /** Exports everything queued now (and waits for the export in flight). */
  async forceFlush(): Promise<void> {
    while (this.#exporting !== undefined || this.#queued > 0) {
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

  #armTimer(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, this.#options.flushIntervalMs);
    this.#timer.unref(); // Q3
  }

  #kick(): void {
    if (this.#exporting !== undefined) return;
    const batch = this.#batches.shift();
    if (batch === undefined) return;
    this.#queued -= batch.count;
    this.#queuedBytes -= batch.bytes;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#exporting = this.#export(batch).finally(() => {
      this.#exporting = undefined;
      const next = this.#batches[0];
      if (next !== undefined && next.count >= this.#options.batchMax) this.#kick();
      else if (next !== undefined && this.#timer === undefined && !this.#closed) this.#armTimer();
    });
  }

  #export(batch: Batch): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const timer = setTimeout(() => finish({ code: ExportResultCode.FAILED }), this.#options.exportTimeoutMs);
      timer.unref();
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result.code === ExportResultCode.SUCCESS) this.#stats.exported += batch.count;
        else this.#stats.failedSpans += batch.count; // Q2
        resolve();
      };
      try {
        if (batch instanceof SpanList) {
          this.#exporter.export(batch.spans, finish);
          return;
        }
        const full = batch.count >= this.#options.batchMax;
        const body = batch.finish();
        if (full) this.#capacityBytes = Math.min(batchCapacityBytesMax, Math.max(batchCapacityBytes, body.length + 1024));
        (this.#encoding as EncodedSpanExporter).sendEncoded(body, finish);
      } catch {
        finish({ code: ExportResultCode.FAILED });
      }
    });
  }
}
