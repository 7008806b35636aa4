// Errors of @cairn/server: failures to start (bad options, a data directory that cannot be used)
// and of the worker threads. Each has a stable string code.

export abstract class ServerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option is out of range or inconsistent with another. */
export class InvalidOptionsError extends ServerError {
  readonly code = "ERR_SERVER_INVALID_OPTIONS";
}

/** The data directory cannot be created, read or written, or its metadata is damaged. */
export class DataDirError extends ServerError {
  readonly code = "ERR_SERVER_DATA_DIR";
}

/** The data directory was created with another partition count; it is fixed for its life. */
export class PartitionCountMismatchError extends ServerError {
  readonly code = "ERR_SERVER_PARTITION_COUNT_MISMATCH";
}

/** Another live server process holds the data directory. */
export class DataDirLockedError extends ServerError {
  readonly code = "ERR_SERVER_DATA_DIR_LOCKED";
}

/** A worker thread could not open its partitions at start. */
export class WorkerStartError extends ServerError {
  readonly code = "ERR_SERVER_WORKER_START";
}
