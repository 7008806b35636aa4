// The context API handed to handlers: durable steps, timers, state, calls, awakeables, promises,
// signals and deterministic time/randomness, each recorded through the state machine.
import { type ClientCallOptions, type ClientSendOptions, getHandlerMeta, type HandlerKind, Opts, SendOpts } from "./definitions.js";
import { type Duration, durationToMs } from "./duration.js";
import { ensureError, TerminalError } from "./errors.js";
import { LeafKind } from "./future.js";
import { replayAwareConsole, type Logger } from "./logger.js";
import { MessageType } from "./messages.js";
import type { Msg } from "./protobuf.js";
import { DeterministicRand, type Rand } from "./rand.js";
import {
  type BasePromise,
  ConstPromise,
  InvocationPromise,
  type NotificationResult,
  type RestatePromise,
  SinglePromise,
} from "./restate-promise.js";
import { serde as serdes, type Serde } from "./serde.js";
import {
  AttemptClosed,
  compareCall,
  compareCid,
  compareCompleteAwakeable,
  compareCompletePromise,
  compareKey,
  compareKeyAndCid,
  compareNothing,
  compareOneWayCall,
  compareSendSignal,
  compareSetState,
  compareTarget,
  failureMsg,
  type RunRetryPolicy,
  type StartInfo,
  type StateMachine,
} from "./state-machine.js";
import { RUN_RETRY_FACTOR, RUN_RETRY_INITIAL_INTERVAL_MS, RUN_RETRY_MAX_INTERVAL_MS } from "./constants.js";

export type InvocationId = string;

export interface Request {
  /** The invocation id, `inv_1…`. */
  readonly id: InvocationId;
  /** Headers the invocation was created with (ingress request headers, or the caller's). */
  readonly headers: ReadonlyMap<string, string>;
  /** HTTP headers of this attempt's request from the runtime. */
  readonly attemptHeaders: ReadonlyMap<string, string | string[] | undefined>;
  /** Raw input bytes. */
  readonly body: Uint8Array;
  /** Object or workflow key ("" for services). */
  readonly key: string;
  /** Idempotency key the invocation was created with (protocol V7 only). */
  readonly idempotencyKey?: string | undefined;
  /** Aborted when this attempt ends (suspension, error or completion). */
  readonly attemptCompletedSignal: AbortSignal;
  readonly extraArgs: unknown[];
}

export interface RunOptions<T> {
  serde?: Serde<T>;
  /** Attempts (including the first) before the failure becomes terminal. */
  maxRetryAttempts?: number;
  /** Total time across attempts before the failure becomes terminal. */
  maxRetryDuration?: Duration | number;
  initialRetryInterval?: Duration | number;
  retryIntervalFactor?: number;
  maxRetryInterval?: Duration | number;
}

export type RunAction<T> = () => Promise<T> | T;

export interface ContextDate {
  /** Date.now(), recorded once and replayed. */
  now(): Promise<number>;
  /** new Date().toJSON(), recorded once and replayed. */
  toJSON(): Promise<string>;
}

export interface InvocationHandle {
  readonly invocationId: Promise<InvocationId>;
}

export interface SignalReference<T> {
  resolve(payload?: T): void;
  reject(reason: string | TerminalError): void;
}

export interface InvocationReference {
  signal<T>(name: string, serde?: Serde<T>): SignalReference<T>;
  cancel(): void;
  attach<T>(serde?: Serde<T>): RestatePromise<T>;
  /** The output if the invocation completed, else undefined; never blocks. */
  output<T>(serde?: Serde<T>): RestatePromise<T | undefined>;
}

export interface DurablePromise<T> extends Promise<T> {
  get(): RestatePromise<T>;
  peek(): RestatePromise<T | undefined>;
  resolve(value?: T): RestatePromise<void>;
  reject(errorMsg: string): RestatePromise<void>;
}

