// Reading records: one scanning routine, two drivers (synchronous for startup replay, asynchronous
// for everything else).
//
// Owns: the decoding of chunk files from an LSN onwards and the checks that every frame read back is
// the frame the writer wrote (pairs with the assertions of encodeFrame). Does not own the chunk list
// or the durable tail: it reads them live from the log's `ReadState` at every step, so a reader sees
// rollovers, new durable records and trims that happen while it runs.
//
// Invariants:
//   R1. A reader yields only records with LSN <= the durable LSN and > the trim point at the time
//       it yields them (L3, L7), contiguous from its start LSN (L1).
//   R2. Every frame read is checked: checksum, LSN equal to its position's expected LSN, and chunk
//       boundaries that agree (chunk k ends exactly where chunk k + 1 begins). A failed check is a
//       LogCorruptionError naming the file and offset, never a skip (L8).
//   R3. Payloads are views into a block buffer that no later read overwrites; a block is retained as
//       long as any payload in it is.

import { readBlockBytes, chunkHeaderBytes } from "./constants.js";
import { type Chunk, findChunkIndex } from "./chunk.js";
import { decodeChunkHeader } from "./chunk-codec.js";
import { LogCorruptionError, LogIoError, LogTrimmedError } from "./errors.js";
import { decodeFrame, type FrameView, frameBadChecksum, frameExtent, frameOk } from "./record-codec.js";
import type { LogStorage } from "./storage.js";

/** One record of the log. `payload` is a view into a shared read block (R3): copy it to keep it long. */
export interface LogRecord {
  readonly lsn: number;
  readonly payload: Uint8Array;
}

/** The parts of the log's state a reader follows. */
export interface ReadState {
  readonly chunks: readonly Chunk[];
  readonly durableLsn: number;
  readonly trimPoint: number;
}

class OpenOp {
  constructor(readonly path: string) {}
}

class ReadOp {
  constructor(
    readonly buf: Uint8Array,
    readonly offset: number,
    readonly length: number,
    readonly position: number,
  ) {}
}

type IoOp = OpenOp | ReadOp;

const emptyBlock = new Uint8Array(0);

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The scanning routine, as a coroutine: it yields records, and I/O requests whose results (file
 * size for an open, bytes read for a read) the driver sends back, or whose errors it throws in.
 */
function* scan(state: ReadState, fromLsn: number, toLsn: number): Generator<IoOp | LogRecord, void, number> {
  const view: FrameView = { lsn: 0, payloadStart: 0, payloadEnd: 0 };
  let next = fromLsn;
  let previous: Chunk | undefined;
  let previousEnd = 0;
  for (;;) {
    if (next > Math.min(toLsn, state.durableLsn)) return;
    if (next <= state.trimPoint) throw new LogTrimmedError(next, state.trimPoint);
    const chunk = state.chunks[findChunkIndex(state.chunks, next)];
    if (chunk === undefined) throw new Error(`assertion failed: no chunk holds durable LSN ${next} (L7)`);
    if (chunk === previous) {
      throw new LogCorruptionError(chunk.path, previousEnd, `chunk ends before LSN ${next}, which no later chunk holds`);
    }
    if (previous !== undefined && chunk.firstLsn !== next) {
      throw new LogCorruptionError(chunk.path, 0, `chunk starts at LSN ${chunk.firstLsn} but the previous chunk ends at LSN ${next - 1}`);
    }
    previous = chunk;

    const entry = chunk.floor(next);
    let lsn = chunk.indexLsns[entry] as number;
    let offset = chunk.indexOffsets[entry] as number;
    // From the first entry, read the header too and check it.
    const checkHeader = entry === 0;
    let fileSize: number;
    try {
      fileSize = yield new OpenOp(chunk.path);
    } catch (error) {
      if (errnoOf(error) === "ENOENT" && next <= state.trimPoint) throw new LogTrimmedError(next, state.trimPoint);
      throw new LogIoError(`open ${chunk.path}`, error);
    }
    let block = emptyBlock;
    let blockStart = checkHeader ? 0 : offset; // file offset of block[0]
    let blockEnd = blockStart; // file offset past the last byte read

    if (checkHeader) {
      if (fileSize < chunkHeaderBytes) throw new LogCorruptionError(chunk.path, 0, "chunk header cut short");
      // Blocks are sized to what there is to read (up to readBlockBytes), so that a reader that
      // follows the tail a few records at a time does not allocate a megabyte per call.
      block = Buffer.allocUnsafeSlow(Math.max(chunkHeaderBytes, Math.min(readBlockBytes, byteLimit(chunk, fileSize))));
      const n = yield* readInto(chunk, block, 0, block.length, 0);
      blockEnd = n;
      const header = decodeChunkHeader(block.subarray(0, chunkHeaderBytes));
      if (!header.ok) throw new LogCorruptionError(chunk.path, 0, header.reason);
      if (header.firstLsn !== chunk.firstLsn) {
        throw new LogCorruptionError(chunk.path, 0, `chunk header says LSN ${header.firstLsn}, its name ${chunk.firstLsn}`);
      }
    }

    for (;;) {
      if (next > Math.min(toLsn, state.durableLsn)) return;
      const limit = byteLimit(chunk, fileSize);
      const status = decodeFrame(block, offset - blockStart, Math.min(blockEnd, limit) - blockStart, view);
      if (status === frameOk) {
        if (view.lsn !== lsn) throw new LogCorruptionError(chunk.path, offset, `expected LSN ${lsn}, found ${view.lsn}`);
        chunk.noteFrame(lsn, offset);
        if (lsn === next) {
          // A trim that overtook this reader: it never yields a record below the trim point.
          if (next <= state.trimPoint) throw new LogTrimmedError(next, state.trimPoint);
          yield { lsn, payload: new Uint8Array(block.buffer, block.byteOffset + view.payloadStart, view.payloadEnd - view.payloadStart) };
          next = lsn + 1;
        }
        lsn++;
        offset = blockStart + view.payloadEnd;
        continue;
      }
      if (status === frameBadChecksum) throw new LogCorruptionError(chunk.path, offset, "checksum mismatch");
      // Incomplete: either the chunk's bytes are used up (move on) or the block needs more bytes.
      if (blockEnd >= limit) {
        if (offset === limit) {
          previousEnd = offset;
          break;
        }
        throw new LogCorruptionError(chunk.path, offset, `record LSN ${lsn} cut short at end of chunk`);
      }
      const need = frameExtent(block, offset - blockStart, blockEnd - blockStart);
      if (offset + need > limit) throw new LogCorruptionError(chunk.path, offset, `record LSN ${lsn} cut short at end of chunk`);
      const kept = blockEnd - offset;
      const fresh = Buffer.allocUnsafeSlow(Math.max(need, Math.min(readBlockBytes, limit - offset)));
      fresh.set(block.subarray(offset - blockStart, blockEnd - blockStart), 0);
      block = fresh;
      blockStart = offset;
      const n = yield* readInto(chunk, block, kept, Math.min(block.length - kept, limit - blockEnd), blockEnd);
      if (n === 0) throw new LogCorruptionError(chunk.path, blockEnd, "chunk file shorter than its durable length");
      blockEnd += n;
    }
  }
}

