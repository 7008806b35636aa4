// Callers of `waitFor(lsn)`, kept in a min-heap by LSN so that each durable advance settles the
// ready ones in O(k log n).
//
// Invariants:
//   W1. A waiter is settled exactly once: resolved when its LSN is durable, or rejected (abort,
//       close, seal below its LSN, I/O failure).
//   W2. Aborted waiters leave the heap lazily, and the heap is compacted once they are the majority,
//       so waiting and aborting in a loop cannot grow it without bound (D5).

export interface Waiter {
  readonly lsn: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** Undoes the abort-signal subscription; called when the waiter settles. */
  cleanup: (() => void) | null;
}

const compactLengthMin = 64;

export class LsnWaiters {
  private heap: Waiter[] = [];
  private cancelled = 0;

  get size(): number {
    return this.heap.length - this.cancelled;
  }

  add(waiter: Waiter): void {
    const heap = this.heap;
    heap.push(waiter);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if ((heap[parent] as Waiter).lsn <= waiter.lsn) break;
      heap[i] = heap[parent] as Waiter;
      i = parent;
    }
    heap[i] = waiter;
  }

  /** Rejects one waiter before its time (its signal aborted); W1, W2. */
  cancel(waiter: Waiter, error: unknown): void {
    if (waiter.settled) return;
    settle(waiter);
    waiter.reject(error);
    this.cancelled++;
    if (this.cancelled >= compactLengthMin && this.cancelled * 2 > this.heap.length) this.rebuild(() => true);
  }

  /** Resolves every waiter whose LSN is at most `durableLsn`. */
  releaseUpTo(durableLsn: number): void {
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as Waiter).lsn <= durableLsn) {
      const waiter = this.pop();
      if (waiter.settled) {
        this.cancelled--;
        continue;
      }
      settle(waiter);
      waiter.resolve();
    }
  }

  /** Rejects every waiter whose LSN is above `lsn` (all of them for -1). */
  rejectAbove(lsn: number, error: () => unknown): void {
    this.rebuild((waiter) => {
      if (waiter.lsn <= lsn) return true;
      settle(waiter);
      waiter.reject(error());
      return false;
    });
  }

  private rebuild(keep: (waiter: Waiter) => boolean): void {
    const kept = this.heap.filter((w) => !w.settled && keep(w));
    this.heap = [];
    this.cancelled = 0;
    for (const w of kept) this.add(w);
  }

  private pop(): Waiter {
    const heap = this.heap;
    const top = heap[0] as Waiter;
    const last = heap.pop() as Waiter;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && (heap[right] as Waiter).lsn < (heap[left] as Waiter).lsn ? right : left;
        if ((heap[child] as Waiter).lsn >= last.lsn) break;
        heap[i] = heap[child] as Waiter;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function settle(waiter: Waiter): void {
  waiter.settled = true;
  waiter.cleanup?.();
  waiter.cleanup = null;
}
