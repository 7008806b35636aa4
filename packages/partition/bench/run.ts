// Benchmark of the partition store's group commit (DESIGN.md invariant 2): the records of greet
// calls (an Invoke, then a Journal record with the Output and the End) applied to a fresh SQLite
// store in drains of 4 records, with one COMMIT per drain (the reference, what the store did
// before) against one COMMIT per window of drains (what it does now: a 20 ms window holds about
// 16 drains at 50 connections on a 2-core machine). Reported: CPU per record of each (the apply,
// the statements and the COMMIT's WAL writes, all on this thread) and their ratio, measured in the
// same run, rounds alternating.
//
// Run: `pnpm run bench` in packages/partition (compiles this file with tsc, then runs it on Node).
// Options: `--quick` for a smoke run.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageType, OutputCommandMessageSchema, create, encodeProto, formatInvocationId, newInvocationId } from "@cairn/protocol";
import { Processor, Store, decodeCommand, emptyEffects, encodeCommand, type Command } from "../src/internal.js";

const quick = process.argv.includes("--quick");
const calls = quick ? 1_000 : 6_000;
const rounds = quick ? 2 : 5;
const drainRecords = 4;
const windowDrains = [1, 4, 16];

function greetRecords(count: number): Uint8Array[] {
  const records: Uint8Array[] = [];
  const output = encodeProto(
    OutputCommandMessageSchema,
    create(OutputCommandMessageSchema, { result: { case: "value", value: { content: new TextEncoder().encode('"Hello, bench!"') } } }),
  );
  const pending: string[] = [];
  let now = Date.now();
  const invoke = (): void => {
    const id = formatInvocationId(newInvocationId());
    pending.push(id);
    const command: Command = {
      k: "inv",
      now: now++,
      inv: { id, svc: "BenchGreeter", hnd: "greet", sty: "SERVICE", hty: null, hdrs: [["content-type", "application/json"]], body: new TextEncoder().encode('"bench"'), by: { t: "ingress" } },
    };
    records.push(encodeCommand(command));
  };
  // Interleaved as under load: a few calls are in flight between an Invoke and its Journal record.
  for (let i = 0; i < 8; i++) invoke();
  for (let i = 8; i < count + 8; i++) {
    if (i < count) invoke();
    const id = pending.shift();
    if (id === undefined) break;
    records.push(encodeCommand({ k: "jrn", now: now++, id, pin: ["dp_bench", 6], e: [[MessageType.OutputCommand, output, 0]], end: true }));
  }
  return records;
}

/** CPU µs per record of applying `records` with a COMMIT every `drainsPerCommit` drains. */
function measure(records: readonly Uint8Array[], drainsPerCommit: number): number {
  const dir = mkdtempSync(join(tmpdir(), "cairn-partition-bench-"));
  const store = Store.open(join(dir, "store.sqlite"));
  try {
    const processor = new Processor(store, { partition: 0, partitionCount: 1, inboxLengthMax: 1_000 });
    const started = process.cpuUsage();
    let drains = 0;
    for (let i = 0; i < records.length; i += drainRecords) {
      store.begin();
      const fx = emptyEffects();
      for (let j = i; j < Math.min(i + drainRecords, records.length); j++) processor.apply(decodeCommand(records[j] as Uint8Array), j + 1, fx);
      drains += 1;
      if (drains % drainsPerCommit === 0) store.commit();
    }
    store.commit();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / records.length;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const records = greetRecords(calls);
const results = new Map<number, number[]>(windowDrains.map((w) => [w, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? windowDrains : [...windowDrains].reverse();
  for (const w of order) results.get(w)?.push(measure(records, w));
}
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const reference = median(results.get(1) ?? []);
console.log(`partition store: ${records.length} records of ${calls} greet calls, drains of ${drainRecords} records, ${rounds} rounds (median)`);
for (const w of windowDrains) {
  const m = median(results.get(w) ?? []);
  const label = w === 1 ? "COMMIT per drain (reference)" : `COMMIT per ${w} drains`;
  console.log(`  ${label.padEnd(30)} ${m.toFixed(1).padStart(7)} µs/record  ${(m / reference).toFixed(2)}×`);
}