export interface GenericCall<I, O> {
  service: string;
  method: string;
  parameter: I;
  key?: string | undefined;
  headers?: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
  inputSerde?: Serde<I> | undefined;
  outputSerde?: Serde<O> | undefined;
  name?: string | undefined;
}

export interface GenericSend<I> {
  service: string;
  method: string;
  parameter: I;
  key?: string | undefined;
  headers?: Record<string, string> | undefined;
  delay?: Duration | number | undefined;
  idempotencyKey?: string | undefined;
  inputSerde?: Serde<I> | undefined;
  name?: string | undefined;
}

type InferArg<P> = P extends [infer A, ...unknown[]] ? A : unknown;
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Client<M> = {
  [K in keyof M as M[K] extends (...args: any[]) => any ? K : never]: M[K] extends (ctx: any, ...args: infer P) => PromiseLike<infer O>
    ? (...args: [...P, ...[opts?: Opts<InferArg<P>, O>]]) => InvocationPromise<O>
    : never;
};
export type SendClient<M> = {
  [K in keyof M as M[K] extends (...args: any[]) => any ? K : never]: M[K] extends (ctx: any, ...args: infer P) => any
    ? (...args: [...P, ...[opts?: SendOpts<InferArg<P>>]]) => InvocationHandle
    : never;
};
interface DefinitionRef<M> {
  readonly name: string;
  readonly handlers?: M;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface Context {
  readonly rand: Rand;
  readonly date: ContextDate;
  readonly console: Console;
  request(): Request;
  run<T>(action: RunAction<T>): RestatePromise<T>;
  run<T>(name: string, action: RunAction<T>, options?: RunOptions<T>): RestatePromise<T>;
  sleep(duration: Duration | number, name?: string): RestatePromise<void>;
  awakeable<T>(serde?: Serde<T>): { id: string; promise: RestatePromise<T> };
  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): void;
  rejectAwakeable(id: string, reason: string | TerminalError): void;
  /** A named signal sent to this invocation (`ctx.invocation(id).signal(name).resolve(v)`). */
  signal<T>(name: string, serde?: Serde<T>): RestatePromise<T>;
  invocation(invocationId: InvocationId): InvocationReference;
  cancel(invocationId: InvocationId): void;
  attach<T>(invocationId: InvocationId, serde?: Serde<T>): RestatePromise<T>;
  serviceClient<M>(def: DefinitionRef<M>): Client<M>;
  objectClient<M>(def: DefinitionRef<M>, key: string): Client<M>;
  workflowClient<M>(def: DefinitionRef<M>, key: string): Client<M>;
  serviceSendClient<M>(def: DefinitionRef<M>): SendClient<M>;
  objectSendClient<M>(def: DefinitionRef<M>, key: string): SendClient<M>;
  workflowSendClient<M>(def: DefinitionRef<M>, key: string): SendClient<M>;
  genericCall<I = Uint8Array, O = Uint8Array>(call: GenericCall<I, O>): InvocationPromise<O>;
  genericSend<I = Uint8Array>(send: GenericSend<I>): InvocationHandle;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TypedState = Record<string, any>;
export type UntypedState = { _: never };
type StateKey<S> = S extends UntypedState ? string : keyof S & string;
type StateValue<S, K, Fallback> = S extends UntypedState ? Fallback : K extends keyof S ? S[K] : never;

type Pick2<T, S, K> = [T] extends [never] ? StateValue<S, K, unknown> : T;

export interface KeyValueStore<S extends TypedState = UntypedState> {
  get<T = never, K extends StateKey<S> = StateKey<S>>(name: K, serde?: Serde<Pick2<T, S, K>>): RestatePromise<Pick2<T, S, K> | null>;
  stateKeys(): RestatePromise<string[]>;
}

export interface ObjectSharedContext<S extends TypedState = UntypedState> extends Context, KeyValueStore<S> {
  readonly key: string;
}

export interface ObjectContext<S extends TypedState = UntypedState> extends ObjectSharedContext<S> {
  set<T = never, K extends StateKey<S> = StateKey<S>>(name: K, value: Pick2<T, S, K>, serde?: Serde<Pick2<T, S, K>>): void;
  clear(name: StateKey<S>): void;
  clearAll(): void;
}

export interface WorkflowSharedContext<S extends TypedState = UntypedState> extends ObjectSharedContext<S> {
  promise<T>(name: string, serde?: Serde<T>): DurablePromise<T>;
}

export interface WorkflowContext<S extends TypedState = UntypedState> extends WorkflowSharedContext<S> {
  set<T = never, K extends StateKey<S> = StateKey<S>>(name: K, value: Pick2<T, S, K>, serde?: Serde<Pick2<T, S, K>>): void;
  clear(name: StateKey<S>): void;
  clearAll(): void;
}

const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

function failureToError(r: NotificationResult & { kind: "failure" }): TerminalError {
  return new TerminalError(r.message, { errorCode: r.code, metadata: r.metadata });
}

function valueMapper<T>(serde: Serde<T>, onVoid: () => T): (r: NotificationResult) => T {
  return (r) => {
    switch (r.kind) {
      case "value":
        return serde.deserialize(r.value);
      case "failure":
        throw failureToError(r);
      case "void":
        return onVoid();
      default:
        throw new TerminalError(`unexpected notification result ${r.kind}`);
    }
  };
}

function noVoid(): never {
  throw new TerminalError("unexpected empty result");
}

export interface ContextSettings {
  readonly kind: HandlerKind;
  readonly defaultSerde: Serde<unknown>;
  readonly asTerminalError: ((error: unknown) => TerminalError | undefined) | undefined;
  readonly attemptHeaders: () => ReadonlyMap<string, string | string[] | undefined>;
  readonly logger: Logger;
  readonly attemptSignal: () => AbortSignal;
  readonly serviceName: string;
  readonly handlerName: string;
}

export class ContextImpl implements WorkflowContext<TypedState>, ObjectContext<TypedState> {
  private randCache: Rand | undefined;
  private consoleCache: Console | undefined;
  readonly date: ContextDate = {
    now: () => this.run(() => Date.now()),
    toJSON: () => this.run(() => new Date().toJSON()),
  };
  private readonly state: Map<string, Uint8Array | null>;
  private stateComplete: boolean;
  private requestCache: Request | undefined;

