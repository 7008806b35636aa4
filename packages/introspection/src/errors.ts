// Errors of SQL introspection: one class per failure mode with a stable string code and the HTTP
// status the admin API answers it with. They cross the query-process boundary as
// `{ code, message }` and are rebuilt from `introspectionErrorFromWire` (C3 of the partition
// contract, same habit).

export abstract class IntrospectionError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The SQL does not parse, names an unknown table or column, or is not a single read-only query. */
export class QueryInvalidError extends IntrospectionError {
  readonly code = "ERR_QUERY_INVALID";
  readonly status = 400;
}

/** The query returned more rows (or bytes) than the configured limit. */
export class QueryTooLargeError extends IntrospectionError {
  readonly code = "ERR_QUERY_TOO_LARGE";
  readonly status = 400;
}

/** The answer format asked for in `accept` is not one this server writes. */
export class QueryFormatNotAcceptableError extends IntrospectionError {
  readonly code = "ERR_QUERY_NOT_ACCEPTABLE";
  readonly status = 406;
}

/** The query ran past the time limit; its process was killed. */
export class QueryTimeoutError extends IntrospectionError {
  readonly code = "ERR_QUERY_TIMEOUT";
  readonly status = 408;
}

/** Too many queries are waiting; retry later. */
export class QueryOverloadedError extends IntrospectionError {
  readonly code = "ERR_QUERY_OVERLOADED";
  readonly status = 429;
}

/** The query engine is closed, or its process could not start or died. */
export class QueryUnavailableError extends IntrospectionError {
  readonly code = "ERR_QUERY_UNAVAILABLE";
  readonly status = 503;
}

/** A failure of the query process that is none of the above. */
export class QueryInternalError extends IntrospectionError {
  readonly code = "ERR_QUERY_INTERNAL";
  readonly status = 500;
}

const byCode: Record<string, new (message: string) => IntrospectionError> = {
  ERR_QUERY_INVALID: QueryInvalidError,
  ERR_QUERY_TOO_LARGE: QueryTooLargeError,
  ERR_QUERY_NOT_ACCEPTABLE: QueryFormatNotAcceptableError,
  ERR_QUERY_TIMEOUT: QueryTimeoutError,
  ERR_QUERY_OVERLOADED: QueryOverloadedError,
  ERR_QUERY_UNAVAILABLE: QueryUnavailableError,
  ERR_QUERY_INTERNAL: QueryInternalError,
};

/** Rebuilds an error sent by the query process; an unknown code becomes a QueryInternalError. */
export function introspectionErrorFromWire(wire: { code: string; message: string }): IntrospectionError {
  const Class = byCode[wire.code] ?? QueryInternalError;
  return new Class(wire.message);
}
