// Test double for LogStorage: an in-memory disk that knows which bytes and directory entries are
// durable, and can crash (losing or tearing whatever was not synced), flip bits, stall or fail
// syncs, and make writes short. Modelled on the idea of a simulated storage that tracks written
// versus synced state per file, so recovery can be driven deterministically.

import { dirname } from "node:path";
import { LogLockedError } from "@cairn/log";
import type { IoCallback, LogStorage, OpenMode, WriteCallback } from "../src/internal.js";

class ErrnoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

class Inode {
  data = new Uint8Array(64);
  size = 0;
  /** Content as of the last fdatasync: what survives a crash. */
  synced: Uint8Array = new Uint8Array(0);

  ensure(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = new Uint8Array(Math.max(capacity, this.data.length * 2));
    grown.set(this.data.subarray(0, this.size));
    this.data = grown;
  }

  write(bytes: Uint8Array, position: number): void {
    this.ensure(position + bytes.length);
    if (position > this.size) this.data.fill(0, this.size, position);
    this.data.set(bytes, position);
    this.size = Math.max(this.size, position + bytes.length);
  }

  content(): Uint8Array {
    return this.data.slice(0, this.size);
  }

  sync(): void {
    this.synced = this.content();
  }
}

/** What happens to bytes written but not synced when the machine crashes. */
export type CrashMode =
  /** They are lost. */
  | "lose"
  /** They all reach the disk (the sync happened but was never reported). */
  | "keep"
  /** A random prefix of them reaches the disk: a torn write. */
  | "tear"
  /** A random prefix reaches the disk, followed by random garbage. */
  | "garbage"
  /**
   * Sectors reach the disk independently, out of order (page writeback does not keep order): each
   * unsynced sector is either there or zeros, and the file keeps its new size. Sectors are 64 bytes
   * here, scaled down so that the few-hundred-byte batches of the tests span several.
   */
  | "scatter";

const sectorBytes = 64;

interface OpenFile {
  readonly inode: Inode;
  readonly generation: number;
}

type Op = "writev" | "fdatasync" | "open" | "syncDir" | "rename" | "unlink" | "read";

export class FaultyStorage implements LogStorage {
  /** Current namespace: path → inode. */
  private files = new Map<string, Inode>();
  /** Namespace as of the last directory syncs: what survives a crash. */
  private durableFiles = new Map<string, Inode>();
  private dirs = new Set<string>();
  private fds = new Map<number, OpenFile>();
  private nextFd = 100;
  private generation = 0;
  private locks = new Set<string>();
  private stalled: (() => void)[] = [];
  private failures = new Map<Op, string>();

  /** fdatasync calls that completed, for assertions about group commit. */
  fdatasyncCount = 0;
  writevCount = 0;
  /** While true, fdatasync never calls back (a sync in flight when the machine dies). */
  stallSyncs = false;
  /** While true, each writev writes only about half of what it was given. */
  shortWrites = false;

  constructor(private readonly random: () => number = Math.random) {}

  // ----- fault injection ------------------------------------------------------------------------

  /** The next call of `op` fails with `code`. */
  failNext(op: Op, code = "EIO"): void {
    this.failures.set(op, code);
  }

  /**
   * Simulates power loss: the namespace reverts to its durable state, each file to its synced
   * content plus, per `mode`, some of its unsynced bytes; open files, locks and in-flight syncs
   * vanish.
   */
  crash(mode: CrashMode = "lose"): void {
    this.generation++;
    this.fds.clear();
    this.locks.clear();
    this.stalled = [];
    this.stallSyncs = false;
    this.shortWrites = false;
    this.failures.clear();
    const survivors = new Map<string, Inode>();
    const seen = new Map<Inode, Inode>();
    for (const [path, inode] of this.durableFiles) {
      let after = seen.get(inode);
      if (after === undefined) {
        after = new Inode();
        after.write(this.survivingContent(inode, mode), 0);
        after.sync();
        seen.set(inode, after);
      }
      survivors.set(path, after);
    }
    this.files = survivors;
    this.durableFiles = new Map(survivors);
  }

