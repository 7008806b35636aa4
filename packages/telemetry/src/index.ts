// Public API of @cairn/telemetry: every export is listed by name. The tracer and its exporter
// (OpenTelemetry's SDK, ~150 ms to load) live behind the `@cairn/telemetry/tracing` entry point,
// loaded only where tracing is on; this entry point is what every server thread loads.
export type { AttemptSpan, OpenCommandSpans, InvocationTracer } from "./invocation-tracer.js";
export type { AttemptEnd, InvocationEnd, InvocationFacts, TracerStats, TracingOptions } from "./invocation-tracer.js";
export type { OtlpProtoExporterOptions } from "./otlp-exporter.js";
export type { SpanQueueOptions, SpanQueueStats } from "./span-queue.js";
export {
  tracesUrl,
  calleeTraceparent,
  formatTraceparent,
  invocationParent,
  invocationSpanId,
  invocationTraceId,
  parseTraceparent,
  tryParseTraceparent,
} from "./trace-context.js";
export type { TraceParent } from "./trace-context.js";
export { Counter, Gauge, Histogram, Registry, mergeSnapshots, parsePrometheus, renderPrometheus } from "./metrics.js";
export type { MetricSnapshot, MetricType, ParsedSample, SeriesSnapshot } from "./metrics.js";
export { WorkerMetrics } from "./worker-metrics.js";
export type { AttemptOutcomeLabel, PartitionDepths } from "./worker-metrics.js";
export { MainMetrics, eventLoopMonitor } from "./process-metrics.js";
export { isLogLevel, jsonLogger, levelEnabled, logLevels } from "./json-logger.js";
export type { LogLevel, Logger } from "./json-logger.js";
export { decodeTraceExportRequest, startOtlpReceiver } from "./otlp-receiver.js";
export type { AttributeValue, OtlpReceiver, OtlpReceiverOptions, ReceivedSpan } from "./otlp-receiver.js";
export { OtlpDecodeError, TelemetryConfigError, TelemetryError, TraceContextError, telemetryErrorClasses } from "./errors.js";
export {
  batchSizeBuckets,
  commandSpansPerAttemptMax,
  exportTimeoutMs,
  latencyBucketsSeconds,
  openCommandSpansMax,
  seriesPerMetricMax,
  spanBatchMax,
  spanFlushIntervalMs,
  spanQueueMax,
} from "./constants.js";
