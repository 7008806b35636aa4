// Small helpers over LogStorage: complete writes and promise forms of the callback calls.

import type { IoCallback, LogStorage } from "./storage.js";

/**
 * Writes every byte of `buffers` at `position`, looping over short writes (a file write may write
 * less than asked, e.g. when interrupted or near a quota) and calls back once.
 */
export function writeFully(
  storage: LogStorage,
  fd: number,
  buffers: readonly Uint8Array[],
  position: number,
  callback: IoCallback,
): void {
  let total = 0;
  for (const b of buffers) total += b.length;
  const step = (pending: readonly Uint8Array[], at: number, left: number): void => {
    storage.writev(fd, pending, at, (error, written) => {
      if (error !== null) return callback(error);
      if (written === left) return callback(null);
      if (!(written > 0 && written < left)) return callback(new Error(`write returned ${written} of ${left} bytes`));
      step(skipBytes(pending, written), at + written, left - written);
    });
  };
  if (total === 0) return callback(null);
  step(buffers, position, total);
}

/** The buffers that remain after dropping the first `count` bytes. */
function skipBytes(buffers: readonly Uint8Array[], count: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = count;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}

export function writeFullyAsync(storage: LogStorage, fd: number, buffers: readonly Uint8Array[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    writeFully(storage, fd, buffers, position, (error) => (error === null ? resolve() : reject(error)));
  });
}

export function fdatasyncAsync(storage: LogStorage, fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    storage.fdatasync(fd, (error) => (error === null ? resolve() : reject(error)));
  });
}

/** Reads up to `length` bytes at `position`, looping over short reads; returns the bytes read. */
export async function readFully(storage: LogStorage, fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await storage.read(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
