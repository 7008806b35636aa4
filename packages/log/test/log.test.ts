// Goal: every operation of the Log API does what its contract says, and every refusal is the right
// typed error; method: a real log in a temp directory on disk (the faulty in-memory storage where a
// test must hold syncs or count them), one behaviour per test.
import { cpSync, existsSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Log,
  type LogOptions,
  LogBackpressureError,
  LogBatchTooLargeError,
  LogClosedError,
  LogInvalidArgumentError,
  LogIoError,
  LogLockedError,
  LogRecordTooLargeError,
  LogSealedError,
  LogTrimmedError,
  defaultLogOptions,
  openLog,
} from "@cairn/log";
import { chunkFileName, openLogWithStorage } from "../src/internal.js";
import { FaultyStorage } from "./faulty-storage.js";
import { collect, payloadFor, sameBytes, str, tempDir, text, tinyLimits, until } from "./helpers.js";

const memDir = "/mem/log";

/** Appends `count` records whose payloads are `payloadFor(lsn, size)` (the log must be idle). */
async function appendAll(log: Log, count: number, size = 20): Promise<number[]> {
  const first = log.tail().durableLsn + 1;
  return Promise.all(Array.from({ length: count }, (_, i) => log.append(payloadFor(first + i, size))));
}

describe("openLog", () => {
  it("creates a missing directory (and parents) and starts empty", async () => {
    const dir = join(tempDir(), "a", "b");
    const log = await openLog(dir);
    expect(log.tail()).toEqual({ durableLsn: 0, trimPoint: 0, sealed: false });
    expect(log.dir).toBe(dir);
    expect(log.recovery).toEqual({ chunksDeleted: 0, truncation: null });
    expect(readdirSync(dir).sort()).toEqual([chunkFileName(1), "LOCK"]);
    await log.close();
    expect(readdirSync(dir)).toEqual([chunkFileName(1)]);
  });

  it("reopens with the records, trim point and tail it had", async () => {
    const dir = tempDir();
    let log = await openLog(dir, tinyLimits);
    await appendAll(log, 30);
    await log.trim(10);
    await log.close();
    log = await openLog(dir, tinyLimits);
    expect(log.tail()).toEqual({ durableLsn: 30, trimPoint: 10, sealed: false });
    expect((await collect(log.read(11))).map((r) => r.lsn)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    expect(await log.append(text("next"))).toBe(31);
    await log.close();
  });

  it("reads the v1 golden log directory (format compatibility)", async () => {
    const dir = tempDir();
    cpSync(new URL("./fixtures/v1/log", import.meta.url), dir, { recursive: true });
    const log = await openLog(dir, { ...tinyLimits, chunkBytesMax: 120, recordBytesMax: 32, batchBytesMax: 64, inFlightBytesMax: 64 });
    expect(log.tail()).toEqual({ durableLsn: 8, trimPoint: 2, sealed: false });
    expect((await collect(log.read(3))).map((r) => [r.lsn, str(r.payload)])).toEqual(
      [3, 4, 5, 6, 7, 8].map((n) => [n, `record-${n}`]),
    );
    await log.close();
  });

  it("rejects a second writer on the same directory", async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    await expect(openLog(dir)).rejects.toBeInstanceOf(LogLockedError);
    const link = join(tempDir(), "link");
    symlinkSync(dir, link);
    await expect(openLog(link)).rejects.toBeInstanceOf(LogLockedError); // one directory, two names
    await log.close();
    const again = await openLog(dir);
    await again.close();
  });

  it("takes over the lock of a dead process, not of a live one", async () => {
    const dir = tempDir();
    await (await openLog(dir)).close();
    writeFileSync(join(dir, "LOCK"), "2147483646\n"); // no such pid
    const log = await openLog(dir);
    await log.close();
    writeFileSync(join(dir, "LOCK"), `${process.ppid}\n`); // alive, and not us
    await expect(openLog(dir)).rejects.toMatchObject({ code: "ERR_LOG_LOCKED", holder: `process ${process.ppid}` });
  });

  it("reports a directory it cannot use as LogIoError", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    await expect(openLog(file)).rejects.toMatchObject({ code: "ERR_LOG_IO", operation: `open ${file}` });
  });

  it.each([
    [{ chunkBytesMax: 0 }, /chunkBytesMax must be a positive integer/],
    [{ recordBytesMax: 1.5 }, /recordBytesMax must be a positive integer/],
    [{ recordBytesMax: 2 ** 31 }, /exceeds the format/],
    [{ recordBytesMax: 1000, batchBytesMax: 1000 }, /batchBytesMax 1000 must hold one frame/],
    [{ batchBytesMax: 2 ** 26, chunkBytesMax: 2 ** 26 }, /chunkBytesMax .* must hold a chunk header and one batch/],
    [{ inFlightBytesMax: 1024 }, /inFlightBytesMax 1024 must admit one batch/],
    [{ backpressure: "drop" as "wait" }, /backpressure must be "wait" or "reject"/],
    [{ fsync: "yes" as unknown as boolean }, /fsync must be a boolean/],
    [{ chunkBytes: 5 }, /unknown option chunkBytes/],
  ] as [Partial<LogOptions>, RegExp][])("rejects options %o", async (options, message) => {
    const dir = tempDir();
    const error: unknown = await openLog(dir, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogInvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    expect(existsSync(join(dir, "LOCK"))).toBe(false);
  });

  it("has documented defaults", () => {
    expect(defaultLogOptions).toEqual({
      chunkBytesMax: 64 * 2 ** 20,
      recordBytesMax: 4 * 2 ** 20,
      batchBytesMax: 8 * 2 ** 20,
      inFlightBytesMax: 32 * 2 ** 20,
      backpressure: "wait",
      fsync: true,
    });
  });
});

