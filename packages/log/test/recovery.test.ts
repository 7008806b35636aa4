// Goal: recovery keeps every acknowledged record and repairs or reports everything else (D4, L8);
// method: the faulty in-memory disk crashes with torn, garbage, scattered (holes), lost or kept
// unsynced bytes, flips bits in synced data, and loses directory entries; each case reopens the
// log and checks it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Log, LogCorruptionError } from "@cairn/log";
import { chunkFileName, encodeMeta, metaFileName, metaTempFileName, openLogWithStorage } from "../src/internal.js";
import { type CrashMode, FaultyStorage } from "./faulty-storage.js";
import { collect, payloadFor, sameBytes, tinyLimits, until } from "./helpers.js";

const dir = "/mem/log";
const path = (name: string): string => `${dir}/${name}`;

/** Appends and waits: records 1..count, each `payloadFor(lsn, size)`. */
async function fill(log: Log, count: number, size = 30): Promise<void> {
  const first = log.tail().durableLsn + 1;
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(payloadFor(first + i, size))));
}

/** Every record from the trim point on, checked against its payload; returns their LSNs. */
async function checkAll(log: Log, size = 30): Promise<number[]> {
  const records = await collect(log.read(log.tail().trimPoint + 1));
  for (const r of records) expect(sameBytes(r.payload, payloadFor(r.lsn, size))).toBe(true);
  return records.map((r) => r.lsn);
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);

describe("crash with an unsynced last batch", () => {
  it.each(["lose", "tear", "garbage", "scatter", "keep"] as CrashMode[])(
    "%s: acknowledged records survive, the rest is a valid prefix or gone",
    async (mode) => {
      for (let round = 0; round < 20; round++) {
        const storage = new FaultyStorage();
        const log = await openLogWithStorage(storage, dir, tinyLimits);
        await fill(log, 30); // acknowledged, across two chunks
        storage.stallSyncs = true;
        const unacked = Array.from({ length: 8 }, (_, i) => log.append(payloadFor(31 + i, 30)));
        let acked = 0;
        for (const p of unacked) void p.then(() => acked++);
        await until(() => storage.stalledSyncs > 0);
        expect(acked).toBe(0); // the batch is written, its fdatasync never returns
        storage.crash(mode);

        const reopened = await openLogWithStorage(storage, dir, tinyLimits);
        const tail = reopened.tail().durableLsn;
        expect(tail).toBeGreaterThanOrEqual(30);
        expect(tail).toBeLessThanOrEqual(38);
        if (mode === "lose") expect(tail).toBe(30);
        if (mode === "keep") expect(tail).toBe(38);
        expect(await checkAll(reopened)).toEqual(range(1, tail));
        // Nothing follows the last valid record: the next append lands right after it, readable.
        expect(await reopened.append(payloadFor(tail + 1, 30))).toBe(tail + 1);
        expect(await checkAll(reopened)).toEqual(range(1, tail + 1));
        const truncation = reopened.recovery.truncation;
        if (truncation !== null) expect(truncation.file).toMatch(/\.chunk$/);
        await reopened.close();
      }
    },
  );

  it("a torn write in the first batch of a new chunk (header included) resets that chunk", async () => {
    for (let round = 0; round < 20; round++) {
      const storage = new FaultyStorage();
      const log = await openLogWithStorage(storage, dir, tinyLimits);
      await fill(log, 21); // exactly one full chunk: 20 + 21 * 46 = 986 bytes
      storage.stallSyncs = true;
      void log.append(payloadFor(22, 30));
      await until(() => storage.stalledSyncs > 0);
      storage.stallSyncs = false;
      // The new chunk's directory entry is durable only after its fdatasync: make it so, then tear.
      await storage.syncDir(dir);
      storage.crash("tear");
      const reopened = await openLogWithStorage(storage, dir, tinyLimits);
      const tail = reopened.tail().durableLsn;
      expect([21, 22]).toContain(tail);
      expect(await checkAll(reopened)).toEqual(range(1, tail));
      expect(await reopened.append(payloadFor(tail + 1, 30))).toBe(tail + 1);
      await reopened.close();
    }
  });

  it("a chunk whose directory entry never became durable vanishes with its unacknowledged records", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 21);
    storage.stallSyncs = true;
    void log.append(payloadFor(22, 30));
    await until(() => storage.stalledSyncs > 0);
    expect(storage.fileNames(dir)).toContain(chunkFileName(22));
    storage.crash("keep");
    expect(storage.fileNames(dir)).not.toContain(chunkFileName(22));
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.tail().durableLsn).toBe(21);
    expect(await reopened.append(payloadFor(22, 30))).toBe(22);
    expect(await checkAll(reopened)).toEqual(range(1, 22));
    await reopened.close();
  });
});

