// The transport-independent core of the ingress: both HTTP implementations (uWebSockets.js and
// node:http) feed it the same request heads and bodies and write back what it answers, so they
// behave alike by construction.
//
// Owns: routing, validation, invocation-id minting, dispatch and the mapping of outcomes to HTTP
// answers; the count of requests in flight and the budget of buffered body bytes (D5).
// Does not own: sockets and body reading (uws-transport.ts, node-transport.ts); partitions,
// durability and execution (the dispatcher, i.e. the server and its workers).
//
// I1. Every request that prepare() admitted is released exactly once (execute() or abandon()),
//     so the in-flight count and the body budget never leak.
// I2. An invocation's body is never parsed or copied here: it goes to the dispatcher as the
//     transport read it. (Only an awakeable rejection's body is decoded: it is the failure message.)
// I3. A request reaches a partition only after it passed every check (route, method, privacy,
//     ids, delay, idempotency key, input); a rejected request leaves no trace.
// I4. Answers are built only from the dispatcher's result, which the worker sends after the log
//     record carrying it is durable (D1, contract.ts C2).

import type { InvocationFailure, InvocationOutcome, InvokeRequest, InvokeResult } from "@cairn/partition";
import { formatInvocationId, invocationIdPartitionKey } from "@cairn/protocol";
import {
  bufferedBodyBytesMax as defaultBufferedBodyBytesMax,
  delayMsMax,
  idempotencyKeyLengthMax,
  inflightRequestsMax as defaultInflightRequestsMax,
  requestBodyBytesMax as defaultRequestBodyBytesMax,
} from "./constants.js";
import { DurationSyntaxError, parseDurationMs } from "./duration.js";
import {
  BadRequestError,
  IngressError,
  InternalError,
  InvalidDelayError,
  InvalidInputError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  PayloadTooLargeError,
  PrivateServiceError,
} from "./errors.js";
import { mintInvocationId } from "./invocation-ids.js";
import {
  acceptedSignalResponse,
  callResponse,
  healthResponse,
  ingressErrorResponse,
  invocationFailureResponse,
  notReadyResponse,
  sendResponse,
  type Header,
  type IngressResponse,
} from "./responses.js";
import { resolveRoute, type AttachRouteTarget } from "./routes.js";
import { checkInput, emptySchema, type CompiledHandler, type CompiledService, type IngressSchema } from "./schema.js";

/** One invocation to run on the partition that owns `partitionKey`. */
export interface DispatchCall {
  readonly partitionKey: bigint;
  readonly request: InvokeRequest;
  /** true when `request.body` alone owns its ArrayBuffer, so it may be transferred, not copied. */
  readonly bodyTransferable: boolean;
}

/** Reads the result of an invocation on the partition that owns it (`/restate/…/attach|output`). */
export interface AttachCall {
  readonly partitionKey: bigint;
  readonly invocationId: string;
  /** attach: wait until it completes; output: answer at once (not-ready while it runs). */
  readonly wait: boolean;
}

export type AttachOutcome =
  | {
      readonly kind: "completed";
      readonly invocationId: string;
      /** Target of the invocation, to answer with its handler's output content type. */
      readonly service?: string;
      readonly handler?: string;
      readonly outcome: InvocationOutcome;
      readonly idempotencyExpiresAtMs?: number;
    }
  | { readonly kind: "not-ready"; readonly invocationId: string }
  | { readonly kind: "not-found" };

/** Completes an awakeable: SignalNotification{idx, value | failure} for the invocation. */
export interface SignalCall {
  readonly partitionKey: bigint;
  readonly invocationId: string;
  readonly signalIndex: number;
  readonly result: { readonly value: Uint8Array } | { readonly failure: InvocationFailure };
}

/**
 * Runs requests on the partition that owns them. Each method resolves with the worker's answer or
 * rejects with an IngressError (OverloadedError → 429, UnavailableError → 503, …) or any other
 * error (→ 500). `attach` and `signal` are optional: without them those routes answer 501.
 */
