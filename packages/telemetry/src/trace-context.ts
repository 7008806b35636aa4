// W3C Trace Context and the span ids Cairn derives from invocation ids.
//
//   traceparent => "00" "-" trace-id:32 hex "-" parent-id:16 hex "-" flags:2 hex   (lower case)
//
// An invocation's span ids are derived, not random: the invocation span id is a hash of the
// invocation id, so every attempt (in any process incarnation, after any crash) and every callee
// names the same parent without storing it anywhere. The callee's `trace_parent` column is
// computed from the caller's row when the call is applied (deterministic, D3): trace id of the
// caller, parent id = the caller's invocation span.
//
// T1. A traceparent this module formats always parses back to the same fields.
// T2. Derived ids are never all zeros (an all-zero id is invalid in W3C and OTLP).

import { TelemetryConfigError, TraceContextError } from "./errors.js";

export interface TraceParent {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters: the parent span. */
  spanId: string;
  /** Trace flags; bit 0 = sampled. */
  flags: number;
}

const pattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTrace = "0".repeat(32);
const zeroSpan = "0".repeat(16);

/** Parses a `traceparent` header; throws TraceContextError when it is not W3C Trace Context. */
export function parseTraceparent(header: string): TraceParent {
  const match = pattern.exec(header.trim().toLowerCase());
  if (match === null) throw new TraceContextError(`bad traceparent ${JSON.stringify(header)}: expected 00-<32 hex>-<16 hex>-<2 hex>`);
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff") throw new TraceContextError("bad traceparent: version ff is invalid");
  if (version === "00" && rest !== undefined) throw new TraceContextError("bad traceparent: version 00 has exactly four fields");
  if (traceId === zeroTrace || spanId === zeroSpan) throw new TraceContextError("bad traceparent: all-zero trace id or parent id");
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** Parses a `traceparent` header, or undefined when it is absent or malformed (it is then ignored, as W3C asks). */
export function tryParseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (header === null || header === undefined) return undefined;
  try {
    return parseTraceparent(header);
  } catch {
    return undefined;
  }
}

export function formatTraceparent(context: TraceParent): string {
  return `00-${context.traceId}-${context.spanId}-${(context.flags & 0xff).toString(16).padStart(2, "0")}`;
}

function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two hex digits of every byte value. */
const byteHex: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex8(value: number): string {
  return (
    (byteHex[value >>> 24] as string) +
    (byteHex[(value >>> 16) & 0xff] as string) +
    (byteHex[(value >>> 8) & 0xff] as string) +
    (byteHex[value & 0xff] as string)
  );
}

/**
 * Two 32-bit MurmurHash3 lanes of a string's UTF-16 code units in one pass, seeded by `domain`:
 * cheap and well mixed. Ids only need to be unique and stable, not secret: SHA-256 cost about a
 * tenth of the tracer's CPU per invocation (measured), this a small fraction of that.
 */
function lanes(domain: number, text: string): [number, number] {
  let h1 = domain >>> 0;
  let h2 = (domain ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(k, 0x27d4eb2f);
    h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 9) + 0x165667b1) | 0;
  }
  return [fmix(h1 ^ text.length), fmix(h2 ^ Math.imul(text.length, 0x85ebca77))];
}

/** T2: an all-zero id is invalid in W3C and OTLP. */
function nonZero(hex: string): string {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return hex;
  return `${hex.slice(0, -1)}1`;
}

function random32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

/** A random span id (attempt and command spans): 64 bits of Math.random, never all zeros (T2). */
export function randomSpanId(): string {
  return nonZero(hex8(random32()) + hex8(random32()));
}

/** A random trace id (a span without parent; Cairn's own spans always have one). */
export function randomTraceId(): string {
  return nonZero(hex8(random32()) + hex8(random32()) + hex8(random32()) + hex8(random32()));
}

/** The span id of invocation `invocationId`'s invocation span. */
export function invocationSpanId(invocationId: string): string {
  const [a, b] = lanes(0x5eed0001, invocationId);
  return nonZero(hex8(a) + hex8(b));
}

/** The trace id of an invocation that started a trace (no incoming traceparent). */
export function invocationTraceId(invocationId: string): string {
  const [a, b] = lanes(0x5eed1001, invocationId);
  return nonZero(hex8(a) + hex8(b) + hex8(fmix(a ^ 0x9e3779b9) ^ b) + hex8(fmix(b + 0x7f4a7c15) ^ a));
}

/**
 * The trace an invocation's spans belong to and their parent: the stored `traceparent` (the
 * ingress request's, or the caller's invocation span), or a new trace rooted at the invocation.
 */
export function invocationParent(invocationId: string, traceparent: string | null | undefined): { traceId: string; parentSpanId: string | undefined; flags: number } {
  const parent = tryParseTraceparent(traceparent);
  if (parent === undefined) return { traceId: invocationTraceId(invocationId), parentSpanId: undefined, flags: 1 };
  return { traceId: parent.traceId, parentSpanId: parent.spanId, flags: parent.flags };
}

/**
 * The `traceparent` a callee invocation is created with: the caller's trace, with the caller's
 * invocation span as parent. Pure: the processor calls it when applying a Call/OneWayCall (D3).
 */
export function calleeTraceparent(callerInvocationId: string, callerTraceparent: string | null | undefined): string {
  const { traceId, flags } = invocationParent(callerInvocationId, callerTraceparent);
  return formatTraceparent({ traceId, spanId: invocationSpanId(callerInvocationId), flags });
}

/** The OTLP traces URL for a base endpoint (`{base}/v1/traces`); throws TelemetryConfigError for a non-http(s) URL. */
export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TelemetryConfigError(`tracing endpoint ${JSON.stringify(endpoint)} is not a URL; expected the base URL of an OTLP/HTTP receiver, e.g. http://127.0.0.1:4318`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TelemetryConfigError(`tracing endpoint ${endpoint}: only http and https are supported`);
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}
