// Errors of @cairn/telemetry, each with a stable string code.

export abstract class TelemetryError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A tracing endpoint that is not an http(s) URL, or another bad option. */
export class TelemetryConfigError extends TelemetryError {
  readonly code = "ERR_TELEMETRY_CONFIG";
}
/** A `traceparent` header that does not follow W3C Trace Context. */
export class TraceContextError extends TelemetryError {
  readonly code = "ERR_TELEMETRY_TRACE_CONTEXT";
}
/** A body that is not an OTLP ExportTraceServiceRequest (protobuf wire format). */
export class OtlpDecodeError extends TelemetryError {
  readonly code = "ERR_TELEMETRY_OTLP_DECODE";
}

/** Every error class with its code, for the table-driven test. */
export const telemetryErrorClasses = [TelemetryConfigError, TraceContextError, OtlpDecodeError] as const;