describe("append", () => {
  it("resolves with dense LSNs from 1, in call order, once durable", async () => {
    const log = await openLog(tempDir());
    expect(await log.append(text("a"))).toBe(1);
    const lsns = await appendAll(log, 50);
    expect(lsns).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(log.tail().durableLsn).toBe(51);
    await log.close();
  });

  it("makes a whole group of concurrent appends durable with one write and one fdatasync", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir);
    const syncsBefore = storage.fdatasyncCount;
    const writesBefore = storage.writevCount;
    await appendAll(log, 200);
    expect(storage.fdatasyncCount - syncsBefore).toBe(1);
    expect(storage.writevCount - writesBefore).toBe(1);
    expect(log.stats()).toMatchObject({ batchesWritten: 1, recordsWritten: 200, bytesWritten: 200 * 36, inFlightBytes: 0 });
    await log.close();
  });

  it("fills the next batch while the current one syncs", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir);
    storage.stallSyncs = true;
    const first = log.append(text("first"));
    await until(() => storage.stalledSyncs === 1); // the first batch is now stuck in fdatasync
    const rest = [log.append(text("second")), log.append(text("third"))];
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(firstDone).toBe(false);
    expect(log.stats().inFlightBytes).toBe(3 * 16 + 5 + 6 + 5);
    storage.releaseSyncs();
    expect(await first).toBe(1);
    expect(await Promise.all(rest)).toEqual([2, 3]);
    expect(log.stats().batchesWritten).toBe(2);
    await log.close();
  });

  it("accepts an empty payload", async () => {
    const log = await openLog(tempDir());
    expect(await log.append(new Uint8Array(0))).toBe(1);
    expect((await collect(log.read(1))).map((r) => r.payload.length)).toEqual([0]);
    await log.close();
  });

  it("copies the payload: the caller may reuse its buffer at once", async () => {
    const log = await openLog(tempDir());
    const buf = text("aaaa");
    const p = log.append(buf);
    buf.fill(0x62);
    await p;
    expect(str((await collect(log.read(1)))[0]?.payload ?? new Uint8Array())).toBe("aaaa");
    await log.close();
  });

  it("writes a record larger than a write segment", async () => {
    const log = await openLog(tempDir(), { recordBytesMax: 1 << 20 });
    const big = payloadFor(7, 600_000);
    expect(await log.append(text("before"))).toBe(1);
    expect(await Promise.all([log.append(big), log.append(text("after"))])).toEqual([2, 3]);
    const records = await collect(log.read(1));
    expect(records.map((r) => r.payload.length)).toEqual([6, 600_000, 5]);
    expect(sameBytes(records[1]?.payload, big)).toBe(true);
    await log.close();
  });

  it("rejects a payload above recordBytesMax and a non-byte payload", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    const error = await log.append(new Uint8Array(201)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogRecordTooLargeError);
    expect(error).toMatchObject({ bytes: 201, recordBytesMax: 200 });
    await expect(log.append("text" as unknown as Uint8Array)).rejects.toBeInstanceOf(LogInvalidArgumentError);
    expect(await log.append(new Uint8Array(200))).toBe(1);
    await log.close();
  });

  it("rolls over to chunks named by their first LSN, each within chunkBytesMax", async () => {
    const dir = tempDir();
    const log = await openLog(dir, tinyLimits);
    const lsns: number[] = [];
    for (let i = 0; i < 10; i++) lsns.push(...(await appendAll(log, 10, 30)));
    expect(lsns).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const chunks = readdirSync(dir).filter((n) => n.endsWith(".chunk")).sort();
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]).toBe(chunkFileName(1));
    for (const name of chunks) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(tinyLimits.chunkBytesMax);
    // Each chunk's name is the LSN of its first record (46 bytes a frame, 20 a header).
    const perChunk = Math.floor((tinyLimits.chunkBytesMax - 20) / 46);
    expect(chunks[1]).toBe(chunkFileName(1 + perChunk));
    const records = await collect(log.read(1));
    expect(records.map((r) => r.lsn)).toEqual(lsns);
    records.forEach((r) => expect(sameBytes(r.payload, payloadFor(r.lsn, 30))).toBe(true));
    await log.close();
  });
});

