// Typed errors of @cairn/log. Every failure mode is one class with a stable `code`; callers branch
// on the class (or on `code` once the error has crossed a thread boundary) and never on messages.
// `retryable` says whether the same call may succeed later without anyone repairing anything.

/** Base class of every error this package throws or rejects with. */
export abstract class LogError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  /** The form in which an error crosses a worker-thread boundary; see `logErrorFromWire`. */
  toWire(): LogErrorWire {
    return { code: this.code, message: this.message, stack: this.stack ?? "" };
  }
}

export interface LogErrorWire {
  code: string;
  message: string;
  stack: string;
}

/**
 * A record read from disk failed its checksum, carried the wrong LSN, or was cut short, somewhere
 * recovery does not repair (an older chunk, or the durable part of the active one), or the chunk
 * files and metadata contradict each other. The log's contents are damaged; nothing is skipped.
 */
export class LogCorruptionError extends LogError {
  readonly code = "ERR_LOG_CORRUPT_RECORD";
  readonly retryable = false;
  constructor(
    /** The damaged file (absolute path). */
    readonly file: string,
    /** Byte offset in `file` where the damage starts. */
    readonly offset: number,
    /** What is wrong, e.g. "checksum mismatch". */
    readonly reason: string,
  ) {
    super(`corrupt log: ${reason} in ${file} at offset ${offset}`);
    this.name = "LogCorruptionError";
  }
}

/** The log is sealed: it accepts no more appends, now or after a reopen. */
export class LogSealedError extends LogError {
  readonly code = "ERR_LOG_SEALED";
  readonly retryable = false;
  constructor(readonly tailLsn: number) {
    super(`log is sealed at LSN ${tailLsn}; appends are refused`);
    this.name = "LogSealedError";
  }
}

/** The log was closed (or is closing); the operation was not performed. */
export class LogClosedError extends LogError {
  readonly code = "ERR_LOG_CLOSED";
  readonly retryable = false;
  constructor() {
    super("log is closed");
    this.name = "LogClosedError";
  }
}

/**
 * The bytes appended but not yet durable would exceed `inFlightBytesMax` and the log was opened with
 * `backpressure: "reject"`. Retry after earlier appends have resolved (answer 429/503 upstream, D5).
 */
export class LogBackpressureError extends LogError {
  readonly code = "ERR_LOG_BACKPRESSURE";
  readonly retryable = true;
  constructor(
    readonly inFlightBytes: number,
    readonly inFlightBytesMax: number,
  ) {
    super(`log is saturated: ${inFlightBytes} bytes in flight, limit ${inFlightBytesMax}`);
    this.name = "LogBackpressureError";
  }
}

/** A payload is larger than `recordBytesMax`. */
export class LogRecordTooLargeError extends LogError {
  readonly code = "ERR_LOG_RECORD_TOO_LARGE";
  readonly retryable = false;
  constructor(
    readonly bytes: number,
    readonly recordBytesMax: number,
  ) {
    super(`record of ${bytes} bytes exceeds recordBytesMax ${recordBytesMax}`);
    this.name = "LogRecordTooLargeError";
  }
}

/** The frames of one `appendBatch` are larger than `batchBytesMax`. */
export class LogBatchTooLargeError extends LogError {
  readonly code = "ERR_LOG_BATCH_TOO_LARGE";
  readonly retryable = false;
  constructor(
    readonly bytes: number,
    readonly batchBytesMax: number,
  ) {
    super(`batch of ${bytes} bytes (framed) exceeds batchBytesMax ${batchBytesMax}`);
    this.name = "LogBatchTooLargeError";
  }
}

/** A read asked for an LSN at or below the trim point; those records are gone. */
export class LogTrimmedError extends LogError {
  readonly code = "ERR_LOG_TRIMMED";
  readonly retryable = false;
  constructor(
    readonly lsn: number,
    readonly trimPoint: number,
  ) {
    super(`LSN ${lsn} is trimmed (trim point ${trimPoint}); read from ${trimPoint + 1}`);
    this.name = "LogTrimmedError";
  }
}

/** An argument or option is out of its domain (not a safe integer LSN, inverted range, bad limit). */
export class LogInvalidArgumentError extends LogError {
  readonly code = "ERR_LOG_INVALID_ARGUMENT";
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "LogInvalidArgumentError";
  }
}

/** Another live writer holds the log directory (one writer per log). */
export class LogLockedError extends LogError {
  readonly code = "ERR_LOG_LOCKED";
  readonly retryable = true;
  constructor(
    readonly dir: string,
    readonly holder: string,
  ) {
    super(`log directory ${dir} is held by ${holder}`);
    this.name = "LogLockedError";
  }
}

/**
 * A write, fdatasync or file operation failed. The records of the failed batch are in an unknown
 * state (they may or may not survive a restart), so the log stops: every pending and later
 * operation rejects with this error, and the way forward is `close()` and `openLog()` again, whose
 * recovery settles what is on disk.
 */
export class LogIoError extends LogError {
  readonly code = "ERR_LOG_IO";
  readonly retryable = false;
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`log I/O failed during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "LogIoError";
  }
}

/** Every error class by its code, to rebuild errors that crossed a thread boundary. */
export const logErrorClasses = {
  ERR_LOG_CORRUPT_RECORD: LogCorruptionError,
  ERR_LOG_SEALED: LogSealedError,
  ERR_LOG_CLOSED: LogClosedError,
  ERR_LOG_BACKPRESSURE: LogBackpressureError,
  ERR_LOG_RECORD_TOO_LARGE: LogRecordTooLargeError,
  ERR_LOG_BATCH_TOO_LARGE: LogBatchTooLargeError,
  ERR_LOG_TRIMMED: LogTrimmedError,
  ERR_LOG_INVALID_ARGUMENT: LogInvalidArgumentError,
  ERR_LOG_LOCKED: LogLockedError,
  ERR_LOG_IO: LogIoError,
} as const;

export type LogErrorCode = keyof typeof logErrorClasses;

/**
 * Rebuilds an error from its wire form: an instance of the class registered for `code`, with the
 * original message and stack (class-specific fields are not carried). Unknown codes yield undefined.
 */
export function logErrorFromWire(wire: LogErrorWire): LogError | undefined {
  if (!Object.hasOwn(logErrorClasses, wire.code)) return undefined;
  const cls = logErrorClasses[wire.code as LogErrorCode];
  const error = Object.create(cls.prototype) as LogError;
  Object.defineProperty(error, "message", { value: wire.message, writable: true, configurable: true });
  Object.defineProperty(error, "stack", { value: wire.stack, writable: true, configurable: true });
  Object.defineProperty(error, "code", { value: wire.code, enumerable: true });
  Object.defineProperty(error, "retryable", { value: retryableByCode[wire.code as LogErrorCode] });
  Object.defineProperty(error, "name", { value: cls.name, writable: true, configurable: true });
  return error;
}

const retryableByCode: Record<LogErrorCode, boolean> = {
  ERR_LOG_CORRUPT_RECORD: false,
  ERR_LOG_SEALED: false,
  ERR_LOG_CLOSED: false,
  ERR_LOG_BACKPRESSURE: true,
  ERR_LOG_RECORD_TOO_LARGE: false,
  ERR_LOG_BATCH_TOO_LARGE: false,
  ERR_LOG_TRIMMED: false,
  ERR_LOG_INVALID_ARGUMENT: false,
  ERR_LOG_LOCKED: true,
  ERR_LOG_IO: false,
};
