// A batch: the appends that go to disk in one group commit (one writev, one fdatasync), their
// frames encoded into write segments, and the promises to settle once they are durable.
//
// Owns: the encoding of frames into memory and the reuse of batches and segments, so that the
// append path allocates nothing per record but its promise. Does not own when a batch closes or is
// written (log.ts).
//
// Invariants:
//   B1. A batch's frames are contiguous LSNs firstLsn..lastLsn, in segment order; `bytes` is their
//       total size and `fills[i]` the used bytes of `segments[i]`.
//   B2. A segment goes back to the pool only with its batch, after the batch is durable or failed:
//       a write never reads a segment that is being refilled.
//   B3. The pool holds at most segmentPoolLengthMax segments and batchPoolLengthMax batches.

import { segmentBytes, segmentPoolLengthMax } from "./constants.js";
import { encodeFrame } from "./record-codec.js";

export type Resolve = (lsn: number) => void;
export type Reject = (error: unknown) => void;

/** Recycled batches kept per log; a log has at most one open, one writing and a few queued. */
const batchPoolLengthMax = 4;

export class Batch {
  /** Frames, in LSN order; `fills[i]` bytes of `segments[i]` are used (B1). */
  readonly segments: Uint8Array[] = [];
  readonly fills: number[] = [];
  /** The pooled segment still taking frames, or null after a frame that needed its own buffer. */
  current: Uint8Array | null = null;
  fill = 0;
  bytes = 0;
  firstLsn = 0;
  lastLsn = 0;
  /** The batch opens a new chunk (L5): the writer creates the file and writes the header first. */
  newChunk = false;
  /** Per promise: how to settle it, and the LSN it resolves with. */
  readonly resolves: Resolve[] = [];
  readonly rejects: Reject[] = [];
  readonly results: number[] = [];

  /** The used part of each segment, for one writev. */
  iovecs(): Uint8Array[] {
    const out: Uint8Array[] = new Array<Uint8Array>(this.segments.length);
    for (let i = 0; i < this.segments.length; i++) {
      out[i] = (this.segments[i] as Uint8Array).subarray(0, this.fills[i]);
    }
    return out;
  }
}

/** Batches and write segments of one log, reused (B2, B3). */
export class BatchPool {
  private readonly free: Batch[] = [];
  private readonly segments: Uint8Array[] = [];

  take(firstLsn: number): Batch {
    const batch = this.free.pop() ?? new Batch();
    batch.firstLsn = firstLsn;
    return batch;
  }

  /** Encodes the frame of `lsn` (`bytes` long) at the end of the batch. */
  encode(batch: Batch, lsn: number, payload: Uint8Array, bytes: number): void {
    let segment = batch.current;
    if (segment === null || segment.length - batch.fill < bytes) {
      if (bytes > segmentBytes) {
        // A large frame gets a buffer of its own, written as its own iovec.
        const own = Buffer.allocUnsafeSlow(bytes);
        encodeFrame(own, 0, lsn, payload);
        batch.segments.push(own);
        batch.fills.push(bytes);
        batch.current = null;
        batch.fill = 0;
        return;
      }
      segment = this.segments.pop() ?? Buffer.allocUnsafeSlow(segmentBytes);
      batch.segments.push(segment);
      batch.fills.push(0);
      batch.current = segment;
      batch.fill = 0;
    }
    batch.fill = encodeFrame(segment, batch.fill, lsn, payload);
    batch.fills[batch.fills.length - 1] = batch.fill;
  }

  /** Takes back a batch whose promises are settled, with its segments (B2). */
  give(batch: Batch): void {
    for (const segment of batch.segments) {
      if (segment.length === segmentBytes && this.segments.length < segmentPoolLengthMax) this.segments.push(segment);
    }
    batch.segments.length = 0;
    batch.fills.length = 0;
    batch.current = null;
    batch.fill = 0;
    batch.bytes = 0;
    batch.firstLsn = 0;
    batch.lastLsn = 0;
    batch.newChunk = false;
    batch.resolves.length = 0;
    batch.rejects.length = 0;
    batch.results.length = 0;
    if (this.free.length < batchPoolLengthMax) this.free.push(batch);
  }
}