  constructor(
    private readonly sm: StateMachine,
    private readonly start: StartInfo,
    private readonly settings: ContextSettings,
  ) {
    this.state = new Map(start.stateMap);
    this.stateComplete = !start.partialState;
  }

  /** Deterministic randomness, created on first use (its seeding costs BigInt arithmetic). */
  get rand(): Rand {
    return (this.randCache ??= new DeterministicRand(this.start.randomSeed));
  }

  /** Handler logging, silent while replaying; created on first use. */
  get console(): Console {
    const s = this.settings;
    return (this.consoleCache ??= replayAwareConsole(s.logger, () => this.sm.isReplaying, `[${s.serviceName}/${s.handlerName}][${this.start.debugId}]`));
  }

  get key(): string {
    if (this.settings.kind === "service") throw new TerminalError("this handler type doesn't support key()");
    return this.start.key;
  }

  request(): Request {
    if (this.requestCache === undefined) {
      const signal = this.settings.attemptSignal;
      const headers = new Map<string, string>();
      for (const h of this.start.inputHeaders) headers.set(h.key.toLowerCase(), h.value);
      this.requestCache = {
        id: this.start.debugId,
        headers,
        attemptHeaders: this.settings.attemptHeaders(),
        body: this.start.inputBody,
        key: this.start.key,
        idempotencyKey: this.start.idempotencyKey,
        get attemptCompletedSignal(): AbortSignal {
          return signal();
        },
        extraArgs: [],
      };
    }
    return this.requestCache;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Runs a context operation; any failure to issue it aborts the attempt (retryable). */
  private guard<T>(op: () => RestatePromise<T>): RestatePromise<T> {
    try {
      return op();
    } catch (e) {
      if (!(e instanceof AttemptClosed)) this.sm.fail(e);
      return new ConstPromise<T>("never");
    }
  }

  private guardVoid(op: () => void): void {
    try {
      op();
    } catch (e) {
      if (!(e instanceof AttemptClosed)) this.sm.fail(e);
    }
  }

  private serdeOr<T>(s: Serde<T> | undefined): Serde<T> {
    return s ?? (this.settings.defaultSerde as Serde<T>);
  }

  private requireKind(op: string, kinds: readonly HandlerKind[]): void {
    if (!kinds.includes(this.settings.kind)) throw new TerminalError(`${op} is not available in a ${this.settings.kind} handler`);
  }

  // ---- run / sleep --------------------------------------------------------------------------

  run<T>(nameOrAction: string | RunAction<T>, maybeAction?: RunAction<T>, options?: RunOptions<T>): RestatePromise<T> {
    return this.guard(() => {
      const name = typeof nameOrAction === "string" ? nameOrAction : "";
      const action = typeof nameOrAction === "string" ? maybeAction : nameOrAction;
      if (typeof action !== "function") throw new TypeError("ctx.run needs a function");
      const serde = this.serdeOr(options?.serde);
      const asTerminal = this.settings.asTerminalError;
      const closure = async (): Promise<Uint8Array> => {
        try {
          return serde.serialize(await action());
        } catch (e) {
          throw ensureError(e, asTerminal);
        }
      };
      const cid = this.sm.run(name, closure, runPolicy(options));
      return this.sm.completion(cid, valueMapper(serde, () => undefined as T));
    });
  }

  sleep(duration: Duration | number, name?: string): RestatePromise<void> {
    return this.guard(() => {
      const ms = durationToMs(duration);
      if (!(ms >= 0)) throw new TypeError(`invalid sleep duration: ${ms} ms`);
      return this.sm.sleep(ms, name ?? "");
    });
  }

  // ---- state --------------------------------------------------------------------------------

  get<T>(name: string, serde?: Serde<T>): RestatePromise<T | null> {
    return this.guard(() => {
      this.requireKind("state access", ["exclusive", "shared", "workflow"]);
      const s = this.serdeOr(serde);
      const key = textEncoder.encode(name);
      const decode = (bytes: Uint8Array | undefined | null): T | null => (bytes === undefined || bytes === null ? null : s.deserialize(bytes));
      const replayType = this.sm.peekReplayType();
      const lazy =
        replayType !== undefined ? replayType === MessageType.GetLazyStateCommand : !this.state.has(name) && !this.stateComplete;
      if (lazy) {
        const cid = this.sm.allocateCompletionId();
        this.sm.command(MessageType.GetLazyStateCommand, { key, resultCompletionId: cid, name: "" }, compareKeyAndCid);
        return this.sm.completion(cid, valueMapper<T | null>({ ...s, deserialize: (b) => decode(b) }, () => null));
      }
      const local = this.state.get(name);
      const msg: Msg = local === undefined || local === null ? { key, void: {} } : { key, value: { content: local } };
      const recorded = this.sm.command(MessageType.GetEagerStateCommand, msg, compareKey);
      const value = recorded.value === undefined ? null : (((recorded.value as Msg).content as Uint8Array | undefined) ?? EMPTY);
      return new ConstPromise<T | null>({ ok: decode(value) }, this.sm);
    });
  }

  stateKeys(): RestatePromise<string[]> {
    return this.guard(() => {
      this.requireKind("state access", ["exclusive", "shared", "workflow"]);
      const replayType = this.sm.peekReplayType();
      const lazy = replayType !== undefined ? replayType === MessageType.GetLazyStateKeysCommand : !this.stateComplete;
      if (lazy) {
        const cid = this.sm.allocateCompletionId();
        this.sm.command(MessageType.GetLazyStateKeysCommand, { resultCompletionId: cid }, compareCid);
        return this.sm.completion(cid, (r) => (r.kind === "stateKeys" ? r.keys : []));
      }
      const keys = [...this.state.entries()].filter(([, v]) => v !== null).map(([k]) => k).sort();
      const recorded = this.sm.command(MessageType.GetEagerStateKeysCommand, { value: { keys: keys.map((k) => textEncoder.encode(k)) } }, compareNothing);
      const decoder = new TextDecoder();
      const out = (((recorded.value as Msg | undefined)?.keys as Uint8Array[] | undefined) ?? []).map((k) => decoder.decode(k));
      return new ConstPromise<string[]>({ ok: out }, this.sm);
    });
  }

  set<T>(name: string, value: T, serde?: Serde<T>): void {
    this.guardVoid(() => {
      this.requireKind("ctx.set", ["exclusive", "workflow"]);
      const bytes = this.serdeOr(serde).serialize(value);
      this.state.set(name, bytes);
      this.sm.command(MessageType.SetStateCommand, { key: textEncoder.encode(name), value: { content: bytes } }, compareSetState);
    });
  }

  clear(name: string): void {
    this.guardVoid(() => {
      this.requireKind("ctx.clear", ["exclusive", "workflow"]);
      this.state.set(name, null);
      this.sm.command(MessageType.ClearStateCommand, { key: textEncoder.encode(name) }, compareKey);
    });
  }

  clearAll(): void {
    this.guardVoid(() => {
      this.requireKind("ctx.clearAll", ["exclusive", "workflow"]);
      this.state.clear();
      this.stateComplete = true;
      this.sm.command(MessageType.ClearAllStateCommand, {}, compareNothing);
    });
  }

  // ---- awakeables, signals, promises --------------------------------------------------------

  awakeable<T>(serde?: Serde<T>): { id: string; promise: RestatePromise<T> } {
    const idx = this.sm.allocateSignalIndex();
    const raw = new Uint8Array(this.start.id.length + 4);
    raw.set(this.start.id, 0);
    new DataView(raw.buffer).setUint32(this.start.id.length, idx);
    const id = `sign_1${Buffer.from(raw).toString("base64url")}`;
    const promise = new SinglePromise<T>(this.sm, { kind: LeafKind.Signal, id: idx }, valueMapper(this.serdeOr(serde), () => undefined as T));
    return { id, promise };
  }

  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): void {
    this.guardVoid(() => {
      const bytes = serde !== undefined ? (payload === undefined ? EMPTY : serde.serialize(payload)) : this.settings.defaultSerde.serialize(payload === undefined ? null : payload);
      this.sm.command(MessageType.CompleteAwakeableCommand, { awakeableId: id, value: { content: bytes } }, compareCompleteAwakeable);
    });
  }

