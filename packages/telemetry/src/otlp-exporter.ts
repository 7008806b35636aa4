// A SpanExporter that encodes spans as an OTLP ExportTraceServiceRequest (protobuf) in one pass
// and POSTs it to `{endpoint}/v1/traces` over a keep-alive connection.
//
// Why not @opentelemetry/exporter-trace-otlp-proto: its transformer first builds a JS object per
// span (ids converted to bytes, times to strings of nanoseconds) and then encodes that with
// protobufjs; on the partition worker that was about half of the tracer's CPU per invocation
// (measured, README "Design"). This encoder writes bytes straight from the ReadableSpan.
//
//   ExportTraceServiceRequest => resource_spans(1): ResourceSpans
//   ResourceSpans  => resource(1): { attributes(1): KeyValue* }  scope_spans(2): ScopeSpans
//   ScopeSpans     => scope(1): { name(1), version(2) }  spans(2): Span*
//   Span           => trace_id(1) span_id(2) trace_state(3)? parent_span_id(4)? name(5) kind(6)
//                     start_time_unix_nano(7, fixed64) end_time_unix_nano(8, fixed64)
//                     attributes(9)* dropped_attributes_count(10)? events(11)* dropped_events_count(12)?
//                     status(15): { message(2)? code(3)? } flags(16, fixed32)
//   Event          => time_unix_nano(1, fixed64) name(2) attributes(3)*
//   KeyValue       => key(1) value(2): AnyValue
//   AnyValue       => string(1) | bool(2) | int64(3) | double(4) | array(5): { values(1)* }
//
// E1. One request per export call; its outcome (2xx = success, anything else or a timeout =
//     failure) is reported exactly once.
// E2. Encoded bytes are canonical protobuf (minimal varints, fields in number order).
// E3. A span is encoded once, when it is added to an EncodedSpanBatch (SpanQueue does that as the
//     span ends): the batch keeps bytes, not span objects, so an ended span dies young instead of
//     waiting up to a second in the queue and being promoted to the old generation. Measured: the
//     queued ReadableSpans were a large share of the tracing cost on a busy worker (GC), more
//     than the encoding itself (bench/BENCHMARKS.md, "Tracing on versus off").
// E4. A batch's request is written around the span bytes without copying them: room for the
//     largest possible head (resource, scope, two length varints) is reserved before the first
//     span, and the exact head is written right-aligned against it when the batch is finished.
//     Spans of several resources or scopes make one group each; their requests concatenated are
//     one request (repeated `resource_spans` fields merge).
import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import type { AttributeValue as OtelValue, Attributes, HrTime } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

/** Hex digit value by char code (lower and upper case); 0 elsewhere. */
const hexValue = new Uint8Array(128);
for (let i = 0; i < 10; i++) hexValue[48 + i] = i;
for (let i = 0; i < 6; i++) {
  hexValue[97 + i] = 10 + i;
  hexValue[65 + i] = 10 + i;
}

/** UTF-8 bytes of strings that recur span after span (keys, names, targets); bounded, cleared when full. */
const utf8Cache = new Map<string, Uint8Array>();
const utf8CacheMax = 4_096;
const utf8CacheCharsMax = 128;
const encoder = new TextEncoder();

class Writer {
  buf: Uint8Array;
  /** A Buffer over the same memory, for the rare non-ASCII string. */
  #view: Buffer;
  pos = 0;

