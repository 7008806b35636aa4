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
import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import type { AttributeValue as OtelValue, Attributes, HrTime } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

class Writer {
  buf = new Uint8Array(64 * 1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
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

  string(field: number, text: string): void {
    this.tag(field, 2);
    const length = Buffer.byteLength(text);
    this.varint(length);
    this.ensure(length);
    Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).write(text, this.pos, "utf8");
    this.pos += length;
  }

  hexBytes(field: number, hex: string): void {
    this.tag(field, 2);
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    for (let i = 0; i < length; i++) this.buf[this.pos++] = Number.parseInt(hex.substr(i * 2, 2), 16);
  }

  /** fixed64 of an HrTime as nanoseconds since the epoch. */
  time(field: number, time: HrTime): void {
    this.tag(field, 1);
    this.ensure(8);
    const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    view.setBigUint64(0, nanos, true);
    this.pos += 8;
  }

  fixed32(field: number, value: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setUint32(0, value >>> 0, true);
    this.pos += 4;
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

  /** Starts a length-delimited field; returns where its content starts (for end()). */
  begin(field: number): number {
    this.tag(field, 2);
    return this.pos;
  }

  /** Ends the field begun at `start`: inserts its minimal length varint before the content (E2). */
  end(start: number): void {
    const length = this.pos - start;
    let lengthBytes = 1;
    for (let v = length; v > 0x7f; v = Math.floor(v / 0x80)) lengthBytes++;
    this.ensure(lengthBytes);
    this.buf.copyWithin(start + lengthBytes, start, this.pos);
    const end = this.pos + lengthBytes;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function anyValue(w: Writer, value: OtelValue): void {
  if (typeof value === "string") w.string(1, value);
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
    w.string(1, key);
    const v = w.begin(2);
    anyValue(w, value);
    w.end(v);
    w.end(kv);
  }
}

/** Encodes spans (of one resource) as an ExportTraceServiceRequest. */
export function encodeTraceExportRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const w = new Writer();
  // Group by resource, then scope (one tracer per resource here: usually one group).
  const groups = new Map<ReadableSpan["resource"], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = groups.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map<string, ReadableSpan[]>();
      groups.set(span.resource, scopes);
    }
    const scopeKey = `${span.instrumentationScope.name}\u0000${span.instrumentationScope.version ?? ""}`;
    const list = scopes.get(scopeKey);
    if (list === undefined) scopes.set(scopeKey, [span]);
    else list.push(span);
  }
  for (const [resource, scopes] of groups) {
    const rs = w.begin(1);
    const r = w.begin(1);
    attributes(w, 1, resource.attributes);
    w.end(r);
    for (const list of scopes.values()) {
      const ss = w.begin(2);
      const scope = (list[0] as ReadableSpan).instrumentationScope;
      const sc = w.begin(1);
      w.string(1, scope.name);
      if (scope.version !== undefined && scope.version !== "") w.string(2, scope.version);
      w.end(sc);
      for (const span of list) encodeSpan(w, span);
      w.end(ss);
    }
    w.end(rs);
  }
  return w.finish();
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
  w.string(5, span.name);
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

/** POSTs encoded spans; one request per export (E1). */
export class OtlpProtoExporter implements SpanExporter {
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
    if (this.#shutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error("exporter is shut down") });
      return;
    }
    let body: Uint8Array;
    try {
      body = encodeTraceExportRequest(spans);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
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
