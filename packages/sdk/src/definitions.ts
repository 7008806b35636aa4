// Service definitions: services, virtual objects and workflows, their handlers and options, in
// the shapes of the official Restate SDK (`service`, `object`, `workflow`, `handlers.*`, `rpc.*`).
import type { Duration } from "./duration.js";
import type { TerminalError } from "./errors.js";
import type { Serde } from "./serde.js";

export type HandlerKind = "service" | "exclusive" | "shared" | "workflow";

export interface RetryPolicy {
  maxAttempts?: number;
  onMaxAttempts?: "pause" | "kill";
  initialInterval?: Duration | number;
  maxInterval?: Duration | number;
  exponentiationFactor?: number;
}

export interface ServiceOptions {
  idempotencyRetention?: Duration | number;
  journalRetention?: Duration | number;
  inactivityTimeout?: Duration | number;
  abortTimeout?: Duration | number;
  ingressPrivate?: boolean;
  retryPolicy?: RetryPolicy;
  /** Maps a thrown value to a TerminalError (e.g. a domain error class); undefined keeps it retryable. */
  asTerminalError?: (error: unknown) => TerminalError | undefined;
  /** Default serde of this service's handlers and context operations. */
  serde?: Serde<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Handle cancellation yourself (no CancelledError at awaits). */
  explicitCancellation?: boolean;
  onJournalMismatchErrors?: "retry" | "pause" | "fail";
}

export interface ObjectOptions extends ServiceOptions {
  enableLazyState?: boolean;
}

export interface WorkflowOptions extends ServiceOptions {
  /** How long a completed workflow's result (and its key) are kept. */
  workflowRetention?: Duration | number;
  enableLazyState?: boolean;
}

export interface ServiceHandlerOpts<I, O> {
  /** Accepted input content type (manifest), e.g. "application/json" or "text/*". */
  accept?: string;
  input?: Serde<I>;
  output?: Serde<O>;
  setOutputContentTypeIfEmpty?: boolean;
  description?: string;
  metadata?: Record<string, string>;
  idempotencyRetention?: Duration | number;
  journalRetention?: Duration | number;
  inactivityTimeout?: Duration | number;
  abortTimeout?: Duration | number;
  ingressPrivate?: boolean;
  retryPolicy?: RetryPolicy;
  asTerminalError?: (error: unknown) => TerminalError | undefined;
  serde?: Serde<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  explicitCancellation?: boolean;
  onJournalMismatchErrors?: "retry" | "pause" | "fail";
}

export interface ObjectHandlerOpts<I, O> extends ServiceHandlerOpts<I, O> {
  enableLazyState?: boolean;
}

export interface WorkflowHandlerOpts<I, O> extends ServiceHandlerOpts<I, O> {
  enableLazyState?: boolean;
}

export interface HandlerMeta {
  readonly kind?: HandlerKind;
  readonly options: ObjectHandlerOpts<unknown, unknown>;
}

/** Options and kind attached to handler functions by `handlers.*` (functions stay callable). */
const handlerMeta = new WeakMap<object, HandlerMeta>();

export function getHandlerMeta(fn: unknown): HandlerMeta | undefined {
  return typeof fn === "function" ? handlerMeta.get(fn) : undefined;
}

function mark<F extends object>(fn: F, kind: HandlerKind | undefined, options: object): F {
  handlerMeta.set(fn, { ...(kind === undefined ? {} : { kind }), options: options });
  return fn;
}

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

function overload<F extends Fn>(kind: HandlerKind | undefined, a: object | F, b?: F): F {
  if (typeof a === "function") return mark(a as F, kind, {});
  if (b === undefined) throw new TypeError("a handler function is required");
  return mark(b, kind, a);
}
/* The public wrappers return the function they are given, typed as given. */

