// The file-system seam. Everything the log does to disk goes through one `LogStorage`, so that
// tests can substitute a faulty disk (torn writes, flipped bits, lost unsynced data; see
// test/faulty-storage.ts) for `nodeStorage`, the real one. The seam is internal: it is exported from
// src/internal.ts, not from the package entry point.
//
// The two calls of the append path (`writev`, `fdatasync`) take Node-style callbacks: measured on
// the development machine (bench/run.ts, interleaved samples), write + fdatasync of a 272-byte
// frame has a 5-10 % lower p50 through the callback API than through fs/promises file handles,
// and it allocates no promise per call. Everything else returns promises. The real `writev`
// writes synchronously (into the page cache) and calls back before it returns; callers must not
// rely on the callback being deferred.

import * as fs from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LogLockedError } from "./errors.js";

export type IoCallback = (error: NodeJS.ErrnoException | null) => void;
export type WriteCallback = (error: NodeJS.ErrnoException | null, bytesWritten: number) => void;

/**
 * How a file is opened: "read" (must exist), "write" (read-write, must exist), "create" (read-write,
 * must not exist), "replace" (write-only, created or truncated).
 */
export type OpenMode = "read" | "write" | "create" | "replace";

export interface LogStorage {
  /** Creates `dir` and its missing parents, making each new directory entry durable. */
  mkdirp(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** Makes the entries of `dir` (files created, renamed or deleted in it) durable. */
  syncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Takes the directory's single-writer lock; the returned function releases it. */
  lock(dir: string): Promise<() => Promise<void>>;

  open(path: string, mode: OpenMode): Promise<number>;
  openSync(path: string, mode: "read"): number;
  close(fd: number): Promise<void>;
  closeSync(fd: number): void;
  size(fd: number): Promise<number>;
  sizeSync(fd: number): number;
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes the buffers at `position`; may write fewer bytes than given (the caller loops). */
  writev(fd: number, buffers: readonly Uint8Array[], position: number, callback: WriteCallback): void;
  /** Makes the file's written data (and its size) durable. */
  fdatasync(fd: number, callback: IoCallback): void;
  truncate(fd: number, length: number): Promise<void>;
}

const openFlags: Record<OpenMode, string> = { read: "r", write: "r+", create: "wx+", replace: "w" };

/** Directories locked by this thread, so that a second open in the same thread fails fast. */
const lockedHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The real file system (node:fs). */
export const nodeStorage: LogStorage = {
  async mkdirp(dir) {
    const first = await fs.promises.mkdir(dir, { recursive: true });
    if (first === undefined) return;
    // Each directory from `first` down to `dir` is a new entry of its parent.
    const created: string[] = [];
    for (let d = resolve(dir); ; d = dirname(d)) {
      created.push(d);
      if (d === resolve(first) || d === dirname(d)) break;
    }
    for (const d of created) await nodeStorage.syncDir(dirname(d));
  },
  async readdir(dir) {
    return fs.promises.readdir(dir);
  },
  async syncDir(dir) {
    const handle = await fs.promises.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async rename(from, to) {
    await fs.promises.rename(from, to);
  },
  async unlink(path) {
    await fs.promises.unlink(path);
  },
  async lock(dir) {
    // Pid lock: a LOCK file naming the holder. A holder that died (SIGKILL, power loss) leaves the
    // file behind; it is stale once no process has that pid. Two threads of one process share a pid
    // and so are told apart only within a thread (`lockedHere`); the server gives every partition log
    // to exactly one worker thread.
    // The real path, so that two spellings of one directory (a symlink) are one key.
    const key = await fs.promises.realpath(dir);
    if (lockedHere.has(key)) throw new LogLockedError(dir, `this thread (pid ${process.pid})`);
    const path = join(dir, "LOCK");
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.promises.writeFile(path, `${process.pid}\n`, { flag: "wx" });
        break;
      } catch (error) {
        if (errno(error) !== "EEXIST" || attempt >= 2) throw error;
        const holder = Number.parseInt(await fs.promises.readFile(path, "utf8").catch(() => ""), 10);
        if (Number.isSafeInteger(holder) && holder !== process.pid && isAlive(holder)) {
          throw new LogLockedError(dir, `process ${holder}`);
        }
        await fs.promises.unlink(path).catch((e: unknown) => {
          if (errno(e) !== "ENOENT") throw e;
        });
      }
    }
    lockedHere.add(key);
    return async () => {
      lockedHere.delete(key);
      await fs.promises.unlink(path).catch((e: unknown) => {
        if (errno(e) !== "ENOENT") throw e;
      });
    };
  },
  async open(path, mode) {
    return new Promise((resolvePromise, reject) => {
      fs.open(path, openFlags[mode], 0o644, (error, fd) => (error === null ? resolvePromise(fd) : reject(error)));
    });
  },
  openSync(path, mode) {
    return fs.openSync(path, openFlags[mode]);
  },
  async close(fd) {
    return new Promise((resolvePromise, reject) => {
      fs.close(fd, (error) => (error === null ? resolvePromise() : reject(error)));
    });
  },
  closeSync(fd) {
    fs.closeSync(fd);
  },
  async size(fd) {
    return new Promise((resolvePromise, reject) => {
      fs.fstat(fd, (error, stats) => (error === null ? resolvePromise(stats.size) : reject(error)));
    });
  },
  sizeSync(fd) {
    return fs.fstatSync(fd).size;
  },
  async read(fd, buf, offset, length, position) {
    return new Promise((resolvePromise, reject) => {
      fs.read(fd, buf, offset, length, position, (error, bytesRead) =>
        error === null ? resolvePromise(bytesRead) : reject(error),
      );
    });
  },
  readSync(fd, buf, offset, length, position) {
    return fs.readSync(fd, buf, offset, length, position);
  },
  writev(fd, buffers, position, callback) {
    // Synchronous: a write into the page cache takes microseconds, and a thread-pool round trip
    // per batch (a hand-off to another thread and back) cost more than the write itself. The
    // fdatasync that makes it durable stays asynchronous (L2 is unchanged).
    let written: number;
    try {
      written = fs.writevSync(fd, buffers, position);
    } catch (error) {
      callback(error as NodeJS.ErrnoException, 0);
      return;
    }
    callback(null, written);
  },
  fdatasync(fd, callback) {
    fs.fdatasync(fd, callback);
  },
  async truncate(fd, length) {
    return new Promise((resolvePromise, reject) => {
      fs.ftruncate(fd, length, (error) => (error === null ? resolvePromise() : reject(error)));
    });
  },
};
