// Public API of @cairn/telemetry/tracing: the invocation tracer on OpenTelemetry's SDK, its
// bounded span queue and the OTLP/HTTP protobuf exporter. A separate entry point so that servers
// with tracing off never load OpenTelemetry (see index.ts).
export { InvocationTracer, AttemptSpan, OpenCommandSpans, attr, describeCommand } from "./invocation-tracer.js";
export { SpanQueue } from "./span-queue.js";
export { EncodedSpanBatch, OtlpProtoExporter, encodeTraceExportRequest } from "./otlp-exporter.js";
export type { EncodedSpanExporter } from "./otlp-exporter.js";
