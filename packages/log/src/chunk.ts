// In-memory descriptor of one chunk file and its sparse index.
//
// Owns: what the log knows about a chunk without reading it (path, first LSN, how many of its bytes
// are durable) and a sparse (lsn, offset) index that lets a read start near its LSN instead of at
// the chunk's first record. Does not own the file descriptor (the writer and each reader open
// their own).
//
// Invariants:
//   C1. index entries are true frame positions, strictly increasing in both LSN and offset; the
//       first entry is (firstLsn, chunkHeaderBytes).
//   C2. `durableBytes` only grows, and only the writer moves it, together with the log's
//       durableLsn (L2); -1 means "all of the file" (a chunk found on disk, not the active one).

import { chunkHeaderBytes, indexIntervalBytes } from "./constants.js";

export class Chunk {
  readonly indexLsns: number[];
  readonly indexOffsets: number[];

  constructor(
    readonly path: string,
    readonly firstLsn: number,
    public durableBytes: number,
  ) {
    this.indexLsns = [firstLsn];
    this.indexOffsets = [chunkHeaderBytes];
  }

  /** Offers the position of frame `lsn`; kept only if it is far enough past the last entry (C1). */
  noteFrame(lsn: number, offset: number): void {
    const last = this.indexLsns.length - 1;
    if (lsn <= (this.indexLsns[last] as number)) return;
    if (offset - (this.indexOffsets[last] as number) < indexIntervalBytes) return;
    this.indexLsns.push(lsn);
    this.indexOffsets.push(offset);
  }

  /** Index of the last entry whose LSN is at most `lsn` (entry 0 when none is smaller). */
  floor(lsn: number): number {
    let lo = 0;
    let hi = this.indexLsns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.indexLsns[mid] as number) <= lsn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Position of the chunk holding `lsn` in `chunks` (sorted by firstLsn), or -1 if before them all. */
export function findChunkIndex(chunks: readonly Chunk[], lsn: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((chunks[mid] as Chunk).firstLsn <= lsn) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