  rejectAwakeable(id: string, reason: string | TerminalError): void {
    this.guardVoid(() => {
      this.sm.command(MessageType.CompleteAwakeableCommand, { awakeableId: id, failure: this.failureOf(reason) }, compareCompleteAwakeable);
    });
  }

  private failureOf(reason: string | TerminalError): Msg {
    return typeof reason === "string" ? { code: 500, message: reason } : failureMsg(reason, this.sm.version);
  }

  signal<T>(name: string, serde?: Serde<T>): RestatePromise<T> {
    return new SinglePromise<T>(this.sm, { kind: LeafKind.NamedSignal, id: name }, valueMapper(this.serdeOr(serde), () => undefined as T));
  }

  promise<T>(name: string, serde?: Serde<T>): DurablePromise<T> {
    return new DurablePromiseImpl<T>(this, this.sm, name, this.serdeOr(serde));
  }

  /** @internal used by DurablePromiseImpl. */
  guarded<T>(op: () => RestatePromise<T>): RestatePromise<T> {
    this.requireKindSafe();
    return this.guard(op);
  }

  private requireKindSafe(): void {
    // Durable promises exist only in workflows; the check itself runs inside guard().
  }

  /** @internal */
  get kind(): HandlerKind {
    return this.settings.kind;
  }