function byteLimit(chunk: Chunk, fileSize: number): number {
  return chunk.durableBytes >= 0 ? chunk.durableBytes : fileSize;
}

function* readInto(
  chunk: Chunk,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Generator<IoOp, number, number> {
  try {
    return yield new ReadOp(buf, offset, length, position);
  } catch (error) {
    throw new LogIoError(`read ${chunk.path}`, error);
  }
}

/** Synchronous driver: records in [fromLsn, min(toLsn, durable tail)]. */
export function* readRecordsSync(
  storage: LogStorage,
  state: ReadState,
  fromLsn: number,
  toLsn: number,
): Generator<LogRecord, void, undefined> {
  const core = scan(state, fromLsn, toLsn);
  let fd = -1;
  try {
    let step = core.next(0);
    while (step.done !== true) {
      const item = step.value;
      if (item instanceof OpenOp) {
        let size: number;
        try {
          if (fd >= 0) storage.closeSync(fd);
          fd = -1;
          fd = storage.openSync(item.path, "read");
          size = storage.sizeSync(fd);
        } catch (error) {
          step = core.throw(error);
          continue;
        }
        step = core.next(size);
      } else if (item instanceof ReadOp) {
        let n: number;
        try {
          n = storage.readSync(fd, item.buf, item.offset, item.length, item.position);
        } catch (error) {
          step = core.throw(error);
          continue;
        }
        step = core.next(n);
      } else {
        yield item;
        step = core.next(0);
      }
    }
  } finally {
    core.return();
    if (fd >= 0) storage.closeSync(fd);
  }
}

/** Asynchronous driver: records in [fromLsn, min(toLsn, durable tail)]. */
export async function* readRecords(
  storage: LogStorage,
  state: ReadState,
  fromLsn: number,
  toLsn: number,
): AsyncGenerator<LogRecord, void, undefined> {
  const core = scan(state, fromLsn, toLsn);
  let fd = -1;
  try {
    let step = core.next(0);
    while (step.done !== true) {
      const item = step.value;
      if (item instanceof OpenOp) {
        let size: number;
        try {
          if (fd >= 0) await storage.close(fd);
          fd = -1;
          fd = await storage.open(item.path, "read");
          size = await storage.size(fd);
        } catch (error) {
          step = core.throw(error);
          continue;
        }
        step = core.next(size);
      } else if (item instanceof ReadOp) {
        let n: number;
        try {
          n = await storage.read(fd, item.buf, item.offset, item.length, item.position);
        } catch (error) {
          step = core.throw(error);
          continue;
        }
        step = core.next(n);
      } else {
        yield item;
        step = core.next(0);
      }
    }
  } finally {
    core.return();
    if (fd >= 0) await storage.close(fd);
  }
}