export interface Dispatcher {
  dispatch(call: DispatchCall): Promise<InvokeResult>;
  attach?(call: AttachCall): Promise<AttachOutcome>;
  signal?(call: SignalCall): Promise<void>;
}

export interface IngressHandlerOptions {
  readonly dispatcher: Dispatcher;
  readonly schema?: IngressSchema;
  /** Clock for delayed sends (epoch ms). */
  readonly nowMs?: () => number;
  readonly requestBodyBytesMax?: number;
  readonly inflightRequestsMax?: number;
  readonly bufferedBodyBytesMax?: number;
}

/** What a transport knows once it has read a request's head. Header names are lower-case. */
export interface RequestHead {
  /** Upper-case method. */
  readonly method: string;
  /** Raw path, without the query string. */
  readonly path: string;
  /** Raw query string without `?`; empty when there is none. */
  readonly query: string;
  readonly headers: readonly Header[];
}

export type Prepared =
  | { readonly kind: "respond"; readonly response: IngressResponse }
  | { readonly kind: "read-body"; readonly request: PendingRequest };

/** What an admitted request does once its body is read. */
export type PendingAction =
  | {
      readonly kind: "invoke";
      readonly service: CompiledService;
      readonly handler: CompiledHandler;
      readonly key: string | undefined;
      readonly send: boolean;
      readonly executeAtMs: number | undefined;
      readonly idempotencyKey: string | undefined;
      readonly contentType: string | undefined;
      readonly forwarded: [string, string][];
      readonly traceparent: string | undefined;
      readonly tracestate: string | undefined;
    }
  | {
      readonly kind: "attach";
      readonly invocationId: string;
      readonly partitionKey: bigint;
      readonly wait: boolean;
    }
  | {
      readonly kind: "signal";
      readonly invocationId: string;
      readonly partitionKey: bigint;
      readonly signalIndex: number;
      readonly resolve: boolean;
    };

/** A request admitted by prepare(), waiting for its body. */
export class PendingRequest {
  released = false;
  reservedBytes = 0;

  constructor(
    readonly action: PendingAction,
    /** Declared content-length, when the request has one. */
    readonly contentLength: number | undefined,
    /** Largest body this request may have. */
    readonly bodyBytesMax: number,
  ) {}
}

const skippedHeaders = new Set(["connection", "host", "idempotency-key", "idempotency-expires"]);

export class IngressHandler {
  readonly #dispatcher: Dispatcher;
  readonly #nowMs: () => number;
  readonly #requestBodyBytesMax: number;
  readonly #inflightRequestsMax: number;
  readonly #bufferedBodyBytesMax: number;
  #schema: IngressSchema;
  #inflight = 0;
  #bufferedBytes = 0;

  constructor(options: IngressHandlerOptions) {
    this.#dispatcher = options.dispatcher;
    this.#schema = options.schema ?? emptySchema;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#requestBodyBytesMax = options.requestBodyBytesMax ?? defaultRequestBodyBytesMax;
    this.#inflightRequestsMax = options.inflightRequestsMax ?? defaultInflightRequestsMax;
    this.#bufferedBodyBytesMax = options.bufferedBodyBytesMax ?? defaultBufferedBodyBytesMax;
  }

  /** Replaces the schema; requests already admitted keep the one they were routed with. */
  setSchema(schema: IngressSchema): void {
    this.#schema = schema;
  }

  get schema(): IngressSchema {
    return this.#schema;
  }

