// Opening a log directory: lock it, read the metadata, finish an interrupted trim, and repair the
// tail of the last chunk.
//
// Owns: the decision of what survives a crash. Does not own the running log (log.ts) nor reading
// older chunks (reader.ts checks them lazily, when they are read).
//
// Invariants:
//   V1. Only the last chunk is ever truncated, and only from its first bad frame on: a torn or
//       short frame, a checksum mismatch, or a frame whose LSN is not the next one (stale blocks
//       of an unsynced batch after a crash can hold valid frames of deleted chunks). Everything
//       before that frame is kept (D4).
//   V2. The truncation is durable (ftruncate + fdatasync) before the log accepts an append, so
//       new records never land after garbage.
//   V3. Chunks wholly at or below the trim point are deleted (redoing an interrupted trim); the
//       last chunk is never deleted (L7).
//   V4. The chunk list is contiguous from trimPoint + 1: the first chunk starts at or below it,
//       and the recovered tail is at or above it; a violation is a LogCorruptionError.

import { join } from "node:path";
import { chunkHeaderBytes, readBlockBytes } from "./constants.js";
import { Chunk } from "./chunk.js";
import { chunkFileName, decodeChunkHeader, encodeChunkHeader, parseChunkFileName } from "./chunk-codec.js";
import { LogCorruptionError } from "./errors.js";
import { fdatasyncAsync, readFully, writeFullyAsync } from "./io.js";
import type { LogMeta } from "./meta-codec.js";
import { metaFileName, metaTempFileName, readMeta } from "./meta-store.js";
import { decodeFrame, type FrameView, frameBadChecksum, frameExtent, frameOk } from "./record-codec.js";
import type { LogStorage } from "./storage.js";

/** What recovery found and did, for the caller to log. */
export interface RecoveryReport {
  /** Chunk files deleted because they lay wholly at or below the trim point (an interrupted trim). */
  readonly chunksDeleted: number;
  /** Where the last chunk was cut because it ended in a torn or damaged frame; null if it was clean. */
  readonly truncation: {
    readonly file: string;
    readonly offset: number;
    readonly bytesDiscarded: number;
    readonly reason: string;
  } | null;
}

export interface Recovered {
  chunks: Chunk[];
  /** Read-write descriptor of the last chunk, positioned by `writeOffset`. */
  fd: number;
  writeOffset: number;
  durableLsn: number;
  meta: LogMeta;
  report: RecoveryReport;
  release: () => Promise<void>;
}

export async function recover(storage: LogStorage, dir: string, sync: boolean): Promise<Recovered> {
  await storage.mkdirp(dir);
  const release = await storage.lock(dir);
  let fd = -1;
  try {
    const names = await storage.readdir(dir);
    if (names.includes(metaTempFileName)) await storage.unlink(join(dir, metaTempFileName));
    const meta = await readMeta(storage, dir, names);

    const firstLsns = names
      .map(parseChunkFileName)
      .filter((lsn): lsn is number => lsn !== undefined)
      .sort((a, b) => a - b);

    // V3: redo an interrupted trim.
    let chunksDeleted = 0;
    while (firstLsns.length > 1 && (firstLsns[1] as number) <= meta.trimPoint + 1) {
      await storage.unlink(join(dir, chunkFileName(firstLsns.shift() as number)));
      chunksDeleted++;
    }
    if (chunksDeleted > 0 && sync) await storage.syncDir(dir);

    if (firstLsns.length === 0) {
      const firstLsn = meta.trimPoint + 1;
      const path = join(dir, chunkFileName(firstLsn));
      fd = await storage.open(path, "create");
      await writeFullyAsync(storage, fd, [encodeChunkHeader(firstLsn)], 0);
      if (sync) {
        await fdatasyncAsync(storage, fd);
        await storage.syncDir(dir);
      }
      const chunk = new Chunk(path, firstLsn, chunkHeaderBytes);
      return {
        chunks: [chunk],
        fd,
        writeOffset: chunkHeaderBytes,
        durableLsn: firstLsn - 1,
        meta,
        report: { chunksDeleted, truncation: null },
        release,
      };
    }

    const first = firstLsns[0] as number;
    if (first > meta.trimPoint + 1) {
      throw new LogCorruptionError(
        join(dir, chunkFileName(first)),
        0,
        `records ${meta.trimPoint + 1}..${first - 1} are missing: no chunk holds them and the trim point is ${meta.trimPoint}`,
      );
    }
    const chunks = firstLsns.map((lsn) => new Chunk(join(dir, chunkFileName(lsn)), lsn, -1));
    const last = chunks[chunks.length - 1] as Chunk;
    fd = await storage.open(last.path, "write");
    const tail = await repairLastChunk(storage, last, fd, sync);
    last.durableBytes = tail.end;
    if (tail.lastLsn < meta.trimPoint) {
      throw new LogCorruptionError(
        join(dir, metaFileName),
        0,
        `trim point ${meta.trimPoint} is beyond the last record ${tail.lastLsn} (last chunk ${last.path})`,
      );
    }
    return {
      chunks,
      fd,
      writeOffset: tail.end,
      durableLsn: tail.lastLsn,
      meta,
      report: { chunksDeleted, truncation: tail.truncation },
      release,
    };
  } catch (error) {
    if (fd >= 0) await storage.close(fd).catch(() => undefined);
    await release().catch(() => undefined);
    throw error;
  }
}