  // ---- other invocations ----------------------------------------------------------------------

  invocation(invocationId: InvocationId): InvocationReference {
    return {
      signal: <T>(name: string, serde?: Serde<T>): SignalReference<T> => ({
        resolve: (payload?: T) =>
          this.guardVoid(() => {
            const bytes = this.serdeOr(serde).serialize(payload as T);
            this.sm.command(MessageType.SendSignalCommand, { targetInvocationId: invocationId, name, value: { content: bytes } }, compareSendSignal);
          }),
        reject: (reason: string | TerminalError) =>
          this.guardVoid(() => {
            this.sm.command(MessageType.SendSignalCommand, { targetInvocationId: invocationId, name, failure: this.failureOf(reason) }, compareSendSignal);
          }),
      }),
      cancel: () => this.cancel(invocationId),
      attach: <T>(serde?: Serde<T>) => this.attach<T>(invocationId, serde),
      output: <T>(serde?: Serde<T>) => this.getInvocationOutput<T>(invocationId, serde),
    };
  }

  cancel(invocationId: InvocationId): void {
    this.guardVoid(() => {
      this.sm.command(MessageType.SendSignalCommand, { targetInvocationId: invocationId, idx: 1, void: {} }, compareSendSignal);
    });
  }

  attach<T>(invocationId: InvocationId, serde?: Serde<T>): RestatePromise<T> {
    return this.guard(() => {
      const cid = this.sm.allocateCompletionId();
      this.sm.command(MessageType.AttachInvocationCommand, { invocationId, resultCompletionId: cid }, compareTarget);
      return this.sm.completion(cid, valueMapper(this.serdeOr(serde), noVoid));
    });
  }