/** Handler wrappers: attach options, and mark shared handlers of objects and workflows. */
export const handlers = {
  handler<F extends Fn>(opts: ServiceHandlerOpts<unknown, unknown> | object, fn: F): F {
    return overload<F>("service", opts, fn);
  },
  object: {
    exclusive<F extends Fn>(optsOrFn: ObjectHandlerOpts<unknown, unknown> | F, fn?: F): F {
      return overload<F>("exclusive", optsOrFn as object | F, fn);
    },
    shared<F extends Fn>(optsOrFn: ObjectHandlerOpts<unknown, unknown> | F, fn?: F): F {
      return overload<F>("shared", optsOrFn as object | F, fn);
    },
  },
  workflow: {
    workflow<F extends Fn>(optsOrFn: WorkflowHandlerOpts<unknown, unknown> | F, fn?: F): F {
      return overload<F>("workflow", optsOrFn as object | F, fn);
    },
    shared<F extends Fn>(optsOrFn: WorkflowHandlerOpts<unknown, unknown> | F, fn?: F): F {
      return overload<F>("shared", optsOrFn as object | F, fn);
    },
  },
};

export interface ServiceDefinition<P extends string, M> {
  readonly name: P;
  readonly kind: "service";
  readonly handlers: M;
  readonly description?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
  readonly options?: ServiceOptions | undefined;
}

export interface VirtualObjectDefinition<P extends string, M> {
  readonly name: P;
  readonly kind: "object";
  readonly handlers: M;
  readonly description?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
  readonly options?: ObjectOptions | undefined;
}

export interface WorkflowDefinition<P extends string, M> {
  readonly name: P;
  readonly kind: "workflow";
  readonly handlers: M;
  readonly description?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
  readonly options?: WorkflowOptions | undefined;
}

export type AnyDefinition =
  | ServiceDefinition<string, unknown>
  | VirtualObjectDefinition<string, unknown>
  | WorkflowDefinition<string, unknown>;

interface DefinitionInput<P extends string, M, O> {
  name: P;
  handlers: M & ThisType<M>;
  description?: string;
  metadata?: Record<string, string>;
  options?: O;
}

export function service<P extends string, M>(def: DefinitionInput<P, M, ServiceOptions>): ServiceDefinition<P, M> {
  return { name: def.name, kind: "service", handlers: def.handlers, description: def.description, metadata: def.metadata, options: def.options };
}

export function object<P extends string, M>(def: DefinitionInput<P, M, ObjectOptions>): VirtualObjectDefinition<P, M> {
  return { name: def.name, kind: "object", handlers: def.handlers, description: def.description, metadata: def.metadata, options: def.options };
}

export function workflow<P extends string, M>(def: DefinitionInput<P, M, WorkflowOptions>): WorkflowDefinition<P, M> {
  return { name: def.name, kind: "workflow", handlers: def.handlers, description: def.description, metadata: def.metadata, options: def.options };
}

// ---- call options ---------------------------------------------------------------------------

export interface ClientCallOptions<I, O> {
  input?: Serde<I>;
  output?: Serde<O>;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  name?: string;
}

export interface ClientSendOptions<I> {
  /** Invoke after this delay (ms or a Duration). */
  delay?: Duration | number;
  input?: Serde<I>;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  name?: string;
}

export class Opts<I, O> {
  private constructor(private readonly opts: ClientCallOptions<I, O>) {}
  static from<I, O>(opts: ClientCallOptions<I, O>): Opts<I, O> {
    return new Opts(opts);
  }
  getOpts(): ClientCallOptions<I, O> {
    return this.opts;
  }
}

export class SendOpts<I> {
  private constructor(private readonly opts: ClientSendOptions<I>) {}
  static from<I>(opts: ClientSendOptions<I>): SendOpts<I> {
    return new SendOpts(opts);
  }
  getOpts(): ClientSendOptions<I> {
    return this.opts;
  }
}

export const rpc = {
  opts: <I, O>(opts: ClientCallOptions<I, O>): Opts<I, O> => Opts.from(opts),
  sendOpts: <I>(opts: ClientSendOptions<I>): SendOpts<I> => SendOpts.from(opts),
};