describe("flipped bits", () => {
  it("in the last chunk: truncates at the damaged record and reports it", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 30); // chunk 22 holds 22..30
    await log.close();
    const last = path(chunkFileName(22));
    const offsetOf25 = 20 + 3 * 46;
    storage.flipBit(last, offsetOf25 + 20, 3); // a payload byte of record 25
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.tail().durableLsn).toBe(24);
    expect(reopened.recovery.truncation).toEqual({ file: last, offset: offsetOf25, bytesDiscarded: 6 * 46, reason: "checksum mismatch" });
    expect(storage.fileSize(last)).toBe(offsetOf25);
    expect(await checkAll(reopened)).toEqual(range(1, 24));
    await reopened.close();
  });

  it("in an older chunk: reading it is a LogCorruptionError naming the file and offset", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 50);
    await log.close();
    const older = path(chunkFileName(22));
    const offsetOf30 = 20 + 8 * 46;
    storage.flipBit(older, offsetOf30 + 9, 0); // a byte of record 30's LSN field
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.tail().durableLsn).toBe(50); // recovery only looks at the last chunk
    expect(reopened.recovery.truncation).toBeNull();
    const error: unknown = await collect(reopened.read(25)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogCorruptionError);
    expect(error).toMatchObject({ code: "ERR_LOG_CORRUPT_RECORD", file: older, offset: offsetOf30, reason: "checksum mismatch" });
    expect(() => [...reopened.readSync(22)]).toThrow(LogCorruptionError);
    // Records before the damage and in other chunks still read; the damage is never skipped over.
    expect((await collect(reopened.read(22, { toLsn: 29 }))).length).toBe(8);
    expect((await collect(reopened.read(43))).length).toBe(8);
    await reopened.close();
  });

  it("in an older chunk's header: reading it is a LogCorruptionError", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 50);
    await log.close();
    storage.flipBit(path(chunkFileName(1)), 2);
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    await expect(collect(reopened.read(1))).rejects.toMatchObject({ code: "ERR_LOG_CORRUPT_RECORD", offset: 0 });
    await reopened.close();
  });

  it("in the metadata file: open fails with LogCorruptionError", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 30);
    await log.trim(5);
    await log.close();
    storage.flipBit(path(metaFileName), 9);
    await expect(openLogWithStorage(storage, dir, tinyLimits)).rejects.toMatchObject({
      code: "ERR_LOG_CORRUPT_RECORD",
      file: path(metaFileName),
      reason: "metadata checksum mismatch",
    });
  });
});

describe("damaged chunk sets", () => {
  it("an older chunk cut short is a LogCorruptionError when read", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 50);
    await log.close();
    const older = path(chunkFileName(1));
    const fd = await storage.open(older, "write");
    await storage.truncate(fd, 20 + 10 * 46 + 7);
    await storage.close(fd);
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    await expect(collect(reopened.read(1))).rejects.toMatchObject({
      code: "ERR_LOG_CORRUPT_RECORD",
      file: older,
      offset: 20 + 10 * 46,
      reason: "record LSN 11 cut short at end of chunk",
    });
    await reopened.close();
  });

  it("a missing chunk in the middle is a LogCorruptionError when read across", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 70);
    await log.close();
    await storage.unlink(path(chunkFileName(22)));
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    await expect(collect(reopened.read(1))).rejects.toMatchObject({
      code: "ERR_LOG_CORRUPT_RECORD",
      file: path(chunkFileName(1)),
      offset: 20 + 21 * 46,
      reason: "chunk ends before LSN 22, which no later chunk holds",
    });
    await reopened.close();
  });

  it("a missing first chunk (nothing trimmed) fails the open", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 50);
    await log.close();
    await storage.unlink(path(chunkFileName(1)));
    await expect(openLogWithStorage(storage, dir, tinyLimits)).rejects.toMatchObject({
      code: "ERR_LOG_CORRUPT_RECORD",
      reason: "records 1..21 are missing: no chunk holds them and the trim point is 0",
    });
  });

  it("a trim point beyond the recovered tail fails the open", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 30);
    await log.close();
    const fd = await storage.open(path(metaFileName), "replace");
    await new Promise<void>((resolve) => storage.writev(fd, [encodeMeta({ trimPoint: 35, sealed: false })], 0, () => resolve()));
    await storage.close(fd);
    await expect(openLogWithStorage(storage, dir, tinyLimits)).rejects.toMatchObject({ code: "ERR_LOG_CORRUPT_RECORD" });
  });
});

