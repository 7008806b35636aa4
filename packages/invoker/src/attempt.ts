// One attempt of an invocation against a deployment (RESTATE-PROTOCOL.md §1, §4.2–§4.5).
//
// Owns: the HTTP exchange of one attempt — request head, Start + journal replay, the frames the
// SDK sends back, the frames the server pushes on the open request (notifications, run acks), the
// inactivity and abort timers. Does not own: what a frame means for the invocation (the partition
// processor decides, logs and answers), retries (retry-policy.ts), connections (h2c/pool.ts for
// http:// deployments, session-pool.ts for https:// or when node:http2 is chosen).
//
// A1. Start is the first frame written and the journal follows it in stored order (journal order
//     = wire order); `known_entries` equals the number of journal frames written.
// A2. Frames from the SDK reach the listener in arrival order, one call per received chunk, and
//     never after the terminal frame (End, Suspension, Error) or after the attempt failed.
// A3. The request body is ended once a terminal frame arrived, on inactivity, and — for HTTP/1.1
//     request/response — right after the replay; nothing is written after it ended.
// A4. `done` settles exactly once: with the terminal frame, or with an InvokerError.
import * as http from "node:http";
import * as https from "node:https";
import type * as http2 from "node:http2";
import {
  ErrorMessageSchema,
  SuspensionMessageSchema,
  flattenFuture,
  fromBinary,
  suspensionFuture,
  type Future,
} from "@cairn/protocol";
import { connectTimeoutMs, errorBodyBytesMax } from "./constants.js";
import {
  AbortTimeoutError,
  AttemptAbortedError,
  ConnectError,
  ContentTypeError,
  HttpStatusError,
  type InvokerError,
  MissingTerminalError,
  ProtocolViolationError,
} from "./errors.js";
import { FrameReader, frame, type RawFrame } from "./frame-reader.js";
import type { H2cRequest, H2cStreamHandler } from "./h2c/connection.js";
import type { H2cPool } from "./h2c/pool.js";
import type { SessionPool } from "./session-pool.js";

/** Message type codes this module needs (RESTATE-PROTOCOL.md §3.2). */
const typeStart = 0x0000;
const typeSuspension = 0x0001;
const typeError = 0x0002;
const typeEnd = 0x0003;
const typeProposeRunCompletion = 0x0005;
const typeAwaitingOn = 0x0006;
const firstCommandType = 0x0400;
const lastCommandType = 0x7fff;
const firstCustomType = 0xfc00;

export interface AttemptDeployment {
  /** Base URI without a trailing slash (a path prefix and a query string are kept). */
  uri: string;
  additionalHeaders: Readonly<Record<string, string>>;
  /** HTTP/1.1 request/response instead of HTTP/2 bidirectional streaming. */
  useHttp11: boolean;
}

export interface StartFields {
  /** Raw 24-byte invocation id. */
  id: Uint8Array;
  /** `inv_1…` */
  debugId: string;
  /** Object or workflow key; "" for services. */
  key: string;
  stateMap: readonly (readonly [Uint8Array, Uint8Array])[];
  partialState: boolean;
  retryCountSinceLastStoredEntry: number;
  durationSinceLastStoredEntryMs: number;
  randomSeed: bigint;
  idempotencyKey?: string;
}

export interface JournalFrame {
  readonly type: number;
  readonly payload: Uint8Array;
}

export interface AttemptRequest {
  deployment: AttemptDeployment;
  service: string;
  handler: string;
  /** 5, 6 or 7 (pinned per invocation, D6). */
  protocolVersion: number;
  start: StartFields;
  journal: readonly JournalFrame[];
  /** Extra request headers of this attempt (trace context). */
  headers?: Readonly<Record<string, string>>;
  inactivityTimeoutMs: number;
  abortTimeoutMs: number;
}

export interface SdkError {
  code: number;
  message: string;
  stacktrace: string;
  relatedCommandIndex?: number;
  relatedCommandName?: string;
  relatedCommandType?: number;
  nextRetryDelayMs?: number;
  behavior: "retry" | "pause" | "fail";
}