describe("appendBatch", () => {
  it("gives contiguous LSNs in one group commit and resolves with the last", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    expect(await log.append(text("x"))).toBe(1);
    const syncs = storage.fdatasyncCount;
    expect(await log.appendBatch([text("a"), text("b"), text("c")])).toBe(4);
    expect(storage.fdatasyncCount - syncs).toBe(1);
    expect((await collect(log.read(2))).map((r) => str(r.payload))).toEqual(["a", "b", "c"]);
    await log.close();
  });

  it("interleaves with single appends in call order", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    const results = await Promise.all([log.append(text("1")), log.appendBatch([text("2"), text("3")]), log.append(text("4"))]);
    expect(results).toEqual([1, 3, 4]);
    expect((await collect(log.read(1))).map((r) => str(r.payload))).toEqual(["1", "2", "3", "4"]);
    await log.close();
  });

  it("keeps a batch inside one chunk, rolling over before it when needed", async () => {
    const dir = tempDir();
    const log = await openLog(dir, tinyLimits);
    await appendAll(log, 20, 30); // 920 bytes of the 1024-byte chunk, plus its header
    expect(await log.appendBatch([payloadFor(21, 50), payloadFor(22, 50)])).toBe(22);
    expect(readdirSync(dir).filter((n) => n.endsWith(".chunk")).sort()).toEqual([chunkFileName(1), chunkFileName(21)]);
    await log.close();
  });

  it("rejects an empty batch, a batch above batchBytesMax and an oversized record", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    await expect(log.appendBatch([])).rejects.toBeInstanceOf(LogInvalidArgumentError);
    await expect(log.appendBatch("ab" as unknown as Uint8Array[])).rejects.toBeInstanceOf(LogInvalidArgumentError);
    await expect(log.appendBatch([text("a"), 5 as unknown as Uint8Array])).rejects.toBeInstanceOf(LogInvalidArgumentError);
    const tooBig = await log.appendBatch([new Uint8Array(190), new Uint8Array(190), new Uint8Array(10)]).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(LogBatchTooLargeError);
    expect(tooBig).toMatchObject({ bytes: 438, batchBytesMax: 400 });
    await expect(log.appendBatch([new Uint8Array(201)])).rejects.toBeInstanceOf(LogRecordTooLargeError);
    expect(log.tail().durableLsn).toBe(0);
    await log.close();
  });
});