  constructor(capacity = 4 * 1024) {
    this.buf = new Uint8Array(capacity);
    this.#view = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = Buffer.from(next.buffer, next.byteOffset, next.length);
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A string field; ASCII is copied char by char, anything else goes through the UTF-8 encoder. */
  string(field: number, text: string): void {
    this.tag(field, 2);
    const n = text.length;
    let ascii = n < 0x80;
    if (ascii) for (let i = 0; i < n; i++) if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
    if (ascii) {
      this.ensure(n + 1);
      const buf = this.buf;
      let pos = this.pos;
      buf[pos++] = n;
      for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
      this.pos = pos;
      return;
    }
    const length = Buffer.byteLength(text);
    this.varint(length);
    this.ensure(length);
    this.#view.write(text, this.pos, "utf8");
    this.pos += length;
  }

  /** A string field that recurs (attribute keys, span names): its bytes come from a bounded cache. */
  cachedString(field: number, text: string): void {
    if (text.length > utf8CacheCharsMax) {
      this.string(field, text);
      return;
    }
    let bytes = utf8Cache.get(text);
    if (bytes === undefined) {
      if (utf8Cache.size >= utf8CacheMax) utf8Cache.clear();
      bytes = encoder.encode(text);
      utf8Cache.set(text, bytes);
    }
    this.tag(field, 2);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  hexBytes(field: number, hex: string): void {
    this.tag(field, 2);
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < hex.length; i += 2) buf[pos++] = ((hexValue[hex.charCodeAt(i) & 0x7f] as number) << 4) | (hexValue[hex.charCodeAt(i + 1) & 0x7f] as number);
    this.pos = pos;
  }

  /** fixed64 of an HrTime as nanoseconds since the epoch, in 32-bit halves (exact, no BigInt). */
  time(field: number, time: HrTime): void {
    this.tag(field, 1);
    this.ensure(8);
    const seconds = time[0];
    // seconds * 1e9 + nanos = high16 * 1e9 * 2^16 + (low16 * 1e9 + nanos); every product < 2^53.
    const y = Math.floor(seconds / 0x10000) * 1e9;
    const x = (seconds % 0x10000) * 1e9 + time[1];
    const low = (y % 0x10000) * 0x10000 + x;
    const lo = low % 0x100000000;
    const hi = Math.floor(y / 0x10000) + Math.floor(low / 0x100000000);
    this.uint32le(lo);
    this.uint32le(hi);
  }

  uint32le(value: number): void {
    const buf = this.buf;
    buf[this.pos++] = value & 0xff;
    buf[this.pos++] = (value >>> 8) & 0xff;
    buf[this.pos++] = (value >>> 16) & 0xff;
    buf[this.pos++] = (value >>> 24) & 0xff;
  }

  fixed32(field: number, value: number): void {
    this.tag(field, 5);
    this.ensure(4);
    this.uint32le(value >>> 0);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, value, true);
    this.pos += 8;
  }

  int64(field: number, value: number): void {
    this.tag(field, 0);
    if (value >= 0) {
      this.varint(value);
      return;
    }
    // Negative int64: two's complement in ten varint bytes.
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /**
   * Starts a length-delimited field and reserves one byte for its length; returns where its
   * content starts (for end()).
   */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Ends the field begun at `start`: writes its minimal length varint before the content (E2). */
  end(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let lengthBytes = 1;
    for (let v = length; v > 0x7f; v = Math.floor(v / 0x80)) lengthBytes++;
    const extra = lengthBytes - 1;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    const end = this.pos + extra;
    this.pos = start - 1;
    this.varint(length);
    this.pos = end;
  }

  /** Appends bytes as they are (an already encoded field). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Bytes of a varint. */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Attribute keys whose string values recur across spans: their bytes are cached too. */
const lowCardinalityKeys = new Set([
  "restate.invocation.target",
  "restate.invocation.result",
  "restate.deployment.id",
  "restate.journal.entry_type",
  "restate.attempt.outcome",
  "restate.coordination.call.service",
  "restate.coordination.call.method",
  "restate.run.name",
  "restate.run.result",
  "rpc.service",
  "rpc.method",
  "service.name",
]);

function anyValue(w: Writer, value: OtelValue, lowCardinality = false): void {
  if (typeof value === "string") {
    if (lowCardinality) w.cachedString(1, value);
    else w.string(1, value);
  }
  else if (typeof value === "boolean") {
    w.tag(2, 0);
    w.varint(value ? 1 : 0);
  } else if (typeof value === "number") {
    if (Number.isSafeInteger(value)) w.int64(3, value);
    else w.double(4, value);
  } else if (Array.isArray(value)) {
    const array = w.begin(5);
    for (const item of value) {
      const element = w.begin(1);
      if (item !== null && item !== undefined) anyValue(w, item);
      w.end(element);
    }
    w.end(array);
  }
}

function attributes(w: Writer, field: number, attrs: Attributes): void {
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    const kv = w.begin(field);
    w.cachedString(1, key);
    const v = w.begin(2);
    anyValue(w, value, lowCardinalityKeys.has(key));
    w.end(v);
    w.end(kv);
  }
}

type Resource = ReadableSpan["resource"];
type Scope = ReadableSpan["instrumentationScope"];

/** The spans of one resource and scope in a batch: their bytes after a reserved head (E4). */
interface Group {
  resource: Resource;
  scope: Scope;
  /** `resource(1)` and `scope(1)` fields, encoded once per group. */
  resourceField: Uint8Array;
  scopeField: Uint8Array;
  w: Writer;
  /** Where the first span starts; the head is written right before it. */
  spansStart: number;
}

function fieldBytes(write: (w: Writer) => void): Uint8Array {
  const w = new Writer(256);
  write(w);
  return w.finish().slice();
}

/**
 * Spans encoded one by one as they end, leaving later as one ExportTraceServiceRequest (E3, E4).
 * `count` and `bytes` are what the queue bounds.
 */
export class EncodedSpanBatch {
  readonly #capacity: number;
  /** Usually one group: one tracer provider (resource) and one tracer (scope) per thread. */
  #groups: Group[] = [];
  count = 0;
  bytes = 0;

