// Goal: any sequence of appends, batch appends, reads, trims and reopens yields exactly the
// records appended, in order; method: fast-check model-based runs against an array model, with
// limits small enough that batches split and chunks roll over every few records, on the
// in-memory disk (many runs) and on the real disk (fewer runs).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Log, LogTrimmedError, openLog } from "@cairn/log";
import { openLogWithStorage } from "../src/internal.js";
import { FaultyStorage } from "./faulty-storage.js";
import { collect, payloadFor, sameBytes, tempDir } from "./helpers.js";

const limits = { chunkBytesMax: 600, recordBytesMax: 120, batchBytesMax: 300, inFlightBytesMax: 600 } as const;

interface Model {
  /** payloads[i] is the payload of LSN i + 1. */
  payloads: Uint8Array[];
  trimPoint: number;
}

interface Real {
  log: Log;
  reopen: () => Promise<Log>;
}

type Command = fc.AsyncCommand<Model, Real>;

let serial = 0;
const payload = (size: number): Uint8Array => payloadFor(++serial, size);

function expectRecords(records: readonly { lsn: number; payload: Uint8Array }[], model: Model, from: number, to: number): void {
  const last = Math.min(to, model.payloads.length);
  expect(records.map((r) => r.lsn)).toEqual(Array.from({ length: Math.max(0, last - from + 1) }, (_, i) => from + i));
  for (const r of records) expect(sameBytes(r.payload, model.payloads[r.lsn - 1] as Uint8Array)).toBe(true);
}

class Append implements Command {
  constructor(readonly sizes: readonly number[]) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    // Concurrent appends: LSNs follow call order.
    const payloads = this.sizes.map(payload);
    const lsns = await Promise.all(payloads.map((p) => real.log.append(p)));
    expect(lsns).toEqual(payloads.map((_, i) => model.payloads.length + i + 1));
    model.payloads.push(...payloads);
    expect(real.log.tail().durableLsn).toBe(model.payloads.length);
  }
  toString(): string {
    return `Append(${this.sizes.join(",")})`;
  }
}

class AppendBatch implements Command {
  constructor(readonly sizes: readonly number[]) {}
  check(): boolean {
    return this.sizes.reduce((sum, s) => sum + 16 + s, 0) <= limits.batchBytesMax;
  }
  async run(model: Model, real: Real): Promise<void> {
    const payloads = this.sizes.map(payload);
    expect(await real.log.appendBatch(payloads)).toBe(model.payloads.length + payloads.length);
    model.payloads.push(...payloads);
  }
  toString(): string {
    return `AppendBatch(${this.sizes.join(",")})`;
  }
}

class Read implements Command {
  constructor(
    readonly from: number,
    readonly span: number | null,
    readonly sync: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const from = model.trimPoint + 1 + this.from;
    const to = this.span === null ? Number.MAX_SAFE_INTEGER : from + this.span;
    const records = this.sync ? [...real.log.readSync(from, to)] : await collect(real.log.read(from, { toLsn: to }));
    expectRecords(records, model, from, to);
    if (model.trimPoint > 0) {
      await expect(collect(real.log.read(model.trimPoint))).rejects.toBeInstanceOf(LogTrimmedError);
    }
  }
  toString(): string {
    return `Read(+${this.from}, ${this.span ?? "tail"}, ${this.sync ? "sync" : "async"})`;
  }
}

class Trim implements Command {
  constructor(readonly by: number) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const upto = model.trimPoint + this.by;
    await real.log.trim(upto);
    model.trimPoint = Math.max(model.trimPoint, Math.min(upto, model.payloads.length));
    expect(real.log.tail()).toEqual({ durableLsn: model.payloads.length, trimPoint: model.trimPoint, sealed: false });
  }
  toString(): string {
    return `Trim(+${this.by})`;
  }
}

class Reopen implements Command {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    await real.log.close();
    real.log = await real.reopen();
    expect(real.log.tail()).toEqual({ durableLsn: model.payloads.length, trimPoint: model.trimPoint, sealed: false });
    expect(real.log.recovery.truncation).toBeNull();
    expectRecords(await collect(real.log.read(model.trimPoint + 1)), model, model.trimPoint + 1, Number.MAX_SAFE_INTEGER);
  }
  toString(): string {
    return "Reopen";
  }
}

const size = fc.integer({ min: 0, max: limits.recordBytesMax });
const commands = [
  fc.array(size, { minLength: 1, maxLength: 12 }).map((sizes) => new Append(sizes)),
  fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 4 }).map((sizes) => new AppendBatch(sizes)),
  fc.tuple(fc.nat(40), fc.option(fc.nat(30), { nil: null }), fc.boolean()).map(([from, span, sync]) => new Read(from, span, sync)),
  fc.nat(25).map((by) => new Trim(by)),
  fc.constant(new Reopen()),
];

async function runModel(open: () => Promise<Log>, cmds: Iterable<Command>): Promise<void> {
  const real: Real = { log: await open(), reopen: open };
  try {
    await fc.asyncModelRun(() => ({ model: { payloads: [], trimPoint: 0 }, real }), cmds);
  } finally {
    await real.log.close();
  }
}

describe("log model", () => {
  it("on the in-memory disk, yields exactly the records appended, in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: "+1" }), async (cmds) => {
        const storage = new FaultyStorage();
        await runModel(() => openLogWithStorage(storage, "/mem/model", limits), cmds);
      }),
      { numRuns: 120 },
    );
  });

  it("on the real disk, yields exactly the records appended, in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "+1" }), async (cmds) => {
        const dir = tempDir();
        await runModel(() => openLog(dir, { ...limits, fsync: false }), cmds);
      }),
      { numRuns: 25 },
    );
  });
});