describe("backpressure", () => {
  it("makes appends wait past inFlightBytesMax, then admits them in call order", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    storage.stallSyncs = true;
    const pending = Array.from({ length: 40 }, (_, i) => log.append(payloadFor(i + 1, 34))); // 50 bytes each
    await new Promise((r) => setTimeout(r, 20));
    const stats = log.stats();
    expect(stats.inFlightBytes).toBeLessThanOrEqual(tinyLimits.inFlightBytesMax);
    expect(stats.inFlightBytes).toBe(800);
    expect(stats.blockedAppends).toBe(24);
    storage.releaseSyncs();
    // Syncs of later batches complete at once (stallSyncs was reset by the release).
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const records = await collect(log.read(1));
    records.forEach((r) => expect(sameBytes(r.payload, payloadFor(r.lsn, 34))).toBe(true));
    expect(log.stats()).toMatchObject({ inFlightBytes: 0, blockedAppends: 0 });
    await log.close();
  });

  it("makes batches wait too, in call order with single appends", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    storage.stallSyncs = true;
    const first = Array.from({ length: 16 }, (_, i) => log.append(payloadFor(i + 1, 34)));
    const batch = log.appendBatch([payloadFor(17, 34), payloadFor(18, 34)]);
    const after = log.append(payloadFor(19, 34));
    expect(log.stats().blockedAppends).toBe(2);
    storage.releaseSyncs();
    expect(await Promise.all(first)).toHaveLength(16);
    expect(await batch).toBe(18);
    expect(await after).toBe(19);
    const records = await collect(log.read(1));
    records.forEach((r) => expect(sameBytes(r.payload, payloadFor(r.lsn, 34))).toBe(true));
    await log.close();
  });

  it("rejects with LogBackpressureError past inFlightBytesMax when so configured", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, { ...tinyLimits, backpressure: "reject" });
    storage.stallSyncs = true;
    const admitted = Array.from({ length: 16 }, (_, i) => log.append(payloadFor(i, 34)));
    const refused: unknown = await log.append(payloadFor(99, 34)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LogBackpressureError);
    expect(refused).toMatchObject({ code: "ERR_LOG_BACKPRESSURE", retryable: true, inFlightBytes: 800, inFlightBytesMax: 800 });
    await expect(log.appendBatch([text("x")])).rejects.toBeInstanceOf(LogBackpressureError);
    storage.releaseSyncs();
    await Promise.all(admitted);
    expect(await log.append(text("later"))).toBe(17);
    await log.close();
  });
});

