// The ingress client: typed calls, sends, attach/output, workflows and awakeables over the
// Restate ingress HTTP API (RESTATE-PROTOCOL.md §6), shaped like `@restatedev/restate-sdk-clients`.
//
// Retries are opt-in and only where repeating is safe: a call or send that carries an idempotency
// key, and the read-only attach/output requests. A failure reported by the invocation itself
// (`x-restate-error-source: invocation`) is never retried.
import { NOT_READY_STATUS, RETRYABLE_STATUSES } from "./constants.js";
import { ConnectionError, HttpCallError, ResponseFormatError, UnsafeRetryError } from "./errors.js";
import { type ResolvedRetry, resolveRetry, retryDelayMs, type RetryOptions } from "./retry.js";
import { jsonSerde, type Serde } from "./serde.js";

export interface ConnectionOpts {
  /** Ingress base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Headers added to every request (e.g. authorization for a proxy in front of the ingress). */
  headers?: Record<string, string>;
  /** Default retry behaviour for safe requests; off unless set. */
  retry?: RetryOptions | boolean;
  /** `fetch` to use (defaults to the global one). */
  fetch?: typeof fetch;
}

export interface CallOptions<I, O> {
  input?: Serde<I>;
  output?: Serde<O>;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Retry transient failures; requires an idempotency key. */
  retry?: RetryOptions | boolean;
}

export interface SendCallOptions<I> {
  input?: Serde<I>;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Delay the invocation by this many milliseconds. */
  delay?: number | { milliseconds?: number; seconds?: number; minutes?: number; hours?: number; days?: number };
  signal?: AbortSignal;
  retry?: RetryOptions | boolean;
}

export class Opts<I, O> {
  private constructor(readonly opts: CallOptions<I, O>) {}
  static from<I, O>(opts: CallOptions<I, O>): Opts<I, O> {
    return new Opts(opts);
  }
}

export class SendOpts<I> {
  private constructor(readonly opts: SendCallOptions<I>) {}
  static from<I>(opts: SendCallOptions<I>): SendOpts<I> {
    return new SendOpts(opts);
  }
}

export const rpc = {
  opts: <I, O>(opts: CallOptions<I, O>): Opts<I, O> => Opts.from(opts),
  sendOpts: <I>(opts: SendCallOptions<I>): SendOpts<I> => SendOpts.from(opts),
};

/** What a send returns: the invocation's id, and whether this request created it. */
export interface Send<O = unknown> {
  readonly invocationId: string;
  readonly status: "Accepted" | "PreviouslyAccepted";
  readonly attachable: boolean;
  /** Phantom: the output type, for `result(send)`. */
  readonly __output?: O;
}

export interface Output<O> {
  readonly ready: boolean;
  /** The output; reading it throws when `ready` is false. */
  readonly result: O;
}

// ---- typing from definitions -----------------------------------------------------------------
// Structural: any object with `name` and `handlers` (an @cairn/sdk definition, or a plain
// `{ name, handlers }` literal) types the client; no runtime dependency on the SDK.

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface DefinitionLike<P extends string = string, M = unknown> {
  readonly name: P;
  readonly handlers?: M;
}

type HandlerInput<F> = F extends (ctx: any) => any ? void : F extends (ctx: any, input: infer I, ...rest: any[]) => any ? I : never;
type HandlerOutput<F> = F extends (...args: any[]) => PromiseLike<infer O> ? O : F extends (...args: any[]) => infer O ? O : never;
type IsVoid<T> = [T] extends [void] ? true : [T] extends [undefined] ? true : false;

export type IngressClient<M> = {
  [K in keyof M as M[K] extends (...args: any[]) => any ? K : never]: IsVoid<HandlerInput<M[K]>> extends true
    ? (opts?: Opts<HandlerInput<M[K]>, HandlerOutput<M[K]>>) => Promise<HandlerOutput<M[K]>>
    : (input: HandlerInput<M[K]>, opts?: Opts<HandlerInput<M[K]>, HandlerOutput<M[K]>>) => Promise<HandlerOutput<M[K]>>;
};

export type IngressSendClient<M> = {
  [K in keyof M as M[K] extends (...args: any[]) => any ? K : never]: IsVoid<HandlerInput<M[K]>> extends true
    ? (opts?: SendOpts<HandlerInput<M[K]>>) => Promise<Send<HandlerOutput<M[K]>>>
    : (input: HandlerInput<M[K]>, opts?: SendOpts<HandlerInput<M[K]>>) => Promise<Send<HandlerOutput<M[K]>>>;
};

