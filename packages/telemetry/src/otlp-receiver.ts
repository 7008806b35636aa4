// An OTLP/HTTP trace receiver: decodes ExportTraceServiceRequest protobuf bodies posted to
// /v1/traces. For tests and benchmarks (a sink in the bench process); a production collector is
// the OpenTelemetry Collector.
//
// The subset of opentelemetry/proto/collector/trace/v1 and trace/v1 read here (field numbers):
//
//   ExportTraceServiceRequest => resource_spans:ResourceSpans(1)*
//   ResourceSpans => resource:Resource(1) scope_spans:ScopeSpans(2)*
//   Resource      => attributes:KeyValue(1)*
//   ScopeSpans    => scope:InstrumentationScope(1) spans:Span(2)*       scope => name:string(1)
//   Span          => trace_id:bytes(1) span_id:bytes(2) trace_state:string(3) parent_span_id:bytes(4)
//                    name:string(5) kind:enum(6) start_time_unix_nano:fixed64(7)
//                    end_time_unix_nano:fixed64(8) attributes:KeyValue(9)* events:Event(11)*
//                    status:Status(15)
//   Event         => time_unix_nano:fixed64(1) name:string(2) attributes:KeyValue(3)*
//   Status        => message:string(2) code:enum(3)                       (0 unset, 1 ok, 2 error)
//   KeyValue      => key:string(1) value:AnyValue(2)
//   AnyValue      => string(1) | bool(2) | int64(3) | double(4) | array(5) | kvlist(6) | bytes(7)
//
// Unknown fields are skipped by wire type, as protobuf requires.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OtlpDecodeError } from "./errors.js";

export type AttributeValue = string | number | boolean | bigint | Uint8Array | AttributeValue[] | { [key: string]: AttributeValue } | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty string for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, AttributeValue> }[];
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end: number = buf.length,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new OtlpDecodeError("truncated varint");
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new OtlpDecodeError("varint too long");
    }
  }

  tag(): { field: number; wire: number } {
    const tag = Number(this.varint());
    return { field: tag >>> 3, wire: tag & 7 };
  }

  bytes(): Uint8Array {
    const length = Number(this.varint());
    if (this.pos + length > this.end) throw new OtlpDecodeError("truncated length-delimited field");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  sub(): Reader {
    const length = Number(this.varint());
    if (this.pos + length > this.end) throw new OtlpDecodeError("truncated message");
    const reader = new Reader(this.buf, this.pos + length);
    reader.pos = this.pos;
    this.pos += length;
    return reader;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated fixed64");
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getBigUint64(0, true);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated double");
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new OtlpDecodeError(`unsupported wire type ${wire}`);
    }
  }
}

const text = new TextDecoder("utf-8", { fatal: true });
const str = (r: Reader): string => text.decode(r.bytes());
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function anyValue(r: Reader): AttributeValue {
  let value: AttributeValue = null;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) value = str(r);
    else if (field === 2 && wire === 0) value = r.varint() !== 0n;
    else if (field === 3 && wire === 0) {
      const big = BigInt.asIntN(64, r.varint());
      value = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else if (field === 4 && wire === 1) value = r.double();
    else if (field === 5 && wire === 2) {
      const array: AttributeValue[] = [];
      const sub = r.sub();
      while (!sub.done()) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === 2) array.push(anyValue(sub.sub()));
        else sub.skip(t.wire);
      }
      value = array;
    } else if (field === 6 && wire === 2) value = keyValues(r.sub(), 1);
    else if (field === 7 && wire === 2) value = r.bytes().slice();
    else r.skip(wire);
  }
  return value;
}

/** Reads the repeated KeyValue field `field` of message `r`. */
function keyValues(r: Reader, field: number, into: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  while (!r.done()) {
    const t = r.tag();
    if (t.field === field && t.wire === 2) {
      const kv = r.sub();
      let key = "";
      let value: AttributeValue = null;
      while (!kv.done()) {
        const k = kv.tag();
        if (k.field === 1 && k.wire === 2) key = str(kv);
        else if (k.field === 2 && k.wire === 2) value = anyValue(kv.sub());
        else kv.skip(k.wire);
      }
      into[key] = value;
    } else r.skip(t.wire);
  }
  return into;
}

function keyValue(r: Reader): [string, AttributeValue] {
  let key = "";
  let value: AttributeValue = null;
  while (!r.done()) {
    const k = r.tag();
    if (k.field === 1 && k.wire === 2) key = str(r);
    else if (k.field === 2 && k.wire === 2) value = anyValue(r.sub());
    else r.skip(k.wire);
  }
  return [key, value];
}

