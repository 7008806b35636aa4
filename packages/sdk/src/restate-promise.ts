// RestatePromise: a durable operation's result, awaitable like a Promise, composable with
// deterministic combinators.
//
// Owns: the outcome of one operation or combinator, and the order in which outcomes became
// known. Does not own: notification storage, suspension, cancellation (the state machine).
//
// Invariants:
//   P1. An outcome is decided only from notifications, each carrying `seq`, its position in the
//       journal's notification order; it never depends on when JS code happened to look.
//   P2. race/any pick the child with the smallest seq; all picks the failed child with the
//       smallest seq; a combinator's own seq is the seq of the child that decided it (or the
//       largest child seq when every child was needed). So replay decides like the first run.
//   P3. Once settled an outcome never changes; evaluate() is idempotent.
import { CancelledError, TerminalError, TimeoutError } from "./errors.js";
import { type FutureNode, type Leaf, leafNode } from "./future.js";
import { CombinatorType } from "./messages.js";

export type NotificationResult =
  | { readonly kind: "void" }
  | { readonly kind: "value"; readonly value: Uint8Array }
  | { readonly kind: "failure"; readonly code: number; readonly message: string; readonly metadata: Record<string, string> }
  | { readonly kind: "invocationId"; readonly id: string }
  | { readonly kind: "stateKeys"; readonly keys: string[] };

export interface Ready {
  readonly result: NotificationResult;
  readonly seq: number;
}

/** What a promise needs from the invocation that created it. */
export interface PromiseHost {
  lookup(leaf: Leaf): Ready | undefined;
  awaitPromise(promise: BasePromise<unknown>): void;
  sleepFor(durationMs: number): BasePromise<void>;
  abort(error: unknown): void;
}

export interface RestatePromise<T> extends Promise<T> {
  /** Fails with TimeoutError (408) unless this settles within `duration`; recorded as a sleep. */
  orTimeout(duration: number | { milliseconds?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): RestatePromise<T>;
  /** Maps the outcome (value or TerminalError) deterministically. */
  map<U>(mapper: (value?: T, failure?: TerminalError) => U): RestatePromise<U>;
}

const enum State {
  Pending = 0,
  Ok = 1,
  Failed = 2,
}

export abstract class BasePromise<T> implements RestatePromise<T> {
  state: State = State.Pending;
  value: T | undefined;
  error: unknown;
  seq = -1;
  private native: Promise<T> | undefined;
  private resolveNative: ((value: unknown) => void) | undefined;
  private rejectNative: ((error: unknown) => void) | undefined;
  private awaited = false;
  cancelled = false;

  constructor(readonly host: PromiseHost | undefined) {}

  /** Settles from known notifications if possible; returns the deciding seq or -1 (P3). */
  abstract evaluate(): number;
  /** The unresolved part of this promise as a future tree; null once settled or never-settling. */
  abstract node(): FutureNode | null;

  protected settleOk(value: T, seq: number): void {
    this.state = State.Ok;
    this.value = value;
    this.seq = seq;
  }

  protected settleFailed(error: unknown, seq: number): void {
    this.state = State.Failed;
    this.error = error;
    this.seq = seq;
  }

  get isSettled(): boolean {
    return this.state !== State.Pending;
  }

  get failed(): boolean {
    return this.state === State.Failed;
  }

  /** Resolves the native promise handed to `await` (called by the state machine). */
  deliver(): void {
    if (this.state === State.Ok) this.resolveNative?.(this.value);
    else if (this.state === State.Failed) this.rejectNative?.(this.error);
  }

  /** Rejects the awaiting code with CancelledError (implicit cancellation). */
  cancel(): void {
    this.cancelled = true;
    this.rejectNative?.(new CancelledError());
  }

  private nativePromise(): Promise<T> {
    if (this.native === undefined) {
      this.native = new Promise<T>((resolve, reject) => {
        this.resolveNative = resolve as (value: unknown) => void;
        this.rejectNative = reject;
      });
      // The state machine may reject before user code attaches a handler.
      this.native.catch(() => undefined);
    }
    if (!this.awaited) {
      this.awaited = true;
      if (this.cancelled) {
        this.rejectNative?.(new CancelledError());
      } else if (this.evaluate() >= 0 || this.host === undefined) {
        this.deliver();
      } else {
        this.host.awaitPromise(this);
      }
    }
    return this.native;
  }

  /** Re-arms awaiting after a cancellation was delivered: a later `await` is a new wait. */
  rearm(): void {
    this.awaited = false;
    this.native = undefined;
    this.cancelled = false;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.nativePromise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.nativePromise().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.nativePromise().finally(onfinally);
  }