  /** Requests admitted and not yet released. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Body bytes currently reserved by admitted requests. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /**
   * Routes and checks a request from its head alone. Either answers at once (health, errors) or
   * admits it: the transport then reads the body, calling reserve() per chunk, and finishes with
   * execute() or, if the client went away, abandon().
   */
  prepare(head: RequestHead): Prepared {
    try {
      const route = resolveRoute(this.#schema, head.method, head.path);
      if (route.kind === "health") return { kind: "respond", response: healthResponse(this.#schema.healthBody) };
      let contentLength: number | undefined;
      for (const [name, value] of head.headers) if (name === "content-length") contentLength = parseContentLength(value);
      if (contentLength !== undefined && contentLength > this.#requestBodyBytesMax) {
        throw new PayloadTooLargeError(`the request body of ${contentLength} bytes is over the limit of ${this.#requestBodyBytesMax} bytes`);
      }
      let action: PendingAction;
      if (route.kind === "attach") action = attachAction(route.target, route.wait);
      else if (route.kind === "signal") {
        action = {
          kind: "signal",
          invocationId: formatInvocationId(route.invocationId),
          partitionKey: invocationIdPartitionKey(route.invocationId),
          signalIndex: route.signalIndex,
          resolve: route.resolve,
        };
      } else action = this.#invokeAction(route.service, route.handler, route.key, route.send, head);
      if (this.#inflight >= this.#inflightRequestsMax) {
        throw new OverloadedError(`too many requests in flight (${this.#inflightRequestsMax}); retry later`);
      }
      this.#inflight += 1;
      return { kind: "read-body", request: new PendingRequest(action, contentLength, this.#requestBodyBytesMax) };
    } catch (error) {
      return { kind: "respond", response: this.#errorResponse(error) };
    }
  }

  #invokeAction(service: CompiledService, handler: CompiledHandler, key: string | undefined, send: boolean, head: RequestHead): PendingAction {
    if (!handler.public) {
      throw new PrivateServiceError(`${service.name}/${handler.name}: the invoked service is not public`);
    }
    let executeAtMs: number | undefined;
    if (head.query.length > 0) {
      const delay = new URLSearchParams(head.query).get("delay");
      if (delay !== null) {
        if (!send) throw new InvalidDelayError("delay is only allowed on /send; a call cannot be delayed");
        executeAtMs = this.#nowMs() + parseDelay(delay);
      }
    }
    let idempotencyKey: string | undefined;
    let contentType: string | undefined;
    let traceparent: string | undefined;
    let tracestate: string | undefined;
    const forwarded: [string, string][] = [];
    for (const [name, value] of head.headers) {
      switch (name) {
        case "idempotency-key":
          idempotencyKey = value;
          break;
        case "content-type":
          contentType = value;
          break;
        case "traceparent":
          traceparent = value;
          break;
        case "tracestate":
          tracestate = value;
          break;
      }
      if (!skippedHeaders.has(name)) forwarded.push([name, value]);
    }
    forwarded.push(["x-restate-ingress-path", head.query.length > 0 ? `${head.path}?${head.query}` : head.path]);
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0) throw new BadRequestError("the idempotency-key header is empty");
      if (idempotencyKey.length > idempotencyKeyLengthMax) {
        throw new BadRequestError(`the idempotency-key header is longer than ${idempotencyKeyLengthMax} characters`);
      }
      if (handler.ty === "WORKFLOW") {
        throw new BadRequestError(`${service.name}/${handler.name} is a workflow run handler: it cannot take an idempotency key`);
      }
    }
    return { kind: "invoke", service, handler, key, send, executeAtMs, idempotencyKey, contentType, forwarded, traceparent, tracestate };
  }

  /**
   * Reserves `bytes` more of the shared body budget for `request`. Returns an answer to send
   * (and then abandon the request) when the body is too large or the budget is spent.
   */
  reserve(request: PendingRequest, bytes: number): IngressResponse | undefined {
    const total = request.reservedBytes + bytes;
    if (total > request.bodyBytesMax) {
      return ingressErrorResponse(new PayloadTooLargeError(`the request body is over the limit of ${request.bodyBytesMax} bytes`));
    }
    if (this.#bufferedBytes + bytes > this.#bufferedBodyBytesMax) {
      return ingressErrorResponse(new OverloadedError(`too many request bytes buffered (${this.#bufferedBodyBytesMax}); retry later`));
    }
    request.reservedBytes = total;
    this.#bufferedBytes += bytes;
    return undefined;
  }

  /** The client went away before the answer: release what the request held. */
  abandon(request: PendingRequest): void {
    this.#release(request);
  }

  /** Runs an admitted request with its body and maps the outcome to an answer. */
  async execute(request: PendingRequest, body: Uint8Array, bodyTransferable = false): Promise<IngressResponse> {
    const action = request.action;
    try {
      if (action.kind === "attach") return await this.#attach(request, action);
      if (action.kind === "signal") return await this.#signal(request, action, body);
      return await this.#invoke(request, action, body, bodyTransferable);
    } finally {
      this.#release(request);
    }
  }

  async #invoke(request: PendingRequest, action: Extract<PendingAction, { kind: "invoke" }>, body: Uint8Array, bodyTransferable: boolean): Promise<IngressResponse> {
    let invocationId: string | undefined;
    try {
      const problem = checkInput(action.handler.input, action.contentType, body.length);
      if (problem !== undefined) {
        throw new InvalidInputError(`${action.service.name}/${action.handler.name}: ${problem}`);
      }
      const minted = mintInvocationId({
        service: action.service.name,
        handler: action.handler.name,
        key: action.key,
        workflowRun: action.handler.ty === "WORKFLOW",
        idempotencyKey: action.idempotencyKey,
      });
      invocationId = minted.invocationId;
      const invoke: InvokeRequest = {
        invocationId,
        service: action.service.name,
        handler: action.handler.name,
        headers: action.forwarded,
        body,
        mode: action.send ? "send" : "call",
      };
      if (action.key !== undefined) invoke.key = action.key;
      if (action.executeAtMs !== undefined) invoke.executeAtMs = action.executeAtMs;
      if (action.idempotencyKey !== undefined) invoke.idempotencyKey = action.idempotencyKey;
      if (action.traceparent !== undefined) invoke.traceparent = action.traceparent;
      if (action.tracestate !== undefined) invoke.tracestate = action.tracestate;

      // The body now belongs to the dispatch; its bytes no longer count as buffered here.
      this.#releaseBytes(request);
      const result = await this.#dispatcher.dispatch({ partitionKey: minted.partitionKey, request: invoke, bodyTransferable });
      return this.#resultResponse(action, result);
    } catch (error) {
      return this.#errorResponse(error, invocationId);
    }
  }

  async #attach(request: PendingRequest, action: Extract<PendingAction, { kind: "attach" }>): Promise<IngressResponse> {
    try {
      this.#releaseBytes(request);
      const dispatcher = this.#dispatcher;
      if (dispatcher.attach === undefined) throw new NotImplementedError("attaching to invocations is not supported by this server yet");
      const outcome = await dispatcher.attach({ partitionKey: action.partitionKey, invocationId: action.invocationId, wait: action.wait });
      switch (outcome.kind) {
        case "not-found":
          // restate-server 1.7 answers an unknown id on /attach as an invocation error, on /output as an ingress one.
          if (action.wait) return invocationFailureResponse(action.invocationId, { code: 404, message: "not found" });
          throw new NotFoundError("invocation not found");
        case "not-ready":
          return notReadyResponse();
        case "completed": {
          const { outcome: result, idempotencyExpiresAtMs } = outcome;
          if ("failure" in result) return invocationFailureResponse(outcome.invocationId, result.failure, idempotencyExpiresAtMs);
          const handler =
            outcome.service === undefined || outcome.handler === undefined
              ? undefined
              : this.#schema.services.get(outcome.service)?.handlers.get(outcome.handler);
          return callResponse(
            outcome.invocationId,
            result.value,
            handler === undefined ? "application/json" : handler.outputContentType,
            handler?.outputSetContentTypeIfEmpty ?? false,
            idempotencyExpiresAtMs,
          );
        }
      }
    } catch (error) {
      return this.#errorResponse(error);
    }
  }

  async #signal(request: PendingRequest, action: Extract<PendingAction, { kind: "signal" }>, body: Uint8Array): Promise<IngressResponse> {
    try {
      this.#releaseBytes(request);
      const dispatcher = this.#dispatcher;
      if (dispatcher.signal === undefined) throw new NotImplementedError("completing awakeables is not supported by this server yet");
      const result = action.resolve
        ? { value: body }
        : { failure: { code: 500, message: new TextDecoder("utf-8", { fatal: false }).decode(body) } };
      await dispatcher.signal({ partitionKey: action.partitionKey, invocationId: action.invocationId, signalIndex: action.signalIndex, result });
      return acceptedSignalResponse();
    } catch (error) {
      return this.#errorResponse(error);
    }
  }