describe("read and readSync", () => {
  it("read any range of durable records, across chunks", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    await appendAll(log, 60, 25);
    const lsns = async (from: number, to?: number): Promise<number[]> =>
      (await collect(log.read(from, to === undefined ? {} : { toLsn: to }))).map((r) => r.lsn);
    const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(await lsns(1)).toEqual(range(1, 60));
    expect(await lsns(17, 43)).toEqual(range(17, 43));
    expect(await lsns(60)).toEqual([60]);
    expect(await lsns(61)).toEqual([]);
    expect(await lsns(500)).toEqual([]);
    expect(await lsns(30, 29)).toEqual([]);
    expect(await lsns(30, 1000)).toEqual(range(30, 60));
    expect([...log.readSync(17, 43)].map((r) => r.lsn)).toEqual(range(17, 43));
    expect([...log.readSync(59)].map((r) => r.lsn)).toEqual([59, 60]);
    for (const r of log.readSync(1)) expect(sameBytes(r.payload, payloadFor(r.lsn, 25))).toBe(true);
    await log.close();
  });

  it("starts near its LSN in a large chunk and keeps payload views valid", async () => {
    const log = await openLog(tempDir(), { fsync: false });
    const count = 6000; // ~1.6 MB: several read blocks and index entries
    for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: 500 }, (_, k) => log.append(payloadFor(i + k + 1, 250))));
    const all = [...log.readSync(1)];
    expect(all.length).toBe(count);
    all.forEach((r) => expect(sameBytes(r.payload, payloadFor(r.lsn, 250))).toBe(true)); // views from many blocks, all intact
    const tail = await collect(log.read(5990));
    expect(tail.map((r) => r.lsn)).toEqual(Array.from({ length: 11 }, (_, i) => 5990 + i));
    await log.close();
  });

  it("follows records that become durable while it iterates", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    await appendAll(log, 5);
    const seen: number[] = [];
    for await (const record of log.read(1)) {
      seen.push(record.lsn);
      if (record.lsn === 3) await log.append(text("more")); // durable before the reader gets there
      if (seen.length > 10) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    await log.close();
  });

  it("stops with LogTrimmedError when a trim overtakes it", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    await appendAll(log, 60, 30);
    const seen: number[] = [];
    const error: unknown = await (async () => {
      for await (const record of log.read(1)) {
        seen.push(record.lsn);
        if (record.lsn === 5) await log.trim(30);
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_LOG_TRIMMED", lsn: 6, trimPoint: 30 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await log.close();
  });

  it("closes its file when the consumer stops early", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    await appendAll(log, 30);
    for await (const record of log.read(1)) if (record.lsn === 2) break;
    for (const record of log.readSync(1)) if (record.lsn === 2) break;
    await log.close();
    // Every descriptor, including the readers', is closed: a crash-free reopen finds nothing open.
    expect((storage as unknown as { fds: Map<number, unknown> }).fds.size).toBe(0);
  });

  it("rejects trimmed LSNs and invalid arguments with typed errors", async () => {
    const log = await openLog(tempDir(), tinyLimits);
    await appendAll(log, 30);
    await log.trim(10);
    await expect(collect(log.read(10))).rejects.toBeInstanceOf(LogTrimmedError);
    expect(() => [...log.readSync(3)]).toThrow(LogTrimmedError);
    const trimmed: unknown = await collect(log.read(1)).catch((e: unknown) => e);
    expect(trimmed).toMatchObject({ code: "ERR_LOG_TRIMMED", lsn: 1, trimPoint: 10 });
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => log.read(bad)).toThrow(LogInvalidArgumentError);
      expect(() => log.readSync(bad)).toThrow(LogInvalidArgumentError);
    }
    expect(() => log.read(1, { toLsn: -1 })).toThrow(LogInvalidArgumentError);
    expect(() => log.readSync(1, 0.5)).toThrow(LogInvalidArgumentError);
    await log.close();
  });
});