  readonly [Symbol.toStringTag] = "RestatePromise";

  orTimeout(duration: number | { milliseconds?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): RestatePromise<T> {
    if (this.host === undefined) return this;
    const ms = typeof duration === "number" ? duration : durationMs(duration);
    const sleep = this.host.sleepFor(ms);
    return new CombinatorPromise<T>(this.host, "timeout", [this, sleep]);
  }

  map<U>(mapper: (value?: T, failure?: TerminalError) => U): RestatePromise<U> {
    return new MappedPromise<T, U>(this.host, this, mapper);
  }
}

function durationMs(d: { milliseconds?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): number {
  return (d.days ?? 0) * 86_400_000 + (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
}

/** One operation: settles when the notification for its leaf is known. */
export class SinglePromise<T> extends BasePromise<T> {
  constructor(
    host: PromiseHost,
    readonly leaf: Leaf,
    private readonly mapResult: (result: NotificationResult) => T,
  ) {
    super(host);
  }

  evaluate(): number {
    if (this.state !== State.Pending) return this.seq;
    const ready = this.host!.lookup(this.leaf);
    if (ready === undefined) return -1;
    try {
      this.settleOk(this.mapResult(ready.result), ready.seq);
    } catch (e) {
      this.settleFailed(e, ready.seq);
    }
    return this.seq;
  }

  node(): FutureNode | null {
    return this.state !== State.Pending ? null : leafNode(this.leaf);
  }
}

/** A call: its result, plus the callee's invocation id as a promise of its own. */
export class InvocationPromise<T> extends SinglePromise<T> {
  constructor(
    host: PromiseHost,
    leaf: Leaf,
    mapResult: (result: NotificationResult) => T,
    readonly invocationId: RestatePromise<string>,
  ) {
    super(host, leaf, mapResult);
  }
}

/** Already settled (seq 0), or never settling (an aborted attempt). */
export class ConstPromise<T> extends BasePromise<T> {
  constructor(outcome: { ok: T } | { error: unknown } | "never", host?: PromiseHost) {
    super(host);
    if (outcome === "never") return;
    if ("ok" in outcome) this.settleOk(outcome.ok, 0);
    else this.settleFailed(outcome.error, 0);
  }

  evaluate(): number {
    return this.state === State.Pending ? -1 : 0;
  }

  node(): FutureNode | null {
    return null;
  }

  override orTimeout(): RestatePromise<T> {
    return this.state === State.Pending ? new ConstPromise<T>({ error: new TimeoutError() }) : this;
  }
}

export type CombinatorKind = "all" | "race" | "any" | "allSettled" | "timeout";

const COMBINATOR_TYPES: Record<CombinatorKind, number> = {
  all: CombinatorType.AllSucceededOrFirstFailed,
  race: CombinatorType.FirstCompleted,
  any: CombinatorType.FirstSucceededOrAllFailed,
  allSettled: CombinatorType.AllCompleted,
  timeout: CombinatorType.Unknown,
};

export class CombinatorPromise<T> extends BasePromise<T> {
  constructor(
    host: PromiseHost | undefined,
    private readonly kind: CombinatorKind,
    private readonly children: ReadonlyArray<BasePromise<unknown>>,
  ) {
    super(host);
  }

  evaluate(): number {
    if (this.state !== State.Pending) return this.seq;
    const children = this.children;
    let minOk: BasePromise<unknown> | undefined;
    let minFailed: BasePromise<unknown> | undefined;
    let maxSeq = 0;
    let settled = 0;
    for (const child of children) {
      const s = child.evaluate();
      if (s < 0) continue;
      settled++;
      if (s > maxSeq) maxSeq = s;
      if (child.failed) {
        if (minFailed === undefined || s < minFailed.seq) minFailed = child;
      } else if (minOk === undefined || s < minOk.seq) {
        minOk = child;
      }
    }
    const all = settled === children.length;
    switch (this.kind) {
      case "race":
      case "timeout": {
        const first = pickMin(minOk, minFailed);
        if (first === undefined) return -1;
        if (this.kind === "timeout" && first === children[1]) this.settleFailed(new TimeoutError(), first.seq);
        else if (first.failed) this.settleFailed(first.error, first.seq);
        else this.settleOk(first.value as T, first.seq);
        break;
      }
      case "all":
        if (minFailed !== undefined) this.settleFailed(minFailed.error, minFailed.seq);
        else if (all) this.settleOk(children.map((c) => c.value) as T, maxSeq);
        else return -1;
        break;
      case "any":
        if (minOk !== undefined) this.settleOk(minOk.value as T, minOk.seq);
        else if (all) this.settleFailed(new AggregateError(children.map((c) => c.error), "All promises were rejected"), maxSeq);
        else return -1;
        break;
      case "allSettled":
        if (!all) return -1;
        this.settleOk(
          children.map((c) => (c.failed ? { status: "rejected", reason: c.error } : { status: "fulfilled", value: c.value })) as T,
          maxSeq,
        );
        break;
    }
    return this.seq;
  }

  node(): FutureNode | null {
    if (this.state !== State.Pending) return null;
    const out: FutureNode = { combinator: COMBINATOR_TYPES[this.kind], leaves: [], nested: [] };
    for (const child of this.children) {
      const n = child.node();
      if (n === null) continue;
      if (n.nested.length === 0 && n.leaves.length === 1) out.leaves.push(n.leaves[0]!);
      else out.nested.push(n);
    }
    return out.leaves.length === 0 && out.nested.length === 0 ? null : out;
  }
}

function pickMin(a: BasePromise<unknown> | undefined, b: BasePromise<unknown> | undefined): BasePromise<unknown> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.seq <= b.seq ? a : b;
}

export class MappedPromise<T, U> extends BasePromise<U> {
  constructor(
    host: PromiseHost | undefined,
    private readonly inner: BasePromise<T>,
    private readonly mapper: (value?: T, failure?: TerminalError) => U,
  ) {
    super(host);
  }

  evaluate(): number {
    if (this.state !== State.Pending) return this.seq;
    const s = this.inner.evaluate();
    if (s < 0) return -1;
    try {
      const mapped = this.inner.failed
        ? this.inner.error instanceof TerminalError
          ? this.mapper(undefined, this.inner.error)
          : rethrow(this.inner.error)
        : this.mapper(this.inner.value);
      this.settleOk(mapped, s);
    } catch (e) {
      if (e instanceof TerminalError) {
        this.settleFailed(e, s);
      } else {
        // A non-terminal failure in a mapper is a bug to retry, like an exception in the handler.
        this.host?.abort(e);
        return -1;
      }
    }
    return this.seq;
  }

  node(): FutureNode | null {
    if (this.state !== State.Pending) return null;
    const n = this.inner.node();
    return n === null ? null : { combinator: CombinatorType.Unknown, leaves: [], nested: [n] };
  }
}

function rethrow(e: unknown): never {
  throw e;
}

function hostOf(promises: ReadonlyArray<unknown>): PromiseHost | undefined {
  let host: PromiseHost | undefined;
  promises.forEach((p, i) => {
    if (!(p instanceof BasePromise)) {
      throw new TypeError(`Promise at index ${i} is not a RestatePromise; only promises returned by the context can be combined`);
    }
    if (p.host !== undefined) {
      if (host !== undefined && host !== p.host) throw new TypeError("RestatePromises of different invocations cannot be combined");
      host = p.host;
    }
  });
  return host;
}

type Awaitables<T extends readonly unknown[]> = { -readonly [P in keyof T]: Awaited<T[P]> };
type Settled<T extends readonly unknown[]> = { -readonly [P in keyof T]: PromiseSettledResult<Awaited<T[P]>> };

/** Deterministic combinators over RestatePromises (replay decides exactly like the first run). */
export const RestatePromise = {
  resolve<T>(value: T): RestatePromise<Awaited<T>> {
    return new ConstPromise<Awaited<T>>({ ok: value as Awaited<T> });
  },
  reject<T = never>(reason: TerminalError): RestatePromise<T> {
    return new ConstPromise<T>({ error: reason });
  },
  all<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaitables<T>> {
    return new CombinatorPromise<Awaitables<T>>(hostOf(values), "all", values as unknown as BasePromise<unknown>[]);
  },
  race<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaited<T[number]>> {
    return new CombinatorPromise<Awaited<T[number]>>(hostOf(values), "race", values as unknown as BasePromise<unknown>[]);
  },
  any<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaited<T[number]>> {
    return new CombinatorPromise<Awaited<T[number]>>(hostOf(values), "any", values as unknown as BasePromise<unknown>[]);
  },
  allSettled<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Settled<T>> {
    return new CombinatorPromise<Settled<T>>(hostOf(values), "allSettled", values as unknown as BasePromise<unknown>[]);
  },
};

export function isRestatePromise(p: unknown): p is RestatePromise<unknown> {
  return p instanceof BasePromise;
}