  #resultResponse(request: Extract<PendingAction, { kind: "invoke" }>, result: InvokeResult): IngressResponse {
    if (result.kind === "accepted") {
      if (!request.send) throw new InternalError(`the partition accepted ${result.invocationId} as a send, but it was a call`);
      return sendResponse(result.invocationId, result.status, result.executeAtMs);
    }
    const outcome = result.outcome;
    if ("failure" in outcome) return invocationFailureResponse(result.invocationId, outcome.failure, result.idempotencyExpiresAtMs);
    if (request.send) {
      // A partition may answer a send with the outcome when it was already completed (duplicate).
      return sendResponse(result.invocationId, "PreviouslyAccepted", undefined);
    }
    return callResponse(
      result.invocationId,
      outcome.value,
      request.handler.outputContentType,
      request.handler.outputSetContentTypeIfEmpty,
      result.idempotencyExpiresAtMs,
    );
  }

  #errorResponse(error: unknown, invocationId?: string): IngressResponse {
    if (error instanceof IngressError) return ingressErrorResponse(error, invocationId);
    const message = error instanceof Error ? error.message : String(error);
    return ingressErrorResponse(new InternalError(`internal error: ${message}`), invocationId);
  }

  #releaseBytes(request: PendingRequest): void {
    this.#bufferedBytes -= request.reservedBytes;
    request.reservedBytes = 0;
  }

  #release(request: PendingRequest): void {
    if (request.released) return;
    request.released = true;
    this.#releaseBytes(request);
    this.#inflight -= 1;
  }
}

