// Limits and defaults of @cairn/telemetry, one place for every bound (D5). Units are in the names.

/** Finished spans waiting for export per worker; past it spans are dropped and counted. */
export const spanQueueMax = 8_192;
/** Bytes of encoded spans waiting for export per worker; past it spans are dropped and counted. */
export const spanQueueBytesMax = 16 * 1024 * 1024;
/** Spans in one OTLP export request. */
export const spanBatchMax = 512;
/** A partly filled batch is exported after this long. */
export const spanFlushIntervalMs = 1_000;
/** One OTLP export request may take this long before it counts as failed (its spans are dropped). */
export const exportTimeoutMs = 10_000;
/** Attribute values longer than this are cut (error messages, stack traces). */
export const attributeValueCharsMax = 4_096;
/** Journal-command spans recorded per attempt; further commands only increment a counter attribute. */
export const commandSpansPerAttemptMax = 1_000;
/** Command spans (sleep, call, …) of one partition kept open until their completion; past it they end at once, counted. */
export const openCommandSpansMax = 10_000;
/** Services, and handlers per service, whose span names the tracer keeps made (per worker). */
export const handlerNamesMax = 1_000;
/** Invocations whose attempt count is remembered for their invocation span (per worker). */
export const trackedInvocationsMax = 100_000;

/** Attempt and append latency histogram bounds, in seconds (1 ms … 30 s, roughly ×2.5). */
export const latencyBucketsSeconds: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]);
/** Batch-size histogram bounds (records per group commit or apply transaction). */
export const batchSizeBuckets: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);

/** Distinct label sets one metric keeps; past it new series go to one `_overflow` series (D5). */
export const seriesPerMetricMax = 10_000;
/** Event-loop delay sampling resolution of `monitorEventLoopDelay`. */
export const eventLoopResolutionMs = 20;

if (spanBatchMax > spanQueueMax) throw new Error("spanBatchMax exceeds spanQueueMax");
for (let i = 1; i < latencyBucketsSeconds.length; i++) {
  if ((latencyBucketsSeconds[i] as number) <= (latencyBucketsSeconds[i - 1] as number)) throw new Error("latency buckets must increase");
}
