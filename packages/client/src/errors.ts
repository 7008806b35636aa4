// Errors of @cairn/client. Each class has a stable string `code`; `status` carries the HTTP
// status where there is one. `test/errors.test.ts` walks this table.

export class ClientError extends Error {
  readonly code: string = "ERR_CLIENT";
  override name = "ClientError";
}

/** The ingress answered with a non-2xx status. */
export class HttpCallError extends ClientError {
  override readonly code: string = "ERR_CLIENT_HTTP_CALL";
  override name = "HttpCallError";
  constructor(
    readonly status: number,
    readonly responseText: string,
    message: string,
    /** `invocation` when the handler itself failed (terminal error), `ingress` otherwise. */
    readonly source: string | undefined,
    readonly metadata: Record<string, string> | undefined,
  ) {
    super(message);
  }
}

/** The request never got an answer (connection refused, reset, aborted). */
export class ConnectionError extends ClientError {
  override readonly code: string = "ERR_CLIENT_CONNECTION";
  override name = "ConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The answer could not be understood (bad JSON from send, missing fields). */
export class ResponseFormatError extends ClientError {
  override readonly code: string = "ERR_CLIENT_RESPONSE_FORMAT";
  override name = "ResponseFormatError";
}

/** A retry was asked for an operation that is not safe to repeat. */
export class UnsafeRetryError extends ClientError {
  override readonly code: string = "ERR_CLIENT_UNSAFE_RETRY";
  override name = "UnsafeRetryError";
}