describe("interrupted trim and metadata writes", () => {
  it("a trim whose chunk deletions did not happen is finished by the next open", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 70);
    storage.failNext("unlink");
    await expect(log.trim(50)).rejects.toMatchObject({ code: "ERR_LOG_IO" });
    expect(log.tail().trimPoint).toBe(50); // persisted before the deletions
    await log.close();
    storage.crash("lose");
    expect(storage.fileNames(dir)).toContain(chunkFileName(1));
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.recovery.chunksDeleted).toBe(2);
    expect(storage.fileNames(dir).filter((n) => n.endsWith(".chunk"))).toEqual([43, 64].map(chunkFileName));
    expect(await checkAll(reopened)).toEqual(range(51, 70));
    await reopened.close();
  });

  it("a crash during a metadata write leaves the old metadata and a stray temp file that open removes", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 30);
    await log.trim(5);
    storage.failNext("rename");
    await expect(log.trim(20)).rejects.toMatchObject({ code: "ERR_LOG_IO" });
    await storage.syncDir(dir); // make the temp file's entry durable, as a real crash might
    storage.crash("keep");
    expect(storage.fileNames(dir)).toContain(metaTempFileName);
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.tail()).toEqual({ durableLsn: 30, trimPoint: 5, sealed: false });
    expect(storage.fileNames(dir)).not.toContain(metaTempFileName);
    await reopened.close();
  });

  it("a trim never lost once acknowledged, a seal neither", async () => {
    const storage = new FaultyStorage();
    const log = await openLogWithStorage(storage, dir, tinyLimits);
    await fill(log, 30);
    await log.trim(25);
    await log.seal();
    storage.crash("lose");
    const reopened = await openLogWithStorage(storage, dir, tinyLimits);
    expect(reopened.tail()).toEqual({ durableLsn: 30, trimPoint: 25, sealed: true });
    await reopened.close();
  });
});

describe("random crash schedules", () => {
  it("acknowledged records always survive and the log stays consistent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            appends: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 12 }),
            stall: fc.boolean(),
            mode: fc.constantFrom<CrashMode>("lose", "tear", "garbage", "scatter", "keep"),
            trimBy: fc.integer({ min: 0, max: 10 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer(),
        async (rounds, seed) => {
          let state = seed >>> 0 || 1;
          const random = (): number => {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            return (state >>> 0) / 2 ** 32;
          };
          const storage = new FaultyStorage(random);
          // What the log may hold: LSN → payload of every append ever issued, acked or not.
          const issued = new Map<number, Uint8Array>();
          let acked = 0;
          let trimPoint = 0;
          for (const round of rounds) {
            const log = await openLogWithStorage(storage, dir, tinyLimits);
            const tail = log.tail();
            expect(tail.durableLsn).toBeGreaterThanOrEqual(acked);
            expect(tail.trimPoint).toBe(trimPoint);
            const records = await collect(log.read(tail.trimPoint + 1));
            expect(records.map((r) => r.lsn)).toEqual(range(tail.trimPoint + 1, tail.durableLsn));
            for (const r of records) expect(sameBytes(r.payload, issued.get(r.lsn) ?? new Uint8Array(1))).toBe(true);
            acked = tail.durableLsn; // what survived is now durable, and later rounds must keep it
            for (const lsn of [...issued.keys()]) if (lsn > acked) issued.delete(lsn);

            await log.trim(tail.trimPoint + round.trimBy);
            trimPoint = log.tail().trimPoint;
            if (round.stall) storage.stallSyncs = true;
            let next = acked + 1;
            const pending = round.appends.map((size) => {
              const payload = payloadFor(next, size % 180);
              issued.set(next++, payload);
              return log.append(payload).then((lsn) => (acked = Math.max(acked, lsn)));
            });
            if (round.stall) await until(() => storage.stalledSyncs > 0 || pending.length === 0);
            else await Promise.all(pending);
            storage.crash(round.mode);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