export type Terminal = { kind: "end" } | { kind: "suspension"; future: Future } | { kind: "error"; error: SdkError };

export type AttemptOutcome = { kind: "terminal"; terminal: Terminal } | { kind: "failed"; error: InvokerError };

export interface AttemptListener {
  /**
   * The frames of one received chunk, in order (commands, run proposals, custom entries; AwaitingOn
   * hints are dropped), and the terminal frame if the chunk carried one. Called synchronously.
   */
  onFrames(frames: readonly RawFrame[], terminal: Terminal | undefined): void;
}

export function invocationContentType(version: number): string {
  return `application/vnd.restate.invocation.v${version}`;
}

/** The URL of `/invoke/{service}/{handler}` under a deployment URI (prefix and query kept). */
export function invokeUrl(uri: string, service: string, handler: string): URL {
  const url = new URL(uri);
  const base = url.pathname.replace(/\/+$/, "");
  url.pathname = `${base}/invoke/${encodeURIComponent(service)}/${encodeURIComponent(handler)}`;
  return url;
}

/** Origin and request path of `invokeUrl`, parsed once per deployment and handler (bounded cache). */
function invokeTarget(uri: string, service: string, handler: string): { origin: string; path: string } {
  const key = `${uri}\n${service}\n${handler}`;
  let target = invokeTargets.get(key);
  if (target === undefined) {
    const url = invokeUrl(uri, service, handler);
    target = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (invokeTargets.size >= invokeTargetCacheMax) invokeTargets.clear();
    invokeTargets.set(key, target);
  }
  return target;
}

const invokeTargets = new Map<string, { origin: string; path: string }>();
const invokeTargetCacheMax = 1024;

/**
 * The future a suspension waits on: the V7 tree, or the V5/V6 flat lists as one FIRST_COMPLETED
 * node. An empty one is a protocol violation (Restate fails the attempt too).
 */
export function decodeSuspension(payload: Uint8Array): Future {
  const future = suspensionFuture(fromBinary(SuspensionMessageSchema, payload));
  const leaves = flattenFuture(future);
  if (leaves.completions.length + leaves.signals.length + leaves.namedSignals.length === 0) {
    throw new ProtocolViolationError("suspension awaits nothing");
  }
  return future;
}

export function decodeError(payload: Uint8Array): SdkError {
  const m = fromBinary(ErrorMessageSchema, payload);
  const error: SdkError = {
    code: m.code,
    message: m.message,
    stacktrace: m.stacktrace,
    behavior: (m.behavior as number) === 1 ? "pause" : (m.behavior as number) === 2 ? "fail" : "retry",
  };
  if (m.relatedCommandIndex !== undefined) error.relatedCommandIndex = m.relatedCommandIndex;
  if (m.relatedCommandName !== undefined) error.relatedCommandName = m.relatedCommandName;
  if (m.relatedCommandType !== undefined) error.relatedCommandType = m.relatedCommandType;
  if (m.nextRetryDelay !== undefined) error.nextRetryDelayMs = Number(m.nextRetryDelay);
  return error;
}

/**
 * StartMessage, written directly (the hot path: one per attempt). Proto3 wire format, fields in
 * number order, zero values of implicit-presence fields omitted, as `toBinary` writes them:
 *
 *   StartMessage => 1:id bytes, 2:debug_id string, 3:known_entries u32, 4:state_map StateEntry*,
 *                   5:partial_state bool, 6:key string, 7:retry_count u32, 8:duration u64,
 *                   9:random_seed u64, 12:idempotency_key string (optional, V7 only)
 *   StateEntry   => 1:key bytes, 2:value bytes
 *   field        => tag varint (number << 3 | wire type) value; varint = LEB128; bytes/string/message = varint length ++ bytes
 */