describe("waitFor", () => {
  it("resolves at once for a durable LSN and later for a future one", async () => {
    const log = await openLog(tempDir());
    await log.append(text("a"));
    await log.waitFor(0);
    await log.waitFor(1);
    let done = false;
    const waiting = log.waitFor(3).then(() => (done = true));
    await log.append(text("b"));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    await log.append(text("c"));
    await waiting;
    expect(done).toBe(true);
    await log.close();
  });

  it("resolves many waiters in LSN order as the tail advances", async () => {
    const log = await openLog(tempDir());
    const order: number[] = [];
    const waits = [5, 2, 9, 2, 7].map((lsn) => log.waitFor(lsn).then(() => order.push(lsn)));
    for (let i = 0; i < 9; i++) await log.append(text(String(i)));
    await Promise.all(waits);
    expect(order).toEqual([2, 2, 5, 7, 9]);
    await log.close();
  });

  it("rejects with the signal's reason when aborted, before or while waiting", async () => {
    const log = await openLog(tempDir());
    const controller = new AbortController();
    const waiting = log.waitFor(10, controller.signal);
    controller.abort(new Error("stop waiting"));
    await expect(waiting).rejects.toThrow("stop waiting");
    await expect(log.waitFor(10, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
    // Aborting many waiters does not grow the waiter heap without bound (W2).
    for (let i = 0; i < 500; i++) {
      const c = new AbortController();
      const w = log.waitFor(1_000_000 + i, c.signal);
      c.abort();
      await w.catch(() => undefined);
    }
    expect((log as unknown as { waiters: { size: number } }).waiters.size).toBe(0);
    await log.close();
  });

  it("rejects with LogClosedError on close, LogSealedError past a sealed tail, and invalid LSNs", async () => {
    const log = await openLog(tempDir());
    await log.append(text("a"));
    const beyondSeal = log.waitFor(2);
    await log.seal();
    await expect(beyondSeal).rejects.toBeInstanceOf(LogSealedError);
    await expect(log.waitFor(5)).rejects.toBeInstanceOf(LogSealedError);
    await log.waitFor(1);
    await expect(log.waitFor(-1)).rejects.toBeInstanceOf(LogInvalidArgumentError);
    await log.close();
    await expect(log.waitFor(5)).rejects.toBeInstanceOf(LogClosedError);

    const other = await openLog(tempDir());
    const pending = other.waitFor(1).catch((e: unknown) => e);
    await other.close();
    expect(await pending).toBeInstanceOf(LogClosedError);
  });
});

describe("trim", () => {
  it("clamps to the durable tail, persists, and deletes only whole chunks below the trim point", async () => {
    const dir = tempDir();
    const log = await openLog(dir, tinyLimits);
    await appendAll(log, 100, 30); // 21 records a chunk: chunks 1, 22, 43, 64, 85
    const chunks = (): string[] => readdirSync(dir).filter((n) => n.endsWith(".chunk")).sort();
    expect(chunks()).toEqual([1, 22, 43, 64, 85].map(chunkFileName));
    await log.trim(0);
    expect(log.tail().trimPoint).toBe(0);
    await log.trim(42); // chunk 43 starts right after: chunks 1 and 22 go
    expect(log.tail().trimPoint).toBe(42);
    expect(chunks()).toEqual([43, 64, 85].map(chunkFileName));
    await log.trim(50); // inside chunk 43: nothing more to delete
    expect(chunks()).toEqual([43, 64, 85].map(chunkFileName));
    await log.trim(10); // below the trim point: no-op
    expect(log.tail().trimPoint).toBe(50);
    expect((await collect(log.read(51))).length).toBe(50);
    await log.trim(1000); // clamped to the tail; the last chunk stays
    expect(log.tail()).toEqual({ durableLsn: 100, trimPoint: 100, sealed: false });
    expect(chunks()).toEqual([chunkFileName(85)]);
    expect(await collect(log.read(101))).toEqual([]);
    expect(await log.append(text("after"))).toBe(101);
    await log.close();
    const again = await openLog(dir, tinyLimits);
    expect(again.tail()).toEqual({ durableLsn: 101, trimPoint: 100, sealed: false });
    expect((await collect(again.read(101))).map((r) => str(r.payload))).toEqual(["after"]);
    await again.close();
  });

  it("keeps LSNs going after everything was trimmed and the log reopened", async () => {
    const dir = tempDir();
    const log = await openLog(dir, tinyLimits);
    await appendAll(log, 50, 30);
    await log.trim(50);
    await log.close();
    const again = await openLog(dir, tinyLimits);
    expect(again.tail()).toEqual({ durableLsn: 50, trimPoint: 50, sealed: false });
    expect(await again.append(text("x"))).toBe(51);
    await again.close();
  });

  it("rejects invalid LSNs and a closed log", async () => {
    const log = await openLog(tempDir());
    await expect(log.trim(-1)).rejects.toBeInstanceOf(LogInvalidArgumentError);
    await expect(log.trim(0.5)).rejects.toBeInstanceOf(LogInvalidArgumentError);
    await log.close();
    await expect(log.trim(0)).rejects.toBeInstanceOf(LogClosedError);
  });
});

describe("seal", () => {
  it("lets earlier appends finish, refuses later ones, and persists", async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const earlier = [log.append(text("a")), log.appendBatch([text("b"), text("c")])];
    const sealing = log.seal();
    const refused: unknown = await log.append(text("late")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LogSealedError);
    expect(refused).toMatchObject({ code: "ERR_LOG_SEALED", tailLsn: 3 });
    await expect(log.appendBatch([text("late")])).rejects.toBeInstanceOf(LogSealedError);
    expect(await Promise.all(earlier)).toEqual([1, 3]);
    await sealing;
    expect(log.tail()).toEqual({ durableLsn: 3, trimPoint: 0, sealed: true });
    await log.seal(); // idempotent
    await log.trim(2); // trimming a sealed log is allowed
    await log.close();
    const again = await openLog(dir);
    expect(again.tail()).toEqual({ durableLsn: 3, trimPoint: 2, sealed: true });
    await expect(again.append(text("x"))).rejects.toBeInstanceOf(LogSealedError);
    expect((await collect(again.read(3))).map((r) => str(r.payload))).toEqual(["c"]);
    await again.close();
  });

  it("waits for blocked appends that were called before it", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    storage.stallSyncs = true;
    const pending = Array.from({ length: 20 }, (_, i) => log.append(payloadFor(i, 34)));
    await new Promise((r) => setTimeout(r, 10));
    expect(log.stats().blockedAppends).toBeGreaterThan(0);
    const sealing = log.seal();
    storage.releaseSyncs();
    await sealing;
    expect(await Promise.all(pending)).toHaveLength(20);
    expect(log.tail()).toMatchObject({ durableLsn: 20, sealed: true });
    await log.close();
  });
});