type RunOf<M> = M extends { run: infer R } ? R : never;

export type IngressWorkflowClient<M> = Omit<IngressClient<M>, "run"> & {
  /** Starts the workflow's `run` (a send); a second submit for the same key is `PreviouslyAccepted`. */
  workflowSubmit: IsVoid<HandlerInput<RunOf<M>>> extends true
    ? (opts?: SendOpts<HandlerInput<RunOf<M>>>) => Promise<Send<HandlerOutput<RunOf<M>>>>
    : (input: HandlerInput<RunOf<M>>, opts?: SendOpts<HandlerInput<RunOf<M>>>) => Promise<Send<HandlerOutput<RunOf<M>>>>;
  /** Waits for `run` to finish and returns its output. */
  workflowAttach(opts?: Opts<void, HandlerOutput<RunOf<M>>>): Promise<HandlerOutput<RunOf<M>>>;
  /** The output if `run` finished, without waiting. */
  workflowOutput(opts?: Opts<void, HandlerOutput<RunOf<M>>>): Promise<Output<HandlerOutput<RunOf<M>>>>;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface Ingress {
  serviceClient<P extends string, M>(def: DefinitionLike<P, M>): IngressClient<M>;
  objectClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressClient<M>;
  workflowClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressWorkflowClient<M>;
  serviceSendClient<P extends string, M>(def: DefinitionLike<P, M>): IngressSendClient<M>;
  objectSendClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressSendClient<M>;
  resolveAwakeable<T>(id: string, payload?: T, payloadSerde?: Serde<T>): Promise<void>;
  rejectAwakeable(id: string, reason: string): Promise<void>;
  /** Waits for the invocation started by `send` and returns its output. */
  result<O>(send: Send<O>, opts?: Opts<void, O>): Promise<O>;
  /** Waits for an invocation by id. */
  attach<O = unknown>(invocationId: string, opts?: Opts<void, O>): Promise<O>;
  /** An invocation's output if it finished, without waiting. */
  output<O = unknown>(invocationId: string, opts?: Opts<void, O>): Promise<Output<O>>;
}

/** Connects to an ingress (nothing is sent until the first call). */
export function connect(opts: ConnectionOpts): Ingress {
  return new HttpIngress(opts);
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

function durationMs(d: SendCallOptions<unknown>["delay"]): number {
  if (d === undefined) return 0;
  if (typeof d === "number") return d;
  return (d.days ?? 0) * 86_400_000 + (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
}

const decoder = new TextDecoder();

class HttpIngress implements Ingress {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly defaultRetry: ResolvedRetry | undefined;

  constructor(private readonly opts: ConnectionOpts) {
    this.base = opts.url.replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? fetch;
    this.defaultRetry = resolveRetry(opts.retry);
  }

  // ---- transport ----------------------------------------------------------------------------

  private async request(
    method: string,
    path: string,
    init: { body?: Uint8Array | undefined; headers?: Record<string, string> | undefined; signal?: AbortSignal | undefined },
    retry: ResolvedRetry | undefined,
  ): Promise<RawResponse> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...this.opts.headers, ...init.headers };
      if (attempt > 0) headers["x-restateclient-retry-attempt"] = String(attempt);
      let response: Response;
      try {
        response = await this.fetchFn(`${this.base}${path}`, {
          method,
          headers,
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.signal === undefined ? {} : { signal: init.signal }),
        });
      } catch (e) {
        if (init.signal?.aborted === true) throw e;
        if (retry !== undefined && attempt < retry.maxAttempts && Date.now() - started < retry.budgetMs) {
          await sleep(retryDelayMs(retry, attempt + 1, null));
          continue;
        }
        throw new ConnectionError(`${method} ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      const body = new Uint8Array(await response.arrayBuffer());
      const source = response.headers.get("x-restate-error-source");
      const retryable = RETRYABLE_STATUSES.has(response.status) && source !== "invocation";
      if (retryable && retry !== undefined && attempt < retry.maxAttempts && Date.now() - started < retry.budgetMs) {
        await sleep(retryDelayMs(retry, attempt + 1, response.headers.get("retry-after")));
        continue;
      }
      return { status: response.status, headers: response.headers, body };
    }
  }

  private fail(method: string, path: string, r: RawResponse): never {
    const text = decoder.decode(r.body);
    let message = text;
    let metadata: Record<string, string> | undefined;
    try {
      const parsed = JSON.parse(text) as { message?: unknown; metadata?: unknown };
      if (typeof parsed.message === "string") message = parsed.message;
      if (typeof parsed.metadata === "object" && parsed.metadata !== null) metadata = parsed.metadata as Record<string, string>;
    } catch {
      // not JSON: keep the raw text
    }
    throw new HttpCallError(r.status, text, `${method} ${path} failed with ${r.status}: ${message}`, r.headers.get("x-restate-error-source") ?? undefined, metadata);
  }

  private retryFor(perCall: RetryOptions | boolean | undefined, idempotencyKey: string | undefined, what: string): ResolvedRetry | undefined {
    const asked = perCall === undefined ? this.defaultRetry : resolveRetry(perCall);
    if (asked === undefined) return undefined;
    if (idempotencyKey === undefined) {
      if (perCall !== undefined && perCall !== false) throw new UnsafeRetryError(`${what}: retrying needs an idempotency key, or the invocation could run twice`);
      return undefined;
    }
    return asked;
  }

  // ---- calls ----------------------------------------------------------------------------------

  private async call<I, O>(path: string, input: I, opts: CallOptions<I, O> | undefined): Promise<O> {
    const inSerde = (opts?.input ?? jsonSerde) as Serde<I>;
    const outSerde = (opts?.output ?? jsonSerde) as Serde<O>;
    const body = input === undefined && opts?.input === undefined ? undefined : inSerde.serialize(input);
    const headers: Record<string, string> = { ...opts?.headers };
    if (body !== undefined && body.length > 0 && inSerde.contentType !== undefined) headers["content-type"] = inSerde.contentType;
    if (opts?.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    const r = await this.request("POST", path, { body, headers, signal: opts?.signal }, this.retryFor(opts?.retry, opts?.idempotencyKey, `POST ${path}`));
    if (r.status < 200 || r.status >= 300) this.fail("POST", path, r);
    return outSerde.deserialize(r.body);
  }

  private async send<I, O>(path: string, input: I, opts: SendCallOptions<I> | undefined): Promise<Send<O>> {
    const inSerde = (opts?.input ?? jsonSerde) as Serde<I>;
    const body = input === undefined && opts?.input === undefined ? undefined : inSerde.serialize(input);
    const headers: Record<string, string> = { ...opts?.headers };
    if (body !== undefined && body.length > 0 && inSerde.contentType !== undefined) headers["content-type"] = inSerde.contentType;
    if (opts?.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    const delay = durationMs(opts?.delay);
    const full = `${path}/send${delay > 0 ? `?delay=${Math.round(delay)}ms` : ""}`;
    const r = await this.request("POST", full, { body, headers, signal: opts?.signal }, this.retryFor(opts?.retry, opts?.idempotencyKey, `POST ${full}`));
    if (r.status < 200 || r.status >= 300) this.fail("POST", full, r);
    let parsed: { invocationId?: unknown; status?: unknown };
    try {
      parsed = JSON.parse(decoder.decode(r.body)) as typeof parsed;
    } catch (e) {
      throw new ResponseFormatError(`POST ${full}: the send answer is not JSON`, { cause: e });
    }
    if (typeof parsed.invocationId !== "string") throw new ResponseFormatError(`POST ${full}: the send answer has no invocationId`);
    return {
      invocationId: parsed.invocationId,
      status: parsed.status === "PreviouslyAccepted" ? "PreviouslyAccepted" : "Accepted",
      attachable: opts?.idempotencyKey !== undefined,
    };
  }

  private async getOutput<O>(path: string, opts: Opts<void, O> | undefined, blocking: boolean): Promise<Output<O>> {
    const outSerde = (opts?.opts.output ?? jsonSerde) as Serde<O>;
    // Reads are safe to repeat: retry them when retrying is enabled at all.
    const retry = opts?.opts.retry === undefined ? this.defaultRetry : resolveRetry(opts.opts.retry);
    const r = await this.request("GET", path, { headers: opts?.opts.headers, signal: opts?.opts.signal }, retry);
    if (!blocking && r.status === NOT_READY_STATUS) {
      return {
        ready: false,
        get result(): O {
          throw new ResponseFormatError(`${path}: the invocation has not completed yet`);
        },
      };
    }
    if (r.status < 200 || r.status >= 300) this.fail("GET", path, r);
    const value = outSerde.deserialize(r.body);
    return { ready: true, result: value };
  }

  private proxy(path: (handler: string) => string): Record<string, (...args: unknown[]) => Promise<unknown>> {
    return new Proxy({}, {
      get: (_t, prop) => {
        if (typeof prop !== "string" || prop === "then") return undefined;
        return (...args: unknown[]) => {
          const [input, opts] = splitArgs(args, Opts);
          return this.call(path(prop), input, (opts as Opts<unknown, unknown> | undefined)?.opts);
        };
      },
    });
  }

  private sendProxy(path: (handler: string) => string): Record<string, (...args: unknown[]) => Promise<unknown>> {
    return new Proxy({}, {
      get: (_t, prop) => {
        if (typeof prop !== "string" || prop === "then") return undefined;
        return (...args: unknown[]) => {
          const [input, opts] = splitArgs(args, SendOpts);
          return this.send(path(prop), input, (opts as SendOpts<unknown> | undefined)?.opts);
        };
      },
    });
  }

  serviceClient<P extends string, M>(def: DefinitionLike<P, M>): IngressClient<M> {
    return this.proxy((h) => `/${enc(def.name)}/${enc(h)}`) as IngressClient<M>;
  }

  objectClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressClient<M> {
    return this.proxy((h) => `/${enc(def.name)}/${enc(key)}/${enc(h)}`) as IngressClient<M>;
  }

  serviceSendClient<P extends string, M>(def: DefinitionLike<P, M>): IngressSendClient<M> {
    return this.sendProxy((h) => `/${enc(def.name)}/${enc(h)}`) as IngressSendClient<M>;
  }

  objectSendClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressSendClient<M> {
    return this.sendProxy((h) => `/${enc(def.name)}/${enc(key)}/${enc(h)}`) as IngressSendClient<M>;
  }

  workflowClient<P extends string, M>(def: DefinitionLike<P, M>, key: string): IngressWorkflowClient<M> {
    const base = `/${enc(def.name)}/${enc(key)}`;
    const calls = this.proxy((h) => `${base}/${enc(h)}`);
    const extra = {
      workflowSubmit: (...args: unknown[]) => {
        const [input, opts] = splitArgs(args, SendOpts);
        return this.send(`${base}/run`, input, (opts as SendOpts<unknown> | undefined)?.opts);
      },
      workflowAttach: (opts?: Opts<void, unknown>) =>
        this.getOutput(`/restate/workflow/${enc(def.name)}/${enc(key)}/attach`, opts, true).then((o) => o.result),
      workflowOutput: (opts?: Opts<void, unknown>) => this.getOutput(`/restate/workflow/${enc(def.name)}/${enc(key)}/output`, opts, false),
    };
    return new Proxy(extra, {
      get: (target, prop) => (prop in target ? (target as Record<string | symbol, unknown>)[prop] : (calls as Record<string | symbol, unknown>)[prop]),
    }) as unknown as IngressWorkflowClient<M>;
  }

  async resolveAwakeable<T>(id: string, payload?: T, payloadSerde?: Serde<T>): Promise<void> {
    const s = (payloadSerde ?? jsonSerde) as Serde<T | undefined>;
    const body = s.serialize(payload);
    const path = `/restate/a/${enc(id)}/resolve`;
    const headers: Record<string, string> = s.contentType === undefined ? {} : { "content-type": s.contentType };
    const r = await this.request("POST", path, { body, headers }, this.defaultRetry);
    if (r.status < 200 || r.status >= 300) this.fail("POST", path, r);
  }

  async rejectAwakeable(id: string, reason: string): Promise<void> {
    const path = `/restate/a/${enc(id)}/reject`;
    const r = await this.request("POST", path, { body: new TextEncoder().encode(reason), headers: { "content-type": "text/plain" } }, this.defaultRetry);
    if (r.status < 200 || r.status >= 300) this.fail("POST", path, r);
  }

  result<O>(send: Send<O>, opts?: Opts<void, O>): Promise<O> {
    return this.attach<O>(send.invocationId, opts);
  }

  attach<O = unknown>(invocationId: string, opts?: Opts<void, O>): Promise<O> {
    return this.getOutput<O>(`/restate/invocation/${enc(invocationId)}/attach`, opts, true).then((o) => o.result);
  }

  output<O = unknown>(invocationId: string, opts?: Opts<void, O>): Promise<Output<O>> {
    return this.getOutput<O>(`/restate/invocation/${enc(invocationId)}/output`, opts, false);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function splitArgs(args: unknown[], optsClass: typeof Opts | typeof SendOpts): [unknown, unknown] {
  const isOpts = (x: unknown): boolean => (optsClass === Opts ? x instanceof Opts : x instanceof SendOpts);
  if (args.length === 0) return [undefined, undefined];
  if (isOpts(args[0])) return [undefined, args[0]];
  const last = args[args.length - 1];
  return [args[0], args.length > 1 && isOpts(last) ? last : undefined];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