  private survivingContent(inode: Inode, mode: CrashMode): Uint8Array {
    const synced = inode.synced;
    const current = inode.content();
    const extra = current.length > synced.length ? current.subarray(synced.length) : new Uint8Array(0);
    let kept: Uint8Array;
    switch (mode) {
      case "lose":
        kept = new Uint8Array(0);
        break;
      case "keep":
        kept = extra;
        break;
      case "tear":
        kept = extra.subarray(0, Math.floor(this.random() * (extra.length + 1)));
        break;
      case "garbage": {
        const prefix = extra.subarray(0, Math.floor(this.random() * (extra.length + 1)));
        const junk = new Uint8Array(Math.floor(this.random() * 64) + 1);
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(this.random() * 256);
        kept = extra.length === 0 ? new Uint8Array(0) : concat(prefix, junk);
        break;
      }
      case "scatter": {
        kept = extra.slice();
        for (let at = 0; at < kept.length; at += sectorBytes) {
          if (this.random() < 0.5) kept.fill(0, at, Math.min(kept.length, at + sectorBytes));
        }
        break;
      }
    }
    return concat(synced, kept);
  }

  /** Flips one bit of a file, in its current and its synced content (media damage). */
  flipBit(path: string, offset: number, bit = 0): void {
    const inode = this.files.get(path);
    if (inode === undefined) throw new Error(`no file ${path}`);
    if (offset >= inode.size) throw new Error(`offset ${offset} beyond ${path} (${inode.size} bytes)`);
    (inode.data[offset] as number) ^= 1 << bit;
    if (offset < inode.synced.length) (inode.synced[offset] as number) ^= 1 << bit;
  }

  /** fdatasync calls held back by `stallSyncs`. */
  get stalledSyncs(): number {
    return this.stalled.length;
  }

  /** Releases stalled syncs (they complete now, in order). */
  releaseSyncs(): void {
    this.stallSyncs = false;
    const stalled = this.stalled;
    this.stalled = [];
    for (const run of stalled) run();
  }

  fileNames(dir: string): string[] {
    return [...this.files.keys()].filter((p) => dirname(p) === dir).map((p) => p.slice(dir.length + 1)).sort();
  }

  fileSize(path: string): number {
    const inode = this.files.get(path);
    if (inode === undefined) throw new Error(`no file ${path}`);
    return inode.size;
  }

  fileBytes(path: string): Uint8Array {
    const inode = this.files.get(path);
    if (inode === undefined) throw new Error(`no file ${path}`);
    return inode.content();
  }

  // ----- LogStorage -----------------------------------------------------------------------------

  private injected(op: Op): ErrnoError | null {
    const code = this.failures.get(op);
    if (code === undefined) return null;
    this.failures.delete(op);
    return new ErrnoError(code, `injected ${op} failure`);
  }

  private file(fd: number): Inode {
    const open = this.fds.get(fd);
    if (open === undefined || open.generation !== this.generation) throw new ErrnoError("EBADF", `bad fd ${fd}`);
    return open.inode;
  }

  /** Runs `fn` on a later turn, like a thread-pool I/O call; dropped if the machine crashed meanwhile. */
  private later(fn: () => void): void {
    const generation = this.generation;
    setImmediate(() => {
      if (generation === this.generation) fn();
    });
  }

