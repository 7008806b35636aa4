// Errors of the ingress: one class per failure mode, each with a stable string code and the HTTP
// status it answers with. The body is always `{code, message, source: "ingress"}` with
// `x-restate-error-source: ingress` (RESTATE-PROTOCOL.md §6.5). A dispatcher (the server's
// routing to partition workers) throws these too, so overload and unavailability map to 429 and
// 503 without the ingress knowing about workers.

export abstract class IngressError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INGRESS_NOT_FOUND`. */
  abstract readonly code: string;
  /** HTTP status of the answer. */
  abstract readonly status: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed request: bad path encoding, bad header value, unsupported query parameter. */
export class BadRequestError extends IngressError {
  readonly code = "ERR_INGRESS_BAD_REQUEST";
  readonly status = 400;
}

/** The body or its content type does not match what the handler declares (§5.2). */
export class InvalidInputError extends IngressError {
  readonly code = "ERR_INGRESS_INVALID_INPUT";
  readonly status = 400;
}

/** `?delay=` that is not a duration, is negative, too long, or is given on a call. */
export class InvalidDelayError extends IngressError {
  readonly code = "ERR_INGRESS_INVALID_DELAY";
  readonly status = 400;
}

/** The service or handler is registered as ingress-private. */
export class PrivateServiceError extends IngressError {
  readonly code = "ERR_INGRESS_PRIVATE_SERVICE";
  readonly status = 400;
}

/** Unknown route, service or handler. */
export class NotFoundError extends IngressError {
  readonly code = "ERR_INGRESS_NOT_FOUND";
  readonly status = 404;
}

/** The route exists but not with this method. */
export class MethodNotAllowedError extends IngressError {
  readonly code = "ERR_INGRESS_METHOD_NOT_ALLOWED";
  readonly status = 405;
}

/** The request body is over `requestBodyBytesMax`. */
export class PayloadTooLargeError extends IngressError {
  readonly code = "ERR_INGRESS_PAYLOAD_TOO_LARGE";
  readonly status = 413;
}

/** A bound was reached (in-flight requests, buffered bytes, a partition's queue); retry later. */
export class OverloadedError extends IngressError {
  readonly code = "ERR_INGRESS_OVERLOADED";
  readonly status = 429;
}

/** Part of the ingress API this server does not implement yet. */
export class NotImplementedError extends IngressError {
  readonly code = "ERR_INGRESS_NOT_IMPLEMENTED";
  readonly status = 501;
}

/** The partition that owns the invocation cannot take it now (starting, restarting, closing). */
export class UnavailableError extends IngressError {
  readonly code = "ERR_INGRESS_UNAVAILABLE";
  readonly status = 503;
}

/** A broken expectation inside the server; the message says what. */
export class InternalError extends IngressError {
  readonly code = "ERR_INGRESS_INTERNAL";
  readonly status = 500;
}

/** `implementation: "uws"` was asked for but no native build loads here. Not an HTTP answer. */
export class UnsupportedImplementationError extends IngressError {
  readonly code = "ERR_INGRESS_UWS_UNAVAILABLE";
  readonly status = 500;
}