export function encodeStart(start: StartFields, knownEntries: number, version: number): Uint8Array {
  const debugId = Buffer.from(start.debugId, "utf8");
  const key = Buffer.from(start.key, "utf8");
  const idempotencyKey = version >= 7 && start.idempotencyKey !== undefined ? Buffer.from(start.idempotencyKey, "utf8") : undefined;
  const duration = BigInt(Math.max(0, Math.floor(start.durationSinceLastStoredEntryMs)));
  const w = new ProtoWriter(64 + debugId.length + key.length + start.id.length + (idempotencyKey?.length ?? 0) + stateMapBytes(start.stateMap));
  w.bytesField(1, start.id);
  w.bytesField(2, debugId);
  w.uintField(3, knownEntries);
  for (const [k, v] of start.stateMap) {
    w.tag(4, 2);
    w.varint((k.length > 0 ? 1 + varintLength(k.length) + k.length : 0) + (v.length > 0 ? 1 + varintLength(v.length) + v.length : 0));
    w.bytesField(1, k);
    w.bytesField(2, v);
  }
  if (start.partialState) w.uintField(5, 1);
  w.bytesField(6, key);
  w.uintField(7, start.retryCountSinceLastStoredEntry);
  w.bigField(8, duration);
  w.bigField(9, BigInt.asUintN(64, start.randomSeed));
  if (idempotencyKey !== undefined) {
    w.tag(12, 2);
    w.varint(idempotencyKey.length);
    w.raw(idempotencyKey);
  }
  return w.finish();
}

function stateMapBytes(stateMap: StartFields["stateMap"]): number {
  let n = 0;
  for (const [k, v] of stateMap) n += k.length + v.length + 24; // tags and length varints: at most 18
  return n;
}

function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n += 1;
  return n;
}

/** A fixed-size protobuf writer sized by the caller's upper bound. */
class ProtoWriter {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(capacity: number) {
    this.#buf = new Uint8Array(capacity);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  raw(bytes: Uint8Array): void {
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** A bytes or string field; omitted when empty (proto3 implicit presence). */
  bytesField(field: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.tag(field, 2);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** A uint32 / bool field; omitted when zero. */
  uintField(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, 0);
    this.varint(value);
  }

  /** A uint64 field; omitted when zero. */
  bigField(field: number, value: bigint): void {
    if (value === 0n) return;
    this.tag(field, 0);
    let v = value;
    while (v >= 0x80n) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}

/** Bookkeeping shared by both transports. */
export class Attempt {
  readonly done: Promise<AttemptOutcome>;
  readonly #request: AttemptRequest;
  readonly #listener: AttemptListener;
  readonly #reader = new FrameReader();
  #resolve!: (outcome: AttemptOutcome) => void;
  #settled = false;
  #terminal: Terminal | undefined;
  /** Whether the request body has been ended (A3). */
  #requestEnded = false;
  #inactivityTimer: NodeJS.Timeout | undefined;
  #abortTimer: NodeJS.Timeout | undefined;
  #headTimer: NodeJS.Timeout | undefined;
  #write: ((bytes: Uint8Array) => void) | undefined;
  #endRequest: (() => void) | undefined;
  #destroy: (() => void) | undefined;

