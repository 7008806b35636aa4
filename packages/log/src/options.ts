// Options of `openLog`, their defaults and their validation.

import {
  chunkHeaderBytes,
  defaultBatchBytesMax,
  defaultChunkBytesMax,
  defaultInFlightBytesMax,
  defaultRecordBytesMax,
  frameHeaderBytes,
  recordBytesFormatMax,
} from "./constants.js";
import { LogInvalidArgumentError } from "./errors.js";

export interface LogOptions {
  /** A chunk file never grows past this many bytes (header included); then the log rolls over. */
  chunkBytesMax: number;
  /** Largest payload accepted by `append`; larger ones reject with LogRecordTooLargeError. */
  recordBytesMax: number;
  /** Most bytes (framed) written by one group commit; an `appendBatch` must fit in one. */
  batchBytesMax: number;
  /** Most bytes (framed) appended but not yet durable; past it appends wait or reject. */
  inFlightBytesMax: number;
  /** Past `inFlightBytesMax`: "wait" (append resolves later, in call order) or "reject" (LogBackpressureError). */
  backpressure: "wait" | "reject";
  /** fdatasync batches and fsync directories. `false` is for tests and benchmarks of logic only: nothing is durable. */
  fsync: boolean;
  /**
   * Called after each group commit with its record count, frame bytes, and how long its
   * fdatasync took (ms; undefined without fsync or for a chunk rollover). For metrics; must not throw.
   */
  onGroupCommit: ((records: number, bytes: number, syncMs: number | undefined) => void) | undefined;
}

export const defaultLogOptions: Readonly<LogOptions> = Object.freeze({
  chunkBytesMax: defaultChunkBytesMax,
  recordBytesMax: defaultRecordBytesMax,
  batchBytesMax: defaultBatchBytesMax,
  inFlightBytesMax: defaultInFlightBytesMax,
  backpressure: "wait",
  fsync: true,
  onGroupCommit: undefined,
});

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new LogInvalidArgumentError(`option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Merges `options` over the defaults and checks the relationships between the limits. */
export function resolveLogOptions(options: Partial<LogOptions> | undefined): LogOptions {
  const merged: LogOptions = { ...defaultLogOptions };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!Object.hasOwn(defaultLogOptions, key)) throw new LogInvalidArgumentError(`unknown option ${key}`);
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  // Small limits are legal (tests use them to force rollovers); only their relationships matter.
  const recordBytesMax = positiveInteger("recordBytesMax", merged.recordBytesMax);
  const batchBytesMax = positiveInteger("batchBytesMax", merged.batchBytesMax);
  const chunkBytesMax = positiveInteger("chunkBytesMax", merged.chunkBytesMax);
  const inFlightBytesMax = positiveInteger("inFlightBytesMax", merged.inFlightBytesMax);
  if (recordBytesMax > recordBytesFormatMax) {
    throw new LogInvalidArgumentError(`recordBytesMax ${recordBytesMax} exceeds the format's ${recordBytesFormatMax}`);
  }
  if (batchBytesMax < frameHeaderBytes + recordBytesMax) {
    throw new LogInvalidArgumentError(`batchBytesMax ${batchBytesMax} must hold one frame of recordBytesMax (${frameHeaderBytes + recordBytesMax})`);
  }
  if (chunkBytesMax < chunkHeaderBytes + batchBytesMax) {
    throw new LogInvalidArgumentError(`chunkBytesMax ${chunkBytesMax} must hold a chunk header and one batch (${chunkHeaderBytes + batchBytesMax})`);
  }
  if (inFlightBytesMax < batchBytesMax) {
    throw new LogInvalidArgumentError(`inFlightBytesMax ${inFlightBytesMax} must admit one batch (${batchBytesMax})`);
  }
  if (merged.backpressure !== "wait" && merged.backpressure !== "reject") {
    throw new LogInvalidArgumentError(`option backpressure must be "wait" or "reject", got ${String(merged.backpressure)}`);
  }
  if (typeof merged.fsync !== "boolean") throw new LogInvalidArgumentError(`option fsync must be a boolean`);
  return merged;
}