  getInvocationOutput<T>(invocationId: InvocationId, serde?: Serde<T>): RestatePromise<T | undefined> {
    return this.guard(() => {
      const cid = this.sm.allocateCompletionId();
      this.sm.command(MessageType.GetInvocationOutputCommand, { invocationId, resultCompletionId: cid }, compareTarget);
      return this.sm.completion(cid, valueMapper<T | undefined>(this.serdeOr(serde), () => undefined));
    });
  }

  // ---- calls and sends ----------------------------------------------------------------------

  genericCall<I = Uint8Array, O = Uint8Array>(call: GenericCall<I, O>): InvocationPromise<O> {
    try {
      const inSerde = (call.inputSerde ?? serdes.binary) as Serde<I>;
      const outSerde = (call.outputSerde ?? serdes.binary) as Serde<O>;
      const parameter = inSerde.serialize(call.parameter);
      const idCid = this.sm.allocateCompletionId();
      const resultCid = this.sm.allocateCompletionId();
      const msg: Msg = {
        serviceName: call.service,
        handlerName: call.method,
        parameter,
        headers: call.headers === undefined ? [] : Object.entries(call.headers).map(([key, value]) => ({ key, value })),
        key: call.key ?? "",
        invocationIdNotificationIdx: idCid,
        resultCompletionId: resultCid,
        name: call.name ?? "",
      };
      if (call.idempotencyKey !== undefined) msg.idempotencyKey = call.idempotencyKey;
      this.sm.command(MessageType.CallCommand, msg, compareCall);
      this.sm.trackChildCall(idCid);
      const invocationId = new SinglePromise<string>(this.sm, { kind: LeafKind.Completion, id: idCid }, invocationIdOf);
      return new InvocationPromise<O>(this.sm, { kind: LeafKind.Completion, id: resultCid }, valueMapper(outSerde, noVoid), invocationId);
    } catch (e) {
      if (!(e instanceof AttemptClosed)) this.sm.fail(e);
      const never = new ConstPromise<O>("never") as unknown as InvocationPromise<O>;
      return Object.assign(never, { invocationId: new ConstPromise<string>("never") });
    }
  }

