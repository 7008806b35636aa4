// Reads and atomically replaces the metadata file (grammar in meta-codec.ts).
//
// A replacement is: write `meta.tmp`, fdatasync it, rename it over `meta`, fsync the directory.
// A crash at any point leaves either the old or the new `meta` whole (rename is atomic), plus
// perhaps a stray `meta.tmp` that the next open deletes.

import { join } from "node:path";
import { metaBytes } from "./constants.js";
import { LogCorruptionError } from "./errors.js";
import { fdatasyncAsync, readFully, writeFullyAsync } from "./io.js";
import { decodeMeta, encodeMeta, type LogMeta } from "./meta-codec.js";
import type { LogStorage } from "./storage.js";

export const metaFileName = "meta";
export const metaTempFileName = "meta.tmp";

/** The stored metadata, or the empty log's when there is none yet. */
export async function readMeta(storage: LogStorage, dir: string, names: readonly string[]): Promise<LogMeta> {
  if (!names.includes(metaFileName)) return { trimPoint: 0, sealed: false };
  const path = join(dir, metaFileName);
  const fd = await storage.open(path, "read");
  try {
    const size = await storage.size(fd);
    const buf = new Uint8Array(Math.min(size, metaBytes + 1));
    const n = await readFully(storage, fd, buf, 0, buf.length, 0);
    const result = decodeMeta(buf.subarray(0, n));
    if (!result.ok) throw new LogCorruptionError(path, 0, result.reason);
    return result.meta;
  } finally {
    await storage.close(fd);
  }
}

export async function writeMeta(storage: LogStorage, dir: string, meta: LogMeta, sync: boolean): Promise<void> {
  const temp = join(dir, metaTempFileName);
  const fd = await storage.open(temp, "replace");
  try {
    await writeFullyAsync(storage, fd, [encodeMeta(meta)], 0);
    if (sync) await fdatasyncAsync(storage, fd);
  } finally {
    await storage.close(fd);
  }
  await storage.rename(temp, join(dir, metaFileName));
  if (sync) await storage.syncDir(dir);
}
