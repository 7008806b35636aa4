// Errors of @cairn/sdk.
//
// Two families:
//   - user-facing errors with Restate semantics (`TerminalError` ends the invocation and is never
//     retried; `RetryableError` asks for a retry, optionally after a delay). Their numeric `code`
//     is the failure code written on the wire (HTTP-like, default 500), as in the official SDK, so
//     ported code that reads `e.code` keeps working;
//   - SDK/protocol errors that end an attempt with an `ErrorMessage` (journal mismatch 570,
//     protocol violation 571, unsupported feature 573) or reject a request (bad identity, unknown
//     route).
// Every class carries a stable string `codeName` (`ERR_SDK_…`); `code` stays numeric for the reason
// above. `test/errors.test.ts` walks this table.
import type { Duration } from "./duration.js";

export const INTERNAL_ERROR_CODE = 500;
export const TIMEOUT_ERROR_CODE = 408;
export const CANCEL_ERROR_CODE = 409;
export const JOURNAL_MISMATCH_CODE = 570;
export const PROTOCOL_VIOLATION_CODE = 571;
export const UNSUPPORTED_FEATURE_CODE = 573;

export interface RestateErrorOptions {
  errorCode?: number;
  cause?: unknown;
}

/** Base class of every error this SDK defines. */
export class RestateError extends Error {
  readonly code: number;
  readonly codeName: string = "ERR_SDK_RESTATE";
  override name = "RestateError";

  constructor(message: string, options?: RestateErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.errorCode ?? INTERNAL_ERROR_CODE;
  }
}

export interface TerminalErrorOptions {
  errorCode?: number;
  metadata?: Record<string, string>;
  cause?: unknown;
}

/** Ends the invocation with a failure; never retried. */
export class TerminalError extends RestateError {
  override readonly codeName: string = "ERR_SDK_TERMINAL";
  override name = "TerminalError";
  readonly metadata: Record<string, string>;

  constructor(message: string, options?: TerminalErrorOptions) {
    super(message, {
      ...(options?.errorCode === undefined ? {} : { errorCode: options.errorCode }),
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.metadata = options?.metadata ?? {};
  }
}

/** The invocation (or the awaited operation) was cancelled: code 409. */
export class CancelledError extends TerminalError {
  override readonly codeName: string = "ERR_SDK_CANCELLED";
  override name = "CancelledError";
  constructor() {
    super("Cancelled", { errorCode: CANCEL_ERROR_CODE });
  }
}

/** `orTimeout` expired: code 408. */
export class TimeoutError extends TerminalError {
  override readonly codeName: string = "ERR_SDK_TIMEOUT";
  override name = "TimeoutError";
  constructor() {
    super("Timeout occurred", { errorCode: TIMEOUT_ERROR_CODE });
  }
}

export interface RetryableErrorOptions {
  errorCode?: number;
  /** Retry no sooner than this (ms or a Duration). */
  retryAfter?: Duration | number;
  cause?: unknown;
}

/** Fails this attempt; the runtime retries (after `retryAfter` when given). */
export class RetryableError extends RestateError {
  override readonly codeName: string = "ERR_SDK_RETRYABLE";
  override name = "RetryableError";
  readonly retryAfter: Duration | number | undefined;

  constructor(message: string, options?: RetryableErrorOptions) {
    super(message, {
      ...(options?.errorCode === undefined ? {} : { errorCode: options.errorCode }),
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.retryAfter = options?.retryAfter;
  }

  static from(cause: unknown, options?: RetryableErrorOptions): RetryableError {
    const error = ensureError(cause);
    const code = error instanceof RestateError ? error.code : undefined;
    return new RetryableError(error.message, { ...(code === undefined ? {} : { errorCode: code }), cause, ...options });
  }
}

/** Replayed journal and handler code disagree: code 570, names the command. */
export class JournalMismatchError extends RestateError {
  override readonly codeName: string = "ERR_SDK_JOURNAL_MISMATCH";
  override name = "JournalMismatchError";
  constructor(
    message: string,
    readonly commandIndex: number,
    readonly commandType: number,
    readonly commandName: string,
  ) {
    super(message, { errorCode: JOURNAL_MISMATCH_CODE });
  }
}

/** The runtime sent something the protocol does not allow here: code 571. */
export class ProtocolViolationError extends RestateError {
  override readonly codeName: string = "ERR_SDK_PROTOCOL_VIOLATION";
  override name = "ProtocolViolationError";
  constructor(message: string) {
    super(message, { errorCode: PROTOCOL_VIOLATION_CODE });
  }
}

/** The handler used a feature the negotiated protocol version lacks: code 573. */
export class UnsupportedFeatureError extends RestateError {
  override readonly codeName: string = "ERR_SDK_UNSUPPORTED_FEATURE";
  override name = "UnsupportedFeatureError";
  constructor(message: string) {
    super(message, { errorCode: UNSUPPORTED_FEATURE_CODE });
  }
}

/** A request to the endpoint itself is rejected before any protocol starts (HTTP status). */
export class EndpointRequestError extends RestateError {
  override readonly codeName: string = "ERR_SDK_ENDPOINT_REQUEST";
  override name = "EndpointRequestError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, { errorCode: status });
  }
}

/** A definition (service, handler, option) is invalid; thrown at bind time. */
export class DefinitionError extends RestateError {
  override readonly codeName: string = "ERR_SDK_DEFINITION";
  override name = "DefinitionError";
}

/** Turns any thrown value into an Error, keeping RestateError subclasses. */
export function ensureError(e: unknown, asTerminalError?: (error: unknown) => TerminalError | undefined): Error {
  if (e instanceof TerminalError) return e;
  const mapped = asTerminalError?.(e);
  if (mapped !== undefined) return mapped;
  if (e instanceof Error) return e;
  if (typeof e === "object" && e !== null && "message" in e && typeof (e).message === "string") {
    const code = (e as { code?: unknown }).code;
    return new RestateError((e as { message: string }).message, typeof code === "number" ? { errorCode: code } : undefined);
  }
  let text: string;
  try {
    text = JSON.stringify(e);
  } catch {
    text = "(no JSON representation)";
  }
  return new Error(`Non-Error value thrown: ${text}`);
}