  genericSend<I = Uint8Array>(send: GenericSend<I>): InvocationHandle {
    try {
      const inSerde = (send.inputSerde ?? serdes.binary) as Serde<I>;
      const parameter = inSerde.serialize(send.parameter);
      const delayMs = send.delay === undefined ? 0 : durationToMs(send.delay);
      const idCid = this.sm.allocateCompletionId();
      const msg: Msg = {
        serviceName: send.service,
        handlerName: send.method,
        parameter,
        invokeTime: delayMs > 0 ? Date.now() + delayMs : 0,
        headers: send.headers === undefined ? [] : Object.entries(send.headers).map(([key, value]) => ({ key, value })),
        key: send.key ?? "",
        invocationIdNotificationIdx: idCid,
        name: send.name ?? "",
      };
      if (send.idempotencyKey !== undefined) msg.idempotencyKey = send.idempotencyKey;
      this.sm.command(MessageType.OneWayCallCommand, msg, compareOneWayCall);
      return { invocationId: new SinglePromise<string>(this.sm, { kind: LeafKind.Completion, id: idCid }, invocationIdOf) };
    } catch (e) {
      if (!(e instanceof AttemptClosed)) this.sm.fail(e);
      return { invocationId: new ConstPromise<string>("never") };
    }
  }

  serviceClient<M>(def: DefinitionRef<M>): Client<M> {
    return this.callProxy(def, undefined);
  }
  objectClient<M>(def: DefinitionRef<M>, key: string): Client<M> {
    return this.callProxy(def, key);
  }
  workflowClient<M>(def: DefinitionRef<M>, key: string): Client<M> {
    return this.callProxy(def, key);
  }
  serviceSendClient<M>(def: DefinitionRef<M>): SendClient<M> {
    return this.sendProxy(def, undefined);
  }
  objectSendClient<M>(def: DefinitionRef<M>, key: string): SendClient<M> {
    return this.sendProxy(def, key);
  }
  workflowSendClient<M>(def: DefinitionRef<M>, key: string): SendClient<M> {
    return this.sendProxy(def, key);
  }

  private handlerSerdes(def: DefinitionRef<unknown>, method: string): { input?: Serde<unknown> | undefined; output?: Serde<unknown> | undefined } {
    const fn = (def.handlers as Record<string, unknown> | undefined)?.[method];
    const opts = getHandlerMeta(fn)?.options;
    return { input: opts?.input ?? opts?.serde, output: opts?.output ?? opts?.serde };
  }

  private callProxy<M>(def: DefinitionRef<M>, key: string | undefined): Client<M> {
    return new Proxy({}, {
      get: (_t, prop) => {
        if (typeof prop !== "string") return undefined;
        return (...args: unknown[]) => {
          const last = args[args.length - 1];
          const opts = last instanceof Opts ? (last.getOpts() as ClientCallOptions<unknown, unknown>) : undefined;
          const parameter = args.length > 0 && !(args[0] instanceof Opts) ? args[0] : undefined;
          const defaults = this.handlerSerdes(def, prop);
          return this.genericCall({
            service: def.name,
            method: prop,
            parameter,
            key,
            headers: opts?.headers,
            idempotencyKey: opts?.idempotencyKey,
            inputSerde: opts?.input ?? defaults.input ?? this.settings.defaultSerde,
            outputSerde: opts?.output ?? defaults.output ?? this.settings.defaultSerde,
            name: opts?.name,
          });
        };
      },
    }) as Client<M>;
  }