  /** `capacity`: the expected size in bytes (e.g. the previous batch's), to avoid growing. */
  constructor(capacity = 4 * 1024) {
    this.#capacity = capacity;
  }

  /** Encodes `span` into the batch (E3); on an encoding error nothing of it stays, and it throws. */
  add(span: ReadableSpan): void {
    const group = this.#groupOf(span.resource, span.instrumentationScope);
    const w = group.w;
    const before = w.pos;
    try {
      encodeSpan(w, span);
    } catch (error) {
      w.pos = before;
      throw error;
    }
    this.count += 1;
    this.bytes += w.pos - before;
  }

  /** The ExportTraceServiceRequest of every span added (E4); the batch is not used afterwards. */
  finish(): Uint8Array {
    const parts = this.#groups.map(finishGroup);
    this.#groups = [];
    if (parts.length === 1) return parts[0] as Uint8Array;
    return Buffer.concat(parts);
  }

  #groupOf(resource: Resource, scope: Scope): Group {
    for (const group of this.#groups) {
      if (group.resource === resource && (group.scope === scope || (group.scope.name === scope.name && group.scope.version === scope.version))) return group;
    }
    const resourceField = fieldBytes((w) => {
      const r = w.begin(1);
      attributes(w, 1, resource.attributes);
      w.end(r);
    });
    const scopeField = fieldBytes((w) => {
      const sc = w.begin(1);
      w.string(1, scope.name);
      if (scope.version !== undefined && scope.version !== "") w.string(2, scope.version);
      w.end(sc);
    });
    // The largest head: resource_spans tag + length, resource, scope_spans tag + length, scope.
    const headMax = 1 + 5 + resourceField.length + 1 + 5 + scopeField.length;
    const w = new Writer(Math.max(this.#capacity, headMax + 1024));
    w.pos = headMax;
    const group: Group = { resource, scope, resourceField, scopeField, w, spansStart: headMax };
    this.#groups.push(group);
    return group;
  }
}

function finishGroup(group: Group): Uint8Array {
  const spansLength = group.w.pos - group.spansStart;
  const scopeSpansLength = group.scopeField.length + spansLength;
  const resourceSpansLength = group.resourceField.length + 1 + varintSize(scopeSpansLength) + scopeSpansLength;
  const headLength = 1 + varintSize(resourceSpansLength) + group.resourceField.length + 1 + varintSize(scopeSpansLength) + group.scopeField.length;
  const end = group.w.pos;
  const w = group.w;
  const start = group.spansStart - headLength;
  w.pos = start;
  w.tag(1, 2);
  w.varint(resourceSpansLength);
  w.raw(group.resourceField);
  w.tag(2, 2);
  w.varint(scopeSpansLength);
  w.raw(group.scopeField);
  if (w.pos !== group.spansStart) throw new Error(`OTLP head is ${w.pos - start} bytes, expected ${headLength}`);
  return w.buf.subarray(start, end);
}

/** Encodes spans as one ExportTraceServiceRequest (what EncodedSpanBatch does span by span). */
export function encodeTraceExportRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const batch = new EncodedSpanBatch();
  for (const span of spans) batch.add(span);
  return batch.finish();
}

function encodeSpan(w: Writer, span: ReadableSpan): void {
  const s = w.begin(2);
  const context = span.spanContext();
  w.hexBytes(1, context.traceId);
  w.hexBytes(2, context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState !== undefined && traceState !== "") w.string(3, traceState);
  const parent = span.parentSpanContext?.spanId;
  if (parent !== undefined && parent !== "") w.hexBytes(4, parent);
  w.cachedString(5, span.name);
  w.tag(6, 0);
  w.varint(span.kind + 1); // OTLP kinds are the API's plus one (0 = unspecified)
  w.time(7, span.startTime);
  w.time(8, span.endTime);
  attributes(w, 9, span.attributes);
  if (span.droppedAttributesCount > 0) {
    w.tag(10, 0);
    w.varint(span.droppedAttributesCount);
  }
  for (const event of span.events) {
    const e = w.begin(11);
    w.time(1, event.time);
    w.string(2, event.name);
    if (event.attributes !== undefined) attributes(w, 3, event.attributes);
    w.end(e);
  }
  if (span.droppedEventsCount > 0) {
    w.tag(12, 0);
    w.varint(span.droppedEventsCount);
  }
  const st = w.begin(15);
  if (span.status.message !== undefined && span.status.message !== "") w.string(2, span.status.message);
  if ((span.status.code as number) !== 0) {
    w.tag(3, 0);
    w.varint(span.status.code);
  }
  w.end(st);
  w.fixed32(16, 0x100 | (context.traceFlags & 0xff) | (span.parentSpanContext?.isRemote === true ? 0x200 : 0));
  w.end(s);
}

export interface OtlpProtoExporterOptions {
  /** The full URL, `{endpoint}/v1/traces`. */
  url: string;
  timeoutMs: number;
}

/** A SpanExporter that can also send requests encoded span by span (SpanQueue prefers that, E3). */
export interface EncodedSpanExporter extends SpanExporter {
  sendEncoded(body: Uint8Array, resultCallback: (result: ExportResult) => void): void;
}

/** POSTs encoded spans; one request per export (E1). */
export class OtlpProtoExporter implements EncodedSpanExporter {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #agent: HttpAgent;
  #shutdown = false;

