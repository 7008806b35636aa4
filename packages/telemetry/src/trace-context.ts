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

import { TraceContextError } from "./errors.js";

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

/** 32-bit MurmurHash3 of a string's UTF-16 code units with `seed`: cheap (no allocation), well mixed. */
function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * `words` × 32 bits of hash of `id`, as hex. Ids only need to be unique and stable, not secret:
 * a cryptographic hash cost ~10 % of the tracer's CPU per invocation (measured), this a fraction.
 */
function derived(seed: number, id: string, words: number): string {
  let hex = "";
  for (let w = 0; w < words; w++) hex += murmur32(id, seed + w * 0x9e3779b9).toString(16).padStart(8, "0");
  // T2: an all-zero id is invalid in W3C and OTLP.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/** The span id of invocation `invocationId`'s invocation span. */
export function invocationSpanId(invocationId: string): string {
  return derived(0x5eed0001, invocationId, 2);
}

/** The trace id of an invocation that started a trace (no incoming traceparent). */
export function invocationTraceId(invocationId: string): string {
  return derived(0x5eed1001, invocationId, 4);
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
