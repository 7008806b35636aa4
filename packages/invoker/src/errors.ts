// Errors of @cairn/invoker. Every failure of an attempt is one of these, with a stable code; all
// are retryable by the invocation retry policy (Restate treats transport and protocol failures
// alike), except where `retryable` says otherwise.

export abstract class InvokerError extends Error {
  abstract readonly code: string;
  /** Whether the invocation retry policy should schedule another attempt. */
  readonly retryable: boolean = true;
}

/** The deployment could not be reached, or the connection broke mid-attempt. */
export class ConnectError extends InvokerError {
  readonly code = "ERR_INVOKER_CONNECT";
  constructor(origin: string, cause: unknown) {
    super(`cannot reach deployment ${origin}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The deployment answered with a non-2xx status before any frame. */
export class HttpStatusError extends InvokerError {
  readonly code = "ERR_INVOKER_HTTP_STATUS";
  constructor(
    readonly status: number,
    body: string,
    /** From `Retry-After` on 429/503, in ms. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`deployment answered HTTP ${status}${body.length > 0 ? `: ${body}` : ""}`);
  }
}

/** The response's content-type is not the negotiated protocol version. */
export class ContentTypeError extends InvokerError {
  readonly code = "ERR_INVOKER_CONTENT_TYPE";
  constructor(expected: string, got: string | undefined) {
    super(`deployment answered content-type ${got ?? "(none)"}, expected ${expected}`);
  }
}

/** A frame that does not decode, is too large, or is not allowed from an SDK. */
export class ProtocolViolationError extends InvokerError {
  readonly code = "ERR_INVOKER_PROTOCOL";
}

/** The response ended without End, Suspension or Error. */
export class MissingTerminalError extends InvokerError {
  readonly code = "ERR_INVOKER_NO_TERMINAL";
  constructor() {
    super("the deployment closed the stream without End, Suspension or Error");
  }
}

/** After the request was ended the deployment stayed silent for the abort timeout. */
export class AbortTimeoutError extends InvokerError {
  readonly code = "ERR_INVOKER_ABORT_TIMEOUT";
  constructor(timeoutMs: number) {
    super(`the deployment sent nothing for ${timeoutMs} ms after the request was closed; attempt aborted`);
  }
}

/** The attempt was aborted by its owner (kill, close, shutdown). Not retried by the invoker. */
export class AttemptAbortedError extends InvokerError {
  readonly code = "ERR_INVOKER_ABORTED";
  override readonly retryable = false;
}

/** No protocol version is shared between the deployment and this invoker. */
export class UnsupportedProtocolVersionError extends InvokerError {
  readonly code = "ERR_INVOKER_PROTOCOL_VERSION";
  constructor(min: number, max: number) {
    super(`deployment speaks service protocol V${min}..V${max}; this server speaks V5..V7`);
  }
}

/**
 * The HTTP/2 connection to a deployment failed: socket error or close, a protocol error of either
 * side, or a GOAWAY that refused the stream. Every stream on the connection gets one; retryable.
 */
export class H2cConnectionError extends InvokerError {
  readonly code = "ERR_INVOKER_H2C_CONNECTION";
  constructor(
    message: string,
    /** The HTTP/2 error code (RFC 9113 §7) when one was sent or received. */
    readonly h2Code: number | undefined = undefined,
  ) {
    super(message);
  }
}

/** One HTTP/2 stream failed: RST_STREAM from the deployment, a stream error, or its queue bound. */
export class H2cStreamError extends InvokerError {
  readonly code = "ERR_INVOKER_H2C_STREAM";
  constructor(
    message: string,
    readonly h2Code: number,
  ) {
    super(message);
  }
}