function parseDelay(text: string): number {
  let delayMs: number;
  try {
    delayMs = parseDurationMs(text);
  } catch (error) {
    if (error instanceof DurationSyntaxError) throw new InvalidDelayError(`bad delay: ${error.message}`);
    throw error;
  }
  if (delayMs > delayMsMax) throw new InvalidDelayError(`delay ${JSON.stringify(text)} is longer than the maximum of ${delayMsMax} ms`);
  return delayMs;
}

function parseContentLength(value: string): number {
  const length = Number(value);
  if (!Number.isSafeInteger(length) || length < 0 || value.trim().length === 0) {
    throw new BadRequestError(`bad content-length ${JSON.stringify(value)}`);
  }
  return length;
}

/** The invocation an attach/output request reads: by id, or the deterministic id of a workflow run or idempotent request. */
function attachAction(target: AttachRouteTarget, wait: boolean): PendingAction {
  if (target.kind === "invocation") {
    return { kind: "attach", invocationId: target.invocationId, partitionKey: invocationIdPartitionKey(target.raw), wait };
  }
  const minted =
    target.kind === "workflow"
      ? mintInvocationId({ service: target.service.name, handler: target.handler.name, key: target.key, workflowRun: true })
      : mintInvocationId({
          service: target.service.name,
          handler: target.handler.name,
          key: target.key,
          workflowRun: false,
          idempotencyKey: target.idempotencyKey,
        });
  return { kind: "attach", invocationId: minted.invocationId, partitionKey: minted.partitionKey, wait };
}