describe("close", () => {
  it("flushes pending appends, then refuses everything", async () => {
    const log = await openLog(tempDir());
    const pending = appendAll(log, 100);
    await log.close();
    expect((await pending).length).toBe(100);
    await log.close(); // idempotent
    await expect(log.append(text("x"))).rejects.toBeInstanceOf(LogClosedError);
    await expect(log.appendBatch([text("x")])).rejects.toBeInstanceOf(LogClosedError);
    await expect(log.seal()).rejects.toBeInstanceOf(LogClosedError);
    expect(() => log.read(1)).toThrow(LogClosedError);
    expect(() => log.readSync(1)).toThrow(LogClosedError);
    expect(log.tail().durableLsn).toBe(100);
  });
});

describe("I/O failures", () => {
  it.each(["writev", "fdatasync"] as const)("a failed %s stops the log: pending and later calls reject with LogIoError", async (op) => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir);
    expect(await log.append(text("ok"))).toBe(1);
    storage.failNext(op);
    const waiter = log.waitFor(2);
    const failed: unknown = await log.append(text("lost")).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LogIoError);
    expect(failed).toMatchObject({ code: "ERR_LOG_IO", operation: op === "writev" ? "write" : "fdatasync" });
    await expect(waiter).rejects.toBeInstanceOf(LogIoError);
    await expect(log.append(text("later"))).rejects.toBeInstanceOf(LogIoError);
    await expect(log.waitFor(5)).rejects.toBeInstanceOf(LogIoError);
    await expect(log.trim(1)).rejects.toBeInstanceOf(LogIoError);
    await expect(log.seal()).rejects.toBeInstanceOf(LogIoError);
    expect(log.tail().durableLsn).toBe(1);
    await log.close();
    const again = await openLogWithStorage(storage, memDir);
    expect(again.tail().durableLsn).toBeGreaterThanOrEqual(1);
    expect(await again.append(text("again"))).toBe(again.tail().durableLsn);
    await again.close();
  });

  it("a failed chunk creation stops the log the same way", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    await appendAll(log, 20, 30);
    storage.failNext("open");
    await expect(appendAll(log, 5, 30)).rejects.toBeInstanceOf(LogIoError);
    await log.close();
  });

  it("completes short writes", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    storage.shortWrites = true;
    await appendAll(log, 50, 30);
    expect(storage.writevCount).toBeGreaterThan(log.stats().batchesWritten);
    const records = await collect(log.read(1));
    records.forEach((r) => expect(sameBytes(r.payload, payloadFor(r.lsn, 30))).toBe(true));
    expect(records.length).toBe(50);
    await log.close();
  });

  it("a failed metadata write rejects the trim and leaves the trim point as it was", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, memDir, tinyLimits);
    await appendAll(log, 50, 30);
    storage.failNext("rename");
    await expect(log.trim(30)).rejects.toBeInstanceOf(LogIoError);
    expect(log.tail().trimPoint).toBe(0);
    expect(await log.append(text("still fine"))).toBe(51);
    await log.trim(30);
    expect(log.tail().trimPoint).toBe(30);
    await log.close();
  });
});
