// Goal: the small data structures under the log (waiter heap, FIFO, sparse chunk index) keep their
// invariants; method: fast-check operation sequences compared with plain-array models.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Chunk, Fifo, LsnWaiters, type Waiter, findChunkIndex } from "../src/internal.js";

describe("LsnWaiters (W1, W2)", () => {
  it("resolves exactly the waiters at or below each durable LSN, each once, in LSN order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ add: fc.nat(200) }), fc.record({ release: fc.nat(200) }), fc.record({ cancel: fc.nat() }))),
        (ops) => {
          const waiters = new LsnWaiters();
          const live: Waiter[] = [];
          const settleCount = new Map<Waiter, number>();
          const bump = (w: Waiter): void => void settleCount.set(w, (settleCount.get(w) ?? 0) + 1);
          let released: number[] = [];
          for (const op of ops) {
            if ("add" in op) {
              const w: Waiter = {
                lsn: op.add,
                resolve: () => {
                  released.push(w.lsn);
                  bump(w);
                },
                reject: () => bump(w),
                settled: false,
                cleanup: null,
              };
              waiters.add(w);
              live.push(w);
            } else if ("release" in op) {
              released = [];
              const expected = live.filter((w) => !w.settled && w.lsn <= op.release).map((w) => w.lsn).sort((a, b) => a - b);
              waiters.releaseUpTo(op.release);
              expect(released).toEqual(expected);
            } else if (live.length > 0) {
              waiters.cancel(live[op.cancel % live.length] as Waiter, new Error("aborted"));
            }
            expect(waiters.size).toBe(live.filter((w) => !w.settled).length);
          }
          for (const count of settleCount.values()) expect(count).toBe(1);
        },
      ),
    );
  });

  it("rejects the waiters above an LSN and keeps the others", () => {
    const waiters = new LsnWaiters();
    const outcome: string[] = [];
    for (const lsn of [5, 1, 9, 3]) {
      waiters.add({ lsn, resolve: () => outcome.push(`ok ${lsn}`), reject: () => outcome.push(`no ${lsn}`), settled: false, cleanup: null });
    }
    waiters.rejectAbove(4, () => new Error("sealed"));
    expect(outcome.sort()).toEqual(["no 5", "no 9"]);
    waiters.releaseUpTo(10);
    expect(outcome.sort()).toEqual(["no 5", "no 9", "ok 1", "ok 3"]);
    expect(waiters.size).toBe(0);
  });
});

describe("Fifo", () => {
  it("behaves as an array queue under any push/shift sequence", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3000 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(fifo.shift()).toBe(model.shift());
          else {
            fifo.push(op);
            model.push(op);
          }
          expect(fifo.length).toBe(model.length);
          expect(fifo.peek()).toBe(model[0]);
        }
        expect(fifo.drain()).toEqual(model);
        expect(fifo.length).toBe(0);
      }),
    );
  });
});

describe("Chunk index (C1)", () => {
  it("finds the nearest entry at or below an LSN and keeps entries sparse and increasing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 500 }), fc.nat(2_000_000), (sizes, probe) => {
        const chunk = new Chunk("/x", 1000, -1);
        let offset = 20;
        sizes.forEach((size, i) => {
          chunk.noteFrame(1000 + i, offset);
          offset += 16 + size;
        });
        for (let i = 1; i < chunk.indexLsns.length; i++) {
          expect(chunk.indexLsns[i]).toBeGreaterThan(chunk.indexLsns[i - 1] as number);
          expect((chunk.indexOffsets[i] as number) - (chunk.indexOffsets[i - 1] as number)).toBeGreaterThanOrEqual(256 * 1024);
        }
        const lsn = 1000 + (probe % (sizes.length + 1));
        const at = chunk.floor(lsn);
        expect(chunk.indexLsns[at]).toBeLessThanOrEqual(lsn);
        if (at + 1 < chunk.indexLsns.length) expect(chunk.indexLsns[at + 1]).toBeGreaterThan(lsn);
      }),
    );
  });

  it("finds the chunk holding an LSN", () => {
    const chunks = [1, 50, 51, 300].map((lsn) => new Chunk(`/c${lsn}`, lsn, -1));
    expect([0, 1, 49, 50, 51, 52, 299, 300, 10_000].map((lsn) => findChunkIndex(chunks, lsn))).toEqual([-1, 0, 0, 1, 2, 2, 2, 3, 3]);
    expect(findChunkIndex([], 5)).toBe(-1);
  });
});