function span(r: Reader, resource: Record<string, AttributeValue>, scope: string): ReceivedSpan {
  const s: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    traceState: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    events: [],
    status: { code: 0, message: "" },
    resource,
    scope,
  };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) s.traceId = hex(r.bytes());
    else if (field === 2 && wire === 2) s.spanId = hex(r.bytes());
    else if (field === 3 && wire === 2) s.traceState = str(r);
    else if (field === 4 && wire === 2) s.parentSpanId = hex(r.bytes());
    else if (field === 5 && wire === 2) s.name = str(r);
    else if (field === 6 && wire === 0) s.kind = Number(r.varint());
    else if (field === 7 && wire === 1) s.startTimeUnixNano = r.fixed64();
    else if (field === 8 && wire === 1) s.endTimeUnixNano = r.fixed64();
    else if (field === 9 && wire === 2) {
      const [key, value] = keyValue(r.sub());
      s.attributes[key] = value;
    } else if (field === 11 && wire === 2) {
      const e = r.sub();
      const event = { name: "", timeUnixNano: 0n, attributes: {} as Record<string, AttributeValue> };
      while (!e.done()) {
        const t = e.tag();
        if (t.field === 1 && t.wire === 1) event.timeUnixNano = e.fixed64();
        else if (t.field === 2 && t.wire === 2) event.name = str(e);
        else if (t.field === 3 && t.wire === 2) {
          const [key, value] = keyValue(e.sub());
          event.attributes[key] = value;
        } else e.skip(t.wire);
      }
      s.events.push(event);
    } else if (field === 15 && wire === 2) {
      const st = r.sub();
      while (!st.done()) {
        const t = st.tag();
        if (t.field === 2 && t.wire === 2) s.status.message = str(st);
        else if (t.field === 3 && t.wire === 0) s.status.code = Number(st.varint());
        else st.skip(t.wire);
      }
    } else r.skip(wire);
  }
  return s;
}

/** Decodes an OTLP ExportTraceServiceRequest (protobuf) into its spans; throws OtlpDecodeError. */
export function decodeTraceExportRequest(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  try {
    const request = new Reader(body);
    while (!request.done()) {
      const t = request.tag();
      if (t.field !== 1 || t.wire !== 2) {
        request.skip(t.wire);
        continue;
      }
      const rs = request.sub();
      let resource: Record<string, AttributeValue> = {};
      const scopes: Reader[] = [];
      while (!rs.done()) {
        const u = rs.tag();
        if (u.field === 1 && u.wire === 2) resource = keyValues(rs.sub(), 1);
        else if (u.field === 2 && u.wire === 2) scopes.push(rs.sub());
        else rs.skip(u.wire);
      }
      for (const ss of scopes) {
        let scope = "";
        const raw: Reader[] = [];
        while (!ss.done()) {
          const v = ss.tag();
          if (v.field === 1 && v.wire === 2) {
            const sc = ss.sub();
            while (!sc.done()) {
              const w = sc.tag();
              if (w.field === 1 && w.wire === 2) scope = str(sc);
              else sc.skip(w.wire);
            }
          } else if (v.field === 2 && v.wire === 2) raw.push(ss.sub());
          else ss.skip(v.wire);
        }
        for (const r of raw) spans.push(span(r, resource, scope));
      }
    }
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`not an OTLP trace export request: ${error instanceof Error ? error.message : String(error)}`);
  }
  return spans;
}

export interface OtlpReceiverOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Decode bodies into `spans` (default true); false only counts requests and bytes (benchmark sink). */
  decode?: boolean;
  /** Spans kept at most (default 100 000); later ones are counted in `droppedSpans`. */
  spansMax?: number;
}

export interface OtlpReceiver {
  /** Base URL to give as the tracing endpoint (`http://host:port`). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly stats: { requests: number; bytes: number; droppedSpans: number; badRequests: number };
  /** Resolves once `predicate(spans)` holds (polls every 20 ms) or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts an OTLP/HTTP receiver answering POST /v1/traces (protobuf) with an empty success. */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const stats = { requests: 0, bytes: 0, droppedSpans: 0, badRequests: 0 };
  const spansMax = options.spansMax ?? 100_000;
  const decode = options.decode ?? true;
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/traces") {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      stats.requests += 1;
      stats.bytes += body.length;
      if (decode) {
        try {
          for (const s of decodeTraceExportRequest(body)) {
            if (spans.length < spansMax) spans.push(s);
            else stats.droppedSpans += 1;
          }
        } catch {
          stats.badRequests += 1;
          res.writeHead(400, { "content-type": "text/plain" }).end("bad OTLP request");
          return;
        }
      }
      // An empty ExportTraceServiceResponse is zero bytes of protobuf.
      res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": "0" }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    spans,
    stats,
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) throw new Error(`OTLP receiver: condition not met within ${timeoutMs} ms (${spans.length} spans received)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