  constructor(options: OtlpProtoExporterOptions) {
    this.#url = new URL(options.url);
    this.#timeoutMs = options.timeoutMs;
    this.#agent = this.#url.protocol === "https:" ? new HttpsAgent({ keepAlive: true, maxSockets: 2 }) : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let body: Uint8Array;
    try {
      body = encodeTraceExportRequest(spans);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    this.sendEncoded(body, resultCallback);
  }

  /** POSTs an already encoded ExportTraceServiceRequest (an EncodedSpanBatch's); E1. */
  sendEncoded(body: Uint8Array, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error("exporter is shut down") });
      return;
    }
    let reported = false;
    const report = (result: ExportResult): void => {
      if (reported) return;
      reported = true;
      resultCallback(result);
    };
    const send = this.#url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(this.#url, {
      method: "POST",
      agent: this.#agent,
      timeout: this.#timeoutMs,
      headers: { "content-type": "application/x-protobuf", "content-length": String(body.length) },
    });
    req.on("response", (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      res.on("end", () =>
        report(status >= 200 && status < 300 ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(`OTLP receiver answered ${status}`) }),
      );
      res.on("error", (error) => report({ code: ExportResultCode.FAILED, error }));
    });
    req.on("timeout", () => req.destroy(new Error(`OTLP export timed out after ${this.#timeoutMs} ms`)));
    req.on("error", (error) => report({ code: ExportResultCode.FAILED, error }));
    req.end(body);
  }

  shutdown(): Promise<void> {
    this.#shutdown = true;
    this.#agent.destroy();
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