interface Tail {
  end: number;
  lastLsn: number;
  truncation: RecoveryReport["truncation"];
}

/** Scans the last chunk, cuts it at its first bad frame (V1, V2) and returns where it ends. */
async function repairLastChunk(storage: LogStorage, chunk: Chunk, fd: number, sync: boolean): Promise<Tail> {
  const size = await storage.size(fd);
  let block = new Uint8Array(readBlockBytes);
  let n = await readFully(storage, fd, block, 0, Math.min(block.length, size), 0);
  const header = decodeChunkHeader(block.subarray(0, Math.min(n, chunkHeaderBytes)));
  if (header.ok && header.firstLsn !== chunk.firstLsn) {
    // A valid header naming another LSN is no torn write: the file was renamed or copied wrongly.
    throw new LogCorruptionError(chunk.path, 0, `chunk header says LSN ${header.firstLsn}, its name ${chunk.firstLsn}`);
  }
  if (!header.ok) {
    // Torn at creation (the header went out with the chunk's first batch, which never synced).
    await storage.truncate(fd, 0);
    await writeFullyAsync(storage, fd, [encodeChunkHeader(chunk.firstLsn)], 0);
    if (sync) await fdatasyncAsync(storage, fd);
    return {
      end: chunkHeaderBytes,
      lastLsn: chunk.firstLsn - 1,
      truncation: size === 0 ? null : { file: chunk.path, offset: 0, bytesDiscarded: size, reason: header.reason },
    };
  }

  const view: FrameView = { lsn: 0, payloadStart: 0, payloadEnd: 0 };
  let blockStart = 0; // file offset of block[0]
  let offset = chunkHeaderBytes;
  let lsn = chunk.firstLsn;
  let reason: string | null = null;
  for (;;) {
    const blockEnd = blockStart + n;
    const status = decodeFrame(block, offset - blockStart, n, view);
    if (status === frameOk) {
      if (view.lsn !== lsn) {
        reason = `expected LSN ${lsn}, found ${view.lsn}`;
        break;
      }
      chunk.noteFrame(lsn, offset);
      lsn++;
      offset = blockStart + view.payloadEnd;
      continue;
    }
    if (status === frameBadChecksum) {
      reason = "checksum mismatch";
      break;
    }
    // Incomplete in this block.
    if (blockEnd >= size) {
      if (offset !== size) reason = "torn record at end of chunk";
      break;
    }
    const need = frameExtent(block, offset - blockStart, n);
    if (offset + need > size) {
      reason = "torn record at end of chunk";
      break;
    }
    const kept = blockEnd - offset;
    if (need > block.length) {
      const grown = new Uint8Array(need);
      grown.set(block.subarray(offset - blockStart, n), 0);
      block = grown;
    } else {
      block.copyWithin(0, offset - blockStart, n);
    }
    blockStart = offset;
    n = kept + (await readFully(storage, fd, block, kept, Math.min(block.length - kept, size - blockEnd), blockEnd));
  }
  if (offset === size) return { end: offset, lastLsn: lsn - 1, truncation: null };
  // V1, V2: cut at the first bad frame, durably, before anything is appended after it.
  await storage.truncate(fd, offset);
  if (sync) await fdatasyncAsync(storage, fd);
  return {
    end: offset,
    lastLsn: lsn - 1,
    truncation: { file: chunk.path, offset, bytesDiscarded: size - offset, reason: reason ?? "trailing bytes" },
  };
}

