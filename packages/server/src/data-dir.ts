// The data directory of a server and what is fixed for its life.
//
//   {dataDir}/cairn.json          => {"format": 1, "partitions": N, "createdAt": RFC 3339, "createdBy": version}
//   {dataDir}/LOCK                => the pid of the server using the directory
//   {dataDir}/metadata/schema.json   deployments and services (@cairn/admin)
//   {dataDir}/partitions/{p}/…       each partition's log and store (@cairn/partition)
//
// D-1. The partition count is written once, when the directory is created, and never changes:
//      partition keys map to partitions by it, so another count would misroute every invocation.
// D-2. One live server per directory: a LOCK whose pid is alive refuses a second one; a LOCK left
//      by a killed server (pid gone) is taken over.
// D-3. cairn.json is written with write-temp + fsync + rename + fsync(dir), like the metadata.

import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultPartitions, partitionsMax, serverVersion } from "./constants.js";
import { DataDirError, DataDirLockedError, PartitionCountMismatchError } from "./errors.js";

const formatVersion = 1;
/** Directories locked by this process (the pid check cannot tell two servers of one process apart). */
const lockedHere = new Set<string>();

export interface DataDir {
  readonly path: string;
  readonly partitions: number;
  /** true when this start created the directory's identity (a fresh data dir). */
  readonly created: boolean;
  readonly metadataDir: string;
  release(): Promise<void>;
}

interface Identity {
  format: number;
  partitions: number;
  createdAt: string;
  createdBy: string;
}

export async function openDataDir(dir: string, requestedPartitions: number | undefined): Promise<DataDir> {
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new DataDirError(`cannot create the data directory ${path}: ${(error as Error).message}`, { cause: error });
  }
  await lock(path);
  try {
    const { partitions, created } = await identity(path, requestedPartitions);
    return {
      path,
      partitions,
      created,
      metadataDir: join(path, "metadata"),
      release: async () => {
        lockedHere.delete(path);
        await rm(join(path, "LOCK"), { force: true });
      },
    };
  } catch (error) {
    lockedHere.delete(path);
    await rm(join(path, "LOCK"), { force: true });
    throw error;
  }
}

async function identity(path: string, requested: number | undefined): Promise<{ partitions: number; created: boolean }> {
  const file = join(path, "cairn.json");
  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new DataDirError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text !== undefined) {
    let stored: Partial<Identity>;
    try {
      stored = JSON.parse(text) as Partial<Identity>;
    } catch (error) {
      throw new DataDirError(`${file} is damaged (not JSON): ${(error as Error).message}`, { cause: error });
    }
    if (stored.format !== formatVersion || typeof stored.partitions !== "number" || !Number.isInteger(stored.partitions) || stored.partitions < 1) {
      throw new DataDirError(`${file} is damaged or of an unknown format: ${text.slice(0, 200)}`);
    }
    if (requested !== undefined && requested !== stored.partitions) {
      throw new PartitionCountMismatchError(
        `the data directory ${path} was created with ${stored.partitions} partitions and cannot be opened with ${requested}: ` +
          "the partition count is fixed per data directory (leave the option out to use the stored count, or use a new directory)",
      );
    }
    return { partitions: stored.partitions, created: false };
  }
  if (existsSync(join(path, "partitions"))) {
    throw new DataDirError(`${path} holds partition data but no cairn.json; refusing to guess its partition count`);
  }
  const partitions = requested ?? defaultPartitions;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > partitionsMax) {
    throw new DataDirError(`partitions must be an integer in [1, ${partitionsMax}], got ${partitions}`);
  }
  const content: Identity = { format: formatVersion, partitions, createdAt: new Date().toISOString(), createdBy: `cairn-server/${serverVersion}` };
  await writeDurably(path, file, `${JSON.stringify(content, null, 1)}\n`);
  return { partitions, created: true };
}

async function lock(path: string): Promise<void> {
  const file = join(path, "LOCK");
  if (lockedHere.has(path)) throw new DataDirLockedError(`the data directory ${path} is already used by a server in this process`);
  try {
    const text = await readFile(file, "utf8");
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DataDirLockedError(`the data directory ${path} is used by another server (pid ${pid}); stop it first, or use another --data-dir`);
    }
  } catch (error) {
    if (error instanceof DataDirLockedError) throw error;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new DataDirError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  lockedHere.add(path);
  try {
    await writeDurably(path, file, `${process.pid}\n`);
  } catch (error) {
    lockedHere.delete(path);
    throw new DataDirError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function writeDurably(dir: string, file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w", 0o644);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