  private async settle<T>(op: Op | null, fn: () => T): Promise<T> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const failure = op === null ? null : this.injected(op);
    if (failure !== null) throw failure;
    return fn();
  }

  mkdirp(dir: string): Promise<void> {
    return this.settle(null, () => {
      for (let d = dir; !this.dirs.has(d) && d !== dirname(d); d = dirname(d)) this.dirs.add(d);
    });
  }

  readdir(dir: string): Promise<string[]> {
    return this.settle(null, () => {
      if (!this.dirs.has(dir)) throw new ErrnoError("ENOENT", dir);
      return this.fileNames(dir);
    });
  }

  syncDir(dir: string): Promise<void> {
    return this.settle("syncDir", () => {
      for (const path of [...this.durableFiles.keys()]) {
        if (dirname(path) === dir && !this.files.has(path)) this.durableFiles.delete(path);
      }
      for (const [path, inode] of this.files) if (dirname(path) === dir) this.durableFiles.set(path, inode);
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.settle("rename", () => {
      const inode = this.files.get(from);
      if (inode === undefined) throw new ErrnoError("ENOENT", from);
      this.files.delete(from);
      this.files.set(to, inode);
    });
  }

  unlink(path: string): Promise<void> {
    return this.settle("unlink", () => {
      if (!this.files.delete(path)) throw new ErrnoError("ENOENT", path);
    });
  }

  lock(dir: string): Promise<() => Promise<void>> {
    return this.settle(null, () => {
      if (this.locks.has(dir)) throw new LogLockedError(dir, "another log in this test");
      this.locks.add(dir);
      const generation = this.generation;
      return () => {
        if (generation === this.generation) this.locks.delete(dir);
        return Promise.resolve();
      };
    });
  }

  open(path: string, mode: OpenMode): Promise<number> {
    return this.settle("open", () => this.openNow(path, mode));
  }

  openSync(path: string, mode: "read"): number {
    return this.openNow(path, mode);
  }

  private openNow(path: string, mode: OpenMode): number {
    let inode = this.files.get(path);
    if (mode === "create" && inode !== undefined) throw new ErrnoError("EEXIST", path);
    if ((mode === "read" || mode === "write") && inode === undefined) throw new ErrnoError("ENOENT", path);
    if (!this.dirs.has(dirname(path))) throw new ErrnoError("ENOENT", dirname(path));
    if (inode === undefined) {
      inode = new Inode();
      this.files.set(path, inode);
    } else if (mode === "replace") {
      inode.size = 0;
    }
    const fd = this.nextFd++;
    this.fds.set(fd, { inode, generation: this.generation });
    return fd;
  }

  close(fd: number): Promise<void> {
    return this.settle(null, () => this.closeSync(fd));
  }

  closeSync(fd: number): void {
    this.file(fd);
    this.fds.delete(fd);
  }

  size(fd: number): Promise<number> {
    return this.settle(null, () => this.file(fd).size);
  }

  sizeSync(fd: number): number {
    return this.file(fd).size;
  }

  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.settle("read", () => this.readSync(fd, buf, offset, length, position));
  }

  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
    const inode = this.file(fd);
    const n = Math.max(0, Math.min(length, inode.size - position));
    buf.set(inode.data.subarray(position, position + n), offset);
    return n;
  }

  writev(fd: number, buffers: readonly Uint8Array[], position: number, callback: WriteCallback): void {
    this.later(() => {
      const failure = this.injected("writev");
      if (failure !== null) return callback(failure, 0);
      let inode: Inode;
      try {
        inode = this.file(fd);
      } catch (error) {
        return callback(error as ErrnoError, 0);
      }
      let bytes = concat(...buffers);
      if (this.shortWrites && bytes.length > 1) bytes = bytes.subarray(0, Math.ceil(bytes.length / 2));
      inode.write(bytes, position);
      this.writevCount++;
      callback(null, bytes.length);
    });
  }

  fdatasync(fd: number, callback: IoCallback): void {
    this.later(() => {
      const failure = this.injected("fdatasync");
      if (failure !== null) return callback(failure);
      let inode: Inode;
      try {
        inode = this.file(fd);
      } catch (error) {
        return callback(error as ErrnoError);
      }
      const complete = (): void => {
        inode.sync();
        this.fdatasyncCount++;
        callback(null);
      };
      if (this.stallSyncs) this.stalled.push(complete);
      else complete();
    });
  }

  truncate(fd: number, length: number): Promise<void> {
    return this.settle(null, () => {
      const inode = this.file(fd);
      if (length < inode.size) inode.size = length;
      else inode.write(new Uint8Array(length - inode.size), inode.size);
    });
  }
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
