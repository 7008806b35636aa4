// Errors of @cairn/partition. Each has a stable string code; errors crossing the worker boundary
// travel as WireError { code, message, stack } (C3) and are rebuilt with `partitionErrorFromWire`.
import type { WireError } from "./contract.js";

export abstract class PartitionError extends Error {
  abstract readonly code: string;
  /** Structured-clone-safe form for the worker boundary (C3). */
  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.stack !== undefined) wire.stack = this.stack;
    return wire;
  }
}

/** The partition admits no more invocations (inflightInvocationsMax); the ingress answers 429/503. */
export class PartitionQueueFullError extends PartitionError {
  readonly code = "ERR_PARTITION_QUEUE_FULL";
}
/** A virtual-object key's inbox is full (inboxLengthMax). */
export class InboxFullError extends PartitionError {
  readonly code = "ERR_PARTITION_INBOX_FULL";
}
/** The partition closed while the request was pending, or was used after close. */
export class PartitionClosedError extends PartitionError {
  readonly code = "ERR_PARTITION_CLOSED";
}
/** The task names a partition this worker does not own (C1). */
export class PartitionNotOwnedError extends PartitionError {
  readonly code = "ERR_PARTITION_NOT_OWNED";
}
/** The invocation id routes to another partition than the task names. */
export class WrongPartitionError extends PartitionError {
  readonly code = "ERR_PARTITION_WRONG_PARTITION";
}
/** The target service or handler is not in the worker's schema. */
export class ServiceNotFoundError extends PartitionError {
  readonly code = "ERR_PARTITION_SERVICE_NOT_FOUND";
}
/** The request is malformed (bad id, key on a plain service, missing key, …). */
export class BadRequestError extends PartitionError {
  readonly code = "ERR_PARTITION_BAD_REQUEST";
}
/** A task arrived before `open`, or `open` arrived twice. */
export class WorkerStateError extends PartitionError {
  readonly code = "ERR_PARTITION_WORKER_STATE";
}
/** The store does not match the log (applied LSN beyond the log's tail, unknown schema version). */
export class StoreCorruptError extends PartitionError {
  readonly code = "ERR_PARTITION_STORE_CORRUPT";
}
/** A log record that does not decode as a command. */
export class CommandDecodeError extends PartitionError {
  readonly code = "ERR_PARTITION_COMMAND_DECODE";
}

/** A state replace refused: the caller's version is stale, or an invocation holds the key. */
export class StateConflictError extends PartitionError {
  readonly code = "ERR_PARTITION_STATE_CONFLICT";
}

/** Every error class, by code: the registry the receiving side rebuilds errors from (C3). */
export const partitionErrorClasses = {
  ERR_PARTITION_QUEUE_FULL: PartitionQueueFullError,
  ERR_PARTITION_INBOX_FULL: InboxFullError,
  ERR_PARTITION_CLOSED: PartitionClosedError,
  ERR_PARTITION_NOT_OWNED: PartitionNotOwnedError,
  ERR_PARTITION_WRONG_PARTITION: WrongPartitionError,
  ERR_PARTITION_SERVICE_NOT_FOUND: ServiceNotFoundError,
  ERR_PARTITION_BAD_REQUEST: BadRequestError,
  ERR_PARTITION_WORKER_STATE: WorkerStateError,
  ERR_PARTITION_STORE_CORRUPT: StoreCorruptError,
  ERR_PARTITION_COMMAND_DECODE: CommandDecodeError,
  ERR_PARTITION_STATE_CONFLICT: StateConflictError,
} as const;

export type PartitionErrorCode = keyof typeof partitionErrorClasses;

/** Rebuilds a typed error from its wire form; unknown codes become a plain Error carrying the code. */
export function partitionErrorFromWire(wire: WireError): Error & { code: string } {
  const Class = (partitionErrorClasses as Record<string, new (message: string) => PartitionError>)[wire.code];
  const error: Error & { code: string } = Class !== undefined ? new Class(wire.message) : Object.assign(new Error(wire.message), { code: wire.code });
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/** Any thrown value as a WireError (C3): typed errors keep their code, others get ERR_PARTITION_INTERNAL. */
export function toWireError(error: unknown): WireError {
  if (error instanceof PartitionError) return error.toWire();
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const wire: WireError = { code: typeof code === "string" ? code : "ERR_PARTITION_INTERNAL", message: error.message };
    if (error.stack !== undefined) wire.stack = error.stack;
    return wire;
  }
  if (typeof error === "object" && error !== null && typeof (error as WireError).code === "string") return error as WireError;
  return { code: "ERR_PARTITION_INTERNAL", message: String(error) };
}
