// Shared helpers of the log tests: temporary directories on the real disk and payload builders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir() (the real disk here), removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-log-test-"));
  made.push(dir);
  return dir;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Deterministic payload of `length` bytes for record `n`. */
export function payloadFor(n: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (n * 31 + i * 7) & 0xff;
  return bytes;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Small limits that force batch splits and chunk rollovers within a few records. */
export const tinyLimits = { chunkBytesMax: 1024, recordBytesMax: 200, batchBytesMax: 400, inFlightBytesMax: 800 } as const;

/** Byte equality without vitest's element-by-element deep equality (slow on large arrays). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Polls `condition` on every turn of the event loop until it holds (or fails after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
