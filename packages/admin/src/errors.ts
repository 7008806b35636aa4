// Errors of the admin API: one class per failure mode with a stable string code, the HTTP status
// it answers with and, where restate-server has one, its `restate_code` (the CLI and UI show it).
// The body is always `{"message": "...", "restate_code": "META0003" | null}`.

export abstract class AdminError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** restate-server's error code for the same failure, if it has one. */
  readonly restateCode: string | null = null;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed request: bad JSON, a missing or mistyped field, a bad URI. */
export class BadRequestError extends AdminError {
  readonly code = "ERR_ADMIN_BAD_REQUEST";
  readonly status = 400;
}

/** `/v1/…` or `/vN/…` outside the versions served. */
export class UnsupportedApiVersionError extends AdminError {
  readonly code = "ERR_ADMIN_UNSUPPORTED_API_VERSION";
  readonly status = 400;
}

/** The deployment answered, but with a manifest Cairn cannot accept. */
export class InvalidDeploymentError extends AdminError {
  readonly code = "ERR_ADMIN_INVALID_DEPLOYMENT";
  readonly status = 400;
  override readonly restateCode: string | null;

  constructor(message: string, restateCode: string | null, options?: ErrorOptions) {
    super(message, options);
    this.restateCode = restateCode;
  }
}

/** Unknown deployment, service, handler or route. */
export class NotFoundError extends AdminError {
  readonly code = "ERR_ADMIN_NOT_FOUND";
  readonly status = 404;
}

/** The route exists, not with this method. */
export class MethodNotAllowedError extends AdminError {
  readonly code = "ERR_ADMIN_METHOD_NOT_ALLOWED";
  readonly status = 405;

  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }
}

/** The registration conflicts with what is registered (same URI with other services, a breaking change). */
export class ConflictError extends AdminError {
  readonly code = "ERR_ADMIN_CONFLICT";
  readonly status = 409;
}

/** The request body is over `adminRequestBodyBytesMax`. */
export class PayloadTooLargeError extends AdminError {
  readonly code = "ERR_ADMIN_PAYLOAD_TOO_LARGE";
  readonly status = 413;
}

/** Too many registrations waiting; retry later. */
export class OverloadedError extends AdminError {
  readonly code = "ERR_ADMIN_OVERLOADED";
  readonly status = 429;
}

/** The deployment could not be reached or did not answer discovery properly. */
export class DiscoveryError extends AdminError {
  readonly code = "ERR_ADMIN_DISCOVERY_FAILED";
  readonly status = 500;
  override readonly restateCode = "META0003";
}

/** A part of restate-server's admin API that Cairn does not serve yet. */
export class NotImplementedError extends AdminError {
  readonly code = "ERR_ADMIN_NOT_IMPLEMENTED";
  readonly status = 501;
}

/** The metadata file exists but cannot be read back; the server refuses to start on it. */
export class MetadataCorruptError extends AdminError {
  readonly code = "ERR_ADMIN_METADATA_CORRUPT";
  readonly status = 500;
}

/** The answer format the request's `accept` asks for is not one the route writes. */
export class NotAcceptableError extends AdminError {
  readonly code = "ERR_ADMIN_NOT_ACCEPTABLE";
  readonly status = 406;
}

/** The request ran past a time limit of the server (a SQL query past its limit). */
export class RequestTimeoutError extends AdminError {
  readonly code = "ERR_ADMIN_REQUEST_TIMEOUT";
  readonly status = 408;
}

/** A part of the server the route needs is not available (closed, restarting); retry later. */
export class UnavailableError extends AdminError {
  readonly code = "ERR_ADMIN_UNAVAILABLE";
  readonly status = 503;
}