  private constructor(request: AttemptRequest, listener: AttemptListener) {
    this.#request = request;
    this.#listener = listener;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** The h2c stream of this attempt, when it runs on the h2c client (no closures then). */
  #h2c: H2cRequest | undefined;

  /**
   * Starts an attempt; the returned object is live until `done` settles. HTTP/2 to an `http://`
   * deployment goes over `h2c` when given, otherwise (and for `https://`) over node:http2 `pool`.
   */
  static start(pool: SessionPool, request: AttemptRequest, listener: AttemptListener, h2c?: H2cPool): Attempt {
    if (request.journal.length < 1) throw new RangeError("a journal has at least its Input command");
    const attempt = new Attempt(request, listener);
    try {
      if (request.deployment.useHttp11) attempt.#startHttp1();
      else if (h2c !== undefined && request.deployment.uri.startsWith("http:")) attempt.#startH2c(h2c);
      else attempt.#startHttp2(pool);
    } catch (error) {
      attempt.#fail(new ConnectError(request.deployment.uri, error));
    }
    return attempt;
  }

  /** Whether frames can still be pushed to the SDK. */
  get writable(): boolean {
    return !this.#settled && !this.#requestEnded && (this.#h2c !== undefined || this.#write !== undefined);
  }

  /** Pushes a frame (notification or run ack) to the SDK; false if the request is already ended. */
  send(type: number, payload: Uint8Array): boolean {
    if (!this.writable) return false;
    this.#writeBytes(frame(type, 0, payload));
    this.#touch();
    return true;
  }

  #writeBytes(bytes: Uint8Array): void {
    if (this.#h2c !== undefined) this.#h2c.write(bytes);
    else this.#write?.(bytes);
  }

  /** Ends the request body: the SDK suspends or finishes once it has nothing left to do. */
  endRequest(): void {
    if (this.#requestEnded || this.#settled) return;
    this.#requestEnded = true;
    this.#clearInactivity();
    if (this.#h2c !== undefined) this.#h2c.end();
    else this.#endRequest?.();
    this.#armAbort();
  }

  /** Aborts the exchange (kill, shutdown); `done` settles with AttemptAbortedError. */
  abort(reason: string): void {
    this.#fail(new AttemptAbortedError(reason));
  }

  /** The h2c client's callbacks, one object per attempt (no closures). */
  static readonly #H2cHandler = class implements H2cStreamHandler {
    readonly #attempt: Attempt;
    constructor(attempt: Attempt) {
      this.#attempt = attempt;
    }
    onHeaders(status: number, headers: readonly string[]): void {
      const attempt = this.#attempt;
      attempt.#clearHeadTimer();
      let contentType: string | undefined;
      let retryAfter: string | undefined;
      for (let i = 2; i + 1 < headers.length; i += 2) {
        const name = headers[i];
        if (name === "content-type") contentType ??= headers[i + 1];
        else if (name === "retry-after") retryAfter ??= headers[i + 1];
      }
      attempt.#onHead(status, contentType, retryAfter);
    }
    onData(chunk: Buffer): void {
      this.#attempt.#onChunk(chunk);
    }
    onEnd(): void {
      this.#attempt.#onResponseEnd();
    }
    onError(error: InvokerError): void {
      const attempt = this.#attempt;
      attempt.#fail(new ConnectError(invokeTarget(attempt.#request.deployment.uri, attempt.#request.service, attempt.#request.handler).origin, error));
    }
  };

  #startH2c(pool: H2cPool): void {
    const { deployment, service, handler, protocolVersion } = this.#request;
    const url = invokeTarget(deployment.uri, service, handler);
    const contentType = invocationContentType(protocolVersion);
    const headers: string[] = [];
    const extra = this.#request.headers;
    const hasAdditional = Object.keys(deployment.additionalHeaders).length > 0;
    if (hasAdditional || (extra !== undefined && Object.keys(extra).length > 0)) {
      const merged: Record<string, string> = {};
      for (const [name, value] of Object.entries(deployment.additionalHeaders)) merged[name.toLowerCase()] = value;
      if (extra !== undefined) for (const [name, value] of Object.entries(extra)) merged[name.toLowerCase()] = value;
      for (const name of commonHeaderNames) delete merged[name];
      for (const [name, value] of Object.entries(merged)) headers.push(name, value);
    }
    headers.push("content-type", contentType, "accept", contentType, "x-restate-invocation-id", this.#request.start.debugId);
    if (this.#request.start.key.length > 0) headers.push("x-restate-service-key", encodeURIComponent(this.#request.start.key));
    this.#h2c = pool.request(url.origin, "POST", url.path, headers, new Attempt.#H2cHandler(this));
    this.#armHeadTimer(url.origin);
    this.#writeReplay();
  }

  #startHttp2(pool: SessionPool): void {
    const { deployment, service, handler, protocolVersion } = this.#request;
    const url = invokeTarget(deployment.uri, service, handler);
    const contentType = invocationContentType(protocolVersion);
    const session: http2.ClientHttp2Session = pool.session(url.origin);
    const stream = session.request(
      {
        ":method": "POST",
        ":path": url.path,
        ...deployment.additionalHeaders,
        ...this.#request.headers,
        ...this.#commonHeaders(contentType),
      },
      { endStream: false },
    );
    this.#write = (bytes) => {
      stream.write(bytes);
    };
    this.#endRequest = () => {
      stream.end();
    };
    this.#destroy = () => {
      stream.close(0x8 /* NGHTTP2_CANCEL */);
    };
    stream.on("response", (headers) => {
      this.#clearHeadTimer();
      const status = Number(headers[":status"] ?? 0);
      const responseType = headerValue(headers["content-type"]);
      this.#onHead(status, responseType, headerValue(headers["retry-after"]));
    });
    stream.on("data", (chunk: Buffer) => this.#onChunk(chunk));
    stream.on("end", () => this.#onResponseEnd());
    stream.on("error", (error) => this.#fail(new ConnectError(url.origin, error)));
    stream.on("close", () => this.#onResponseEnd());
    this.#armHeadTimer(url.origin);
    this.#writeReplay();
  }

  #startHttp1(): void {
    const { deployment, service, handler, protocolVersion } = this.#request;
    const url = invokeUrl(deployment.uri, service, handler);
    const contentType = invocationContentType(protocolVersion);
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(url, {
      method: "POST",
      headers: { ...deployment.additionalHeaders, ...this.#request.headers, ...this.#commonHeaders(contentType) },
    });
    this.#write = (bytes) => {
      request.write(bytes);
    };
    this.#endRequest = () => {
      request.end();
    };
    this.#destroy = () => {
      request.destroy();
    };
    request.on("response", (response) => {
      this.#clearHeadTimer();
      this.#onHead(response.statusCode ?? 0, headerValue(response.headers["content-type"]), headerValue(response.headers["retry-after"]));
      response.on("data", (chunk: Buffer) => this.#onChunk(chunk));
      response.on("end", () => this.#onResponseEnd());
      response.on("error", (error) => this.#fail(new ConnectError(url.origin, error)));
    });
    request.on("error", (error) => this.#fail(new ConnectError(url.origin, error)));
    this.#armHeadTimer(url.origin);
    this.#writeReplay();
    // Request/response: the SDK suspends at every await that is not already journaled (A3).
    this.endRequest();
  }

  #commonHeaders(contentType: string): Record<string, string> {
    const headers: Record<string, string> = {
      "content-type": contentType,
      accept: contentType,
      "x-restate-invocation-id": this.#request.start.debugId,
    };
    if (this.#request.start.key.length > 0) headers["x-restate-service-key"] = encodeURIComponent(this.#request.start.key);
    return headers;
  }

  /** A1: Start then every journal entry, in one write. */
  #writeReplay(): void {
    const { start, journal, protocolVersion } = this.#request;
    const parts: Uint8Array[] = [frame(typeStart, 0, encodeStart(start, journal.length, protocolVersion))];
    for (const entry of journal) parts.push(frame(entry.type, 0, entry.payload));
    this.#writeBytes(Buffer.concat(parts));
    this.#touch();
  }

  #onHead(status: number, responseType: string | undefined, retryAfter: string | undefined): void {
    if (this.#settled) return;
    if (status < 200 || status >= 300) {
      // The body is the error text: #onChunk keeps its first bytes, #onResponseEnd fails the attempt.
      this.#failing = { status, retryAfter, chunks: [], bytes: 0 };
      // Nothing more will be sent; ending the request lets the deployment finish its answer.
      this.endRequest();
      return;
    }
    const expected = invocationContentType(this.#request.protocolVersion);
    if (responseType !== expected) this.#fail(new ContentTypeError(expected, responseType));
  }

  /** Set while a non-2xx body is being read: chunks are the error text, not frames. */
  #failing: { status: number; retryAfter: string | undefined; chunks: Buffer[]; bytes: number } | undefined;

  #onChunk(chunk: Buffer): void {
    if (this.#settled) return;
    const failing = this.#failing;
    if (failing !== undefined) {
      if (failing.bytes < errorBodyBytesMax) failing.chunks.push(chunk);
      failing.bytes += chunk.length;
      return;
    }
    if (this.#terminal !== undefined) return; // A2: nothing after the terminal frame
    this.#touch();
    let frames: RawFrame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.#fail(error as InvokerError);
      return;
    }
    if (frames.length === 0) return;
    const batch: RawFrame[] = [];
    let terminal: Terminal | undefined;
    try {
      for (const f of frames) {
        const type = f.type;
        if ((type >= firstCommandType && type <= lastCommandType) || type === typeProposeRunCompletion || type >= firstCustomType) {
          batch.push(f);
        } else if (type === typeAwaitingOn) {
          // Advisory only (RESTATE-PROTOCOL.md §3.2); resumption is driven by notifications.
        } else if (type === typeEnd) {
          terminal = { kind: "end" };
          break;
        } else if (type === typeSuspension) {
          terminal = { kind: "suspension", future: decodeSuspension(f.payload) };
          break;
        } else if (type === typeError) {
          terminal = { kind: "error", error: decodeError(f.payload) };
          break;
        } else {
          throw new ProtocolViolationError(`the SDK sent message type 0x${type.toString(16).padStart(4, "0")}, which only a server may send`);
        }
      }
    } catch (error) {
      this.#fail(error instanceof ProtocolViolationError ? error : new ProtocolViolationError(`undecodable frame: ${String(error)}`));
      return;
    }
    if (terminal !== undefined) {
      this.#terminal = terminal;
      // A3: end the request so the SDK closes its response (RESTATE-PROTOCOL.md §1.5).
      this.endRequest();
    }
    this.#listener.onFrames(batch, terminal);
  }

  #onResponseEnd(): void {
    if (this.#settled) return;
    const failing = this.#failing;
    if (failing !== undefined) {
      const text = Buffer.concat(failing.chunks).toString("utf8").slice(0, errorBodyBytesMax);
      this.#fail(new HttpStatusError(failing.status, text, parseRetryAfter(failing.retryAfter)));
      return;
    }
    if (this.#terminal !== undefined) {
      this.#settle({ kind: "terminal", terminal: this.#terminal });
      return;
    }
    this.#fail(new MissingTerminalError());
  }

  #fail(error: InvokerError): void {
    if (this.#settled) return;
    this.#settle({ kind: "failed", error });
  }

  #settle(outcome: AttemptOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clearInactivity();
    this.#clearHeadTimer();
    if (this.#abortTimer !== undefined) clearTimeout(this.#abortTimer);
    if (outcome.kind === "failed") {
      if (this.#h2c !== undefined) this.#h2c.cancel();
      else this.#destroy?.();
    } else if (!this.#requestEnded) {
      this.#requestEnded = true;
      if (this.#h2c !== undefined) this.#h2c.end();
      else this.#endRequest?.();
    }
    this.#resolve(outcome);
  }

  /** Any frame in either direction resets the inactivity timer; after the request ended, the abort timer. */
  #touch(): void {
    if (this.#settled) return;
    if (this.#requestEnded) {
      this.#armAbort();
      return;
    }
    // Re-arm the same timer (refresh) rather than allocate one per frame.
    if (this.#inactivityTimer !== undefined) this.#inactivityTimer.refresh();
    else this.#inactivityTimer = setTimeout(() => this.endRequest(), this.#request.inactivityTimeoutMs);
  }

  #clearInactivity(): void {
    if (this.#inactivityTimer !== undefined) clearTimeout(this.#inactivityTimer);
    this.#inactivityTimer = undefined;
  }

  #armAbort(): void {
    if (this.#abortTimer !== undefined) {
      this.#abortTimer.refresh();
      return;
    }
    const timeoutMs = this.#request.abortTimeoutMs;
    this.#abortTimer = setTimeout(() => this.#fail(new AbortTimeoutError(timeoutMs)), timeoutMs);
  }

  #armHeadTimer(origin: string): void {
    this.#headTimer = setTimeout(() => {
      this.#fail(new ConnectError(origin, new Error(`no response head within ${connectTimeoutMs} ms`)));
    }, connectTimeoutMs);
  }

  #clearHeadTimer(): void {
    if (this.#headTimer !== undefined) clearTimeout(this.#headTimer);
    this.#headTimer = undefined;
  }
}

/** Headers the attempt sets itself; a deployment's additional headers cannot replace them. */
const commonHeaderNames = ["content-type", "accept", "x-restate-invocation-id", "x-restate-service-key"];

function headerValue(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value[0];
  return String(value);
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