  private sendProxy<M>(def: DefinitionRef<M>, key: string | undefined): SendClient<M> {
    return new Proxy({}, {
      get: (_t, prop) => {
        if (typeof prop !== "string") return undefined;
        return (...args: unknown[]) => {
          const last = args[args.length - 1];
          const opts = last instanceof SendOpts ? (last.getOpts() as ClientSendOptions<unknown>) : undefined;
          const parameter = args.length > 0 && !(args[0] instanceof SendOpts) ? args[0] : undefined;
          const defaults = this.handlerSerdes(def, prop);
          return this.genericSend({
            service: def.name,
            method: prop,
            parameter,
            key,
            headers: opts?.headers,
            delay: opts?.delay,
            idempotencyKey: opts?.idempotencyKey,
            inputSerde: opts?.input ?? defaults.input ?? this.settings.defaultSerde,
            name: opts?.name,
          });
        };
      },
    }) as SendClient<M>;
  }
}

function invocationIdOf(r: NotificationResult): string {
  if (r.kind === "invocationId") return r.id;
  if (r.kind === "failure") throw failureToError(r);
  throw new TerminalError(`expected an invocation id, got ${r.kind}`);
}

function runPolicy<T>(options: RunOptions<T> | undefined): RunRetryPolicy | undefined {
  if (
    options === undefined ||
    (options.maxRetryAttempts === undefined &&
      options.maxRetryDuration === undefined &&
      options.initialRetryInterval === undefined &&
      options.retryIntervalFactor === undefined &&
      options.maxRetryInterval === undefined)
  ) {
    return undefined;
  }
  return {
    initialIntervalMs: options.initialRetryInterval === undefined ? RUN_RETRY_INITIAL_INTERVAL_MS : durationToMs(options.initialRetryInterval),
    factor: options.retryIntervalFactor ?? RUN_RETRY_FACTOR,
    maxIntervalMs: options.maxRetryInterval === undefined ? RUN_RETRY_MAX_INTERVAL_MS : durationToMs(options.maxRetryInterval),
    maxAttempts: options.maxRetryAttempts,
    maxDurationMs: options.maxRetryDuration === undefined ? undefined : durationToMs(options.maxRetryDuration),
  };
}

class DurablePromiseImpl<T> implements DurablePromise<T> {
  readonly [Symbol.toStringTag] = "DurablePromise";

  constructor(
    private readonly ctx: ContextImpl,
    private readonly sm: StateMachine,
    private readonly name: string,
    private readonly serde: Serde<T>,
  ) {}

  private workflowOnly(): void {
    if (this.ctx.kind !== "workflow" && this.ctx.kind !== "shared") throw new TerminalError("durable promises are available in workflows only");
  }

  get(): RestatePromise<T> {
    return this.ctx.guarded(() => {
      this.workflowOnly();
      const cid = this.sm.allocateCompletionId();
      this.sm.command(MessageType.GetPromiseCommand, { key: this.name, resultCompletionId: cid }, compareKeyAndCid);
      return this.sm.completion(cid, valueMapper(this.serde, noVoid));
    });
  }

  peek(): RestatePromise<T | undefined> {
    return this.ctx.guarded(() => {
      this.workflowOnly();
      const cid = this.sm.allocateCompletionId();
      this.sm.command(MessageType.PeekPromiseCommand, { key: this.name, resultCompletionId: cid }, compareKeyAndCid);
      return this.sm.completion(cid, valueMapper<T | undefined>(this.serde, () => undefined));
    });
  }

  resolve(value?: T): RestatePromise<void> {
    return this.ctx.guarded(() => {
      this.workflowOnly();
      const cid = this.sm.allocateCompletionId();
      const bytes = this.serde.serialize(value as T);
      this.sm.command(MessageType.CompletePromiseCommand, { key: this.name, completionValue: { content: bytes }, resultCompletionId: cid }, compareCompletePromise);
      return this.sm.completion(cid, valueMapper<void>(serdes.empty, () => undefined));
    });
  }

  reject(errorMsg: string): RestatePromise<void> {
    return this.ctx.guarded(() => {
      this.workflowOnly();
      const cid = this.sm.allocateCompletionId();
      this.sm.command(MessageType.CompletePromiseCommand, { key: this.name, completionFailure: { code: 500, message: errorMsg }, resultCompletionId: cid }, compareCompletePromise);
      return this.sm.completion(cid, valueMapper<void>(serdes.empty, () => undefined));
    });
  }

  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.get().then(onfulfilled, onrejected);
  }
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.get().catch(onrejected);
  }
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.get().finally(onfinally);
  }
}

export type { BasePromise };
