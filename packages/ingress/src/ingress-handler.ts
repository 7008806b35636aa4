// The transport-independent core of the ingress: both HTTP implementations (uWebSockets.js and
// node:http) feed it the same request heads and bodies and write back what it answers, so they
// behave alike by construction.
//
// Owns: routing, validation, invocation-id minting, dispatch and the mapping of outcomes to HTTP
// answers; the count of requests in flight and the budget of buffered body bytes (D5).
// Does not own: sockets and body reading (uws-server.ts, node-server.ts); partitions, durability
// and execution (the dispatcher, i.e. the server and its workers).
//
// I1. Every request that prepare() admitted is released exactly once (execute() or abandon()),
//     so the in-flight count and the body budget never leak.
// I2. The body is never parsed or copied here: it goes to the dispatcher as the transport read it.
// I3. A request reaches a partition only after it passed every check (route, method, privacy,
//     delay, idempotency key, input); a rejected request leaves no trace.
// I4. Answers are built only from the dispatcher's result, which the worker sends after the log
//     record carrying it is durable (D1, contract.ts C2).

import type { InvokeRequest, InvokeResult } from "@cairn/partition";
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
  OverloadedError,
  PayloadTooLargeError,
  PrivateServiceError,
} from "./errors.js";
import { mintInvocationId } from "./invocation-ids.js";
import {
  callResponse,
  healthResponse,
  ingressErrorResponse,
  invocationFailureResponse,
  sendResponse,
  type Header,
  type IngressResponse,
} from "./responses.js";
import { resolveRoute } from "./routes.js";
import { checkInput, emptySchema, type CompiledHandler, type CompiledService, type IngressSchema } from "./schema.js";

/** One invocation to run on the partition that owns `partitionKey`. */
export interface DispatchCall {
  readonly partitionKey: bigint;
  readonly request: InvokeRequest;
  /** true when `request.body` alone owns its ArrayBuffer, so it may be transferred, not copied. */
  readonly bodyTransferable: boolean;
}

/**
 * Runs an invocation on its partition. Resolves with the worker's answer; rejects with an
 * IngressError (OverloadedError → 429, UnavailableError → 503, …) or any other error (→ 500).
 */
export interface Dispatcher {
  dispatch(call: DispatchCall): Promise<InvokeResult>;
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

/** A request admitted by prepare(), waiting for its body. */
export class PendingRequest {
  released = false;
  reservedBytes = 0;

  constructor(
    readonly service: CompiledService,
    readonly handler: CompiledHandler,
    readonly key: string | undefined,
    readonly send: boolean,
    readonly executeAtMs: number | undefined,
    readonly idempotencyKey: string | undefined,
    readonly contentType: string | undefined,
    readonly forwarded: [string, string][],
    readonly traceparent: string | undefined,
    readonly tracestate: string | undefined,
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
      const { service, handler, key, send } = route;
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
      let contentLength: number | undefined;
      const forwarded: [string, string][] = [];
      for (const [name, value] of head.headers) {
        switch (name) {
          case "idempotency-key":
            idempotencyKey = value;
            break;
          case "content-type":
            contentType = value;
            break;
          case "content-length":
            contentLength = parseContentLength(value);
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
      if (contentLength !== undefined && contentLength > this.#requestBodyBytesMax) {
        throw new PayloadTooLargeError(`the request body of ${contentLength} bytes is over the limit of ${this.#requestBodyBytesMax} bytes`);
      }
      if (this.#inflight >= this.#inflightRequestsMax) {
        throw new OverloadedError(`too many requests in flight (${this.#inflightRequestsMax}); retry later`);
      }

      const pending = new PendingRequest(
        service,
        handler,
        key,
        send,
        executeAtMs,
        idempotencyKey,
        contentType,
        forwarded,
        traceparent,
        tracestate,
        contentLength,
        this.#requestBodyBytesMax,
      );
      this.#inflight += 1;
      return { kind: "read-body", request: pending };
    } catch (error) {
      return { kind: "respond", response: this.#errorResponse(error) };
    }
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

  /** Validates the body, dispatches the invocation and maps its outcome to an answer. */
  async execute(request: PendingRequest, body: Uint8Array, bodyTransferable = false): Promise<IngressResponse> {
    let invocationId: string | undefined;
    try {
      const problem = checkInput(request.handler.input, request.contentType, body.length);
      if (problem !== undefined) {
        throw new InvalidInputError(`${request.service.name}/${request.handler.name}: ${problem}`);
      }
      const minted = mintInvocationId({
        service: request.service.name,
        handler: request.handler.name,
        key: request.key,
        workflowRun: request.handler.ty === "WORKFLOW",
        idempotencyKey: request.idempotencyKey,
      });
      invocationId = minted.invocationId;
      const invoke: InvokeRequest = {
        invocationId,
        service: request.service.name,
        handler: request.handler.name,
        headers: request.forwarded,
        body,
        mode: request.send ? "send" : "call",
      };
      if (request.key !== undefined) invoke.key = request.key;
      if (request.executeAtMs !== undefined) invoke.executeAtMs = request.executeAtMs;
      if (request.idempotencyKey !== undefined) invoke.idempotencyKey = request.idempotencyKey;
      if (request.traceparent !== undefined) invoke.traceparent = request.traceparent;
      if (request.tracestate !== undefined) invoke.tracestate = request.tracestate;

      // The body now belongs to the dispatch; its bytes no longer count as buffered here.
      this.#releaseBytes(request);
      const result = await this.#dispatcher.dispatch({ partitionKey: minted.partitionKey, request: invoke, bodyTransferable });
      return this.#resultResponse(request, result);
    } catch (error) {
      return this.#errorResponse(error, invocationId);
    } finally {
      this.#release(request);
    }
  }

  #resultResponse(request: PendingRequest, result: InvokeResult): IngressResponse {
    if (result.kind === "accepted") {
      if (!request.send) throw new InternalError(`the partition accepted ${result.invocationId} as a send, but it was a call`);
      return sendResponse(result.invocationId, result.status, result.executeAtMs);
    }
    const outcome = result.outcome;
    if ("failure" in outcome) return invocationFailureResponse(result.invocationId, outcome.failure);
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
