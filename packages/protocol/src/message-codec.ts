// Protobuf encoding and decoding of protocol messages (payloads of frames).
//
// Both directions run on per-schema "plans" built once from the generated descriptors, instead of
// @bufbuild/protobuf's reflective `toBinary`/`fromBinary` (3-10x slower on these messages, see
// bench/). The generated schemas and message shapes stay the single source of truth.
//
// Decoding yields exactly the objects `fromBinary` yields (same defaults, oneof objects,
// `$unknown`), with `bytes` fields as views into the payload, itself a view into the received
// chunk: no byte array is copied. It is stricter than `fromBinary` on malformed input (a known
// field with the wrong wire type, a field running past its message, groups); test/message-codec
// checks that whatever it accepts, `fromBinary` accepts identically.
//
// Encoding is our own two-pass writer over the generated descriptors, because the hot path wants
// one allocation per frame: pass 1 sizes the message (recording nested lengths), then the exact
// frame is allocated, the header written, and pass 2 writes the fields behind it. `toBinary`
// would build the payload from many small chunks and then need a second buffer and a copy for
// the header. The output is byte-identical to `toBinary` (fields in number order, then unknown
// fields; implicit-presence zero values skipped; packed repeated scalars; set messages written
// even when empty, which is what keeps `Void` results on the wire); test/message-codec.test.ts
// checks that equality on random messages of every type.
//
// Supported field kinds are those protocol.proto uses: uint32, uint64, bool, string, bytes, enum,
// message, and repeated message/uint32/string/bytes. A schema using anything else is a bug of
// this package and fails when its plan is built.

import { ScalarType, type DescField, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { FRAME_HEADER_BYTES, FRAME_PAYLOAD_BYTES_LIMIT } from "./constants.js";
import {
  FrameTooLargeError,
  MessageDecodeError,
  MessageEncodeError,
  UnknownMessageTypeError,
} from "./errors.js";
import { frameFlags, writeFrameHeader, type EncodeFrameOptions } from "./frame.js";
import {
  NotificationTemplateSchema,
  type NotificationTemplate,
} from "./gen/dev/restate/service/protocol_pb.js";
import {
  messageKindOf,
  messageSchemaOf,
  messageTypeOf,
  type DecodedMessage,
  type KnownMessageType,
  type ProtocolMessage,
} from "./message-type.js";

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/**
 * Decodes a frame's payload with the schema its type code names. Throws UnknownMessageTypeError
 * for codes without a schema (check `messageKindOf(type) === "custom"` first to keep custom
 * entries as bytes) and MessageDecodeError for malformed payloads.
 */
export function decodeMessage(frame: { readonly type: number; readonly payload: Uint8Array }): DecodedMessage {
  const schema = messageSchemaOf(frame.type);
  if (schema === undefined) throw new UnknownMessageTypeError(frame.type);
  let message: unknown;
  try {
    message = decodeWithSchema(schema, frame.payload);
  } catch (error) {
    throw new MessageDecodeError(frame.type, error);
  }
  return { type: frame.type, message } as DecodedMessage;
}

/**
 * Decodes any notification (0x8000-0xFBFF) with the shared NotificationTemplate shape, the way
 * SDKs read them: the id (completion, signal index or name) and the result variant.
 */
export function decodeNotification(frame: { readonly type: number; readonly payload: Uint8Array }): NotificationTemplate {
  if (messageKindOf(frame.type) !== "notification") throw new UnknownMessageTypeError(frame.type);
  try {
    return decodeWithSchema(NotificationTemplateSchema, frame.payload) as NotificationTemplate;
  } catch (error) {
    throw new MessageDecodeError(frame.type, error);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Encodes a message's payload (no header), e.g. to store a journal entry. */
export function encodeMessage(message: ProtocolMessage): Uint8Array {
  return encodeWithSchema(schemaOfMessage(message), message, 0);
}

/** Encodes a message as one complete frame (header + payload) in a single allocation. */
export function encodeMessageFrame(message: ProtocolMessage, options?: EncodeFrameOptions): Uint8Array {
  const type = typeOfMessage(message);
  const flags = frameFlags(type, options);
  const schema = messageSchemaOf(type) as DescMessage;
  const frame = encodeWithSchema(schema, message, FRAME_HEADER_BYTES, type);
  writeFrameHeader(frame, 0, type, flags, frame.length - FRAME_HEADER_BYTES);
  return frame;
}

/** `toBinary(schema, message)`, byte for byte, on this file's encoding plans (3–10× faster). */
export function encodeProto<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  return encodeWithSchema(schema, message, 0);
}

/**
 * `fromBinary(schema, bytes)` for every input it accepts, on this file's decoding plans; `bytes`
 * fields are views into `bytes`. Throws a plain Error on malformed input.
 */
export function decodeProto<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  return decodeWithSchema(schema, bytes) as MessageShape<Desc>;
}

/**
 * Encodes any message of protocol.proto with its schema, leaving `offset` zero bytes in front
 * (room for a frame header). Equivalent to `toBinary(schema, message)` when offset is 0.
 */
export function encodeWithSchema(schema: DescMessage, message: object, offset: number, frameType?: number): Uint8Array {
  const plan = planOf(schema);
  const sizes: number[] = [];
  const bodyBytes = sizeMessage(plan, message as Fields, sizes);
  if (bodyBytes > FRAME_PAYLOAD_BYTES_LIMIT) {
    throw new FrameTooLargeError(frameType ?? 0, bodyBytes, FRAME_PAYLOAD_BYTES_LIMIT);
  }
  const w: Writer = { buf: new Uint8Array(offset + bodyBytes), pos: offset, sizes, next: 0 };
  writeMessage(plan, message as Fields, w);
  if (w.pos !== w.buf.length || w.next !== sizes.length) {
    // Pass 1 and pass 2 walked the message differently: the message changed under us, or a bug.
    throw new Error(`@cairn/protocol: encoder size mismatch for ${schema.typeName}`);
  }
  return w.buf;
}

function typeOfMessage(message: ProtocolMessage): KnownMessageType {
  const typeName = (message as { $typeName?: unknown }).$typeName;
  const type = typeof typeName === "string" ? messageTypeOf(typeName) : undefined;
  if (type === undefined) {
    throw new MessageEncodeError(String(typeName), "not a protocol message (create it with its Schema)");
  }
  return type;
}

function schemaOfMessage(message: ProtocolMessage): DescMessage {
  return messageSchemaOf(typeOfMessage(message)) as DescMessage;
}

// Field kinds of a plan.
const K_UINT32 = 0;
const K_UINT64 = 1;
const K_BOOL = 2;
const K_STRING = 3;
const K_BYTES = 4;
const K_ENUM = 5;
const K_MESSAGE = 6;
const K_LIST_MESSAGE = 7;
const K_LIST_UINT32 = 8; // packed
const K_LIST_STRING = 9;
const K_LIST_BYTES = 10;

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

type Fields = Record<string, unknown>;

interface FieldPlan {
  readonly name: string;
  readonly number: number;
  readonly kind: number;
  /** Local name of the (real) oneof group the field belongs to. */
  readonly oneof: string | undefined;
  /** Explicit presence (proto3 `optional`, singular messages): written whenever defined. */
  readonly explicit: boolean;
  /** The field's tag (number << 3 | wire type) as varint bytes. */
  readonly tag: Uint8Array;
  /** Nested plan, for message kinds; filled after construction because plans can be recursive. */
  message: MessagePlan | undefined;
}

interface MessagePlan {
  readonly typeName: string;
  /** Fields in field-number order (the encoding order). */
  readonly fields: FieldPlan[];
  /** Fields by number, for decoding. */
  readonly byNumber: (FieldPlan | undefined)[];
  /** `$typeName` and the zero values of implicit-presence scalars, copied into each decoded message. */
  readonly template: Record<string, unknown>;
  /** Local names of list fields and oneof groups: each decoded message gets its own `[]` / `{ case: undefined }`. */
  readonly lists: string[];
  readonly oneofs: string[];
}

const plans = new Map<DescMessage, MessagePlan>();

function planOf(schema: DescMessage): MessagePlan {
  const cached = plans.get(schema);
  if (cached !== undefined) return cached;
  const plan: MessagePlan = {
    typeName: schema.typeName,
    fields: [],
    byNumber: [],
    template: { $typeName: schema.typeName },
    lists: [],
    oneofs: schema.oneofs.map((o) => o.localName),
  };
  plans.set(schema, plan);
  const sorted = [...schema.fields].sort((a, b) => a.number - b.number);
  for (const field of sorted) {
    const f = fieldPlanOf(schema, field);
    plan.fields.push(f);
    plan.byNumber[f.number] = f;
    if (f.kind >= K_LIST_MESSAGE) plan.lists.push(f.name);
    else if (f.oneof === undefined && !f.explicit) plan.template[f.name] = zeroValue(f.kind);
  }
  return plan;
}

function fieldPlanOf(schema: DescMessage, field: DescField): FieldPlan {
  let kind: number;
  let nested: DescMessage | undefined;
  let wire = WIRE_LENGTH_DELIMITED;
  switch (field.fieldKind) {
    case "scalar":
      kind = scalarKind(schema, field, field.scalar);
      if (kind === K_UINT32 || kind === K_UINT64 || kind === K_BOOL) wire = WIRE_VARINT;
      break;
    case "enum":
      kind = K_ENUM;
      wire = WIRE_VARINT;
      break;
    case "message":
      if (field.delimitedEncoding) unsupported(schema, field, "group encoding");
      kind = K_MESSAGE;
      nested = field.message;
      break;
    case "list":
      if (field.listKind === "message") {
        if (field.delimitedEncoding) unsupported(schema, field, "group encoding");
        kind = K_LIST_MESSAGE;
        nested = field.message;
      } else if (field.listKind === "scalar" && field.scalar === ScalarType.UINT32 && field.packed) {
        kind = K_LIST_UINT32;
      } else if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) {
        kind = K_LIST_STRING;
      } else if (field.listKind === "scalar" && field.scalar === ScalarType.BYTES) {
        kind = K_LIST_BYTES;
      } else {
        unsupported(schema, field, "this repeated field kind");
      }
      break;
    case "map":
      unsupported(schema, field, "map fields");
  }
  const plan: FieldPlan = {
    name: field.localName,
    number: field.number,
    kind,
    oneof: field.oneof?.localName,
    // Proto3 `optional` and singular messages have explicit presence: written whenever defined.
    explicit: field.presence !== FeatureSet_FieldPresence.IMPLICIT,
    tag: varintBytes(((field.number << 3) | wire) >>> 0),
    message: undefined,
  };
  if (nested !== undefined) plan.message = planOf(nested);
  return plan;
}

function scalarKind(schema: DescMessage, field: DescField, scalar: ScalarType): number {
  switch (scalar) {
    case ScalarType.UINT32:
      return K_UINT32;
    case ScalarType.UINT64:
      return K_UINT64;
    case ScalarType.BOOL:
      return K_BOOL;
    case ScalarType.STRING:
      return K_STRING;
    case ScalarType.BYTES:
      return K_BYTES;
    default:
      return unsupported(schema, field, `scalar type ${ScalarType[scalar]}`);
  }
}

function unsupported(schema: DescMessage, field: DescField, what: string): never {
  throw new Error(`@cairn/protocol encoder: ${schema.typeName}.${field.name} uses ${what}, which the encoder does not support`);
}

/** The value to write for a field, or undefined when the field is not set. */
function presentValue(f: FieldPlan, message: Fields): unknown {
  if (f.oneof !== undefined) {
    const group = message[f.oneof] as { case?: unknown; value?: unknown } | undefined;
    return group !== undefined && group.case === f.name ? group.value : undefined;
  }
  const value = message[f.name];
  if (value === undefined) return undefined;
  if (f.kind >= K_LIST_MESSAGE) return (value as { length: number }).length === 0 ? undefined : value;
  if (f.explicit) return value;
  switch (f.kind) {
    case K_UINT32:
    case K_ENUM:
      return value === 0 ? undefined : value;
    case K_UINT64:
      return value === 0n || value === 0 || value === "0" ? undefined : value;
    case K_BOOL:
      return value === false ? undefined : value;
    case K_STRING:
      return value === "" ? undefined : value;
    case K_BYTES:
      return (value as { length: number }).length === 0 ? undefined : value;
    default:
      return value;
  }
}

// ---- pass 1: sizes --------------------------------------------------------------------------

/**
 * Byte length of a message body. Pushes, in the order pass 2 needs them, the body length of
 * every nested message, the content length of every packed list and the UTF-8 length of every
 * string.
 */
function sizeMessage(plan: MessagePlan, message: Fields, sizes: number[]): number {
  let total = 0;
  for (const f of plan.fields) {
    const value = presentValue(f, message);
    if (value === undefined) continue;
    switch (f.kind) {
      case K_UINT32:
        total += f.tag.length + varint32Size(checkU32(plan, f, value));
        break;
      case K_ENUM:
        total += f.tag.length + int32Size(checkI32(plan, f, value));
        break;
      case K_UINT64:
        total += f.tag.length + varint64Size(toU64(plan, f, value));
        break;
      case K_BOOL:
        if (typeof value !== "boolean") throw invalid(plan, f, "a boolean", value);
        total += f.tag.length + 1;
        break;
      case K_STRING: {
        const n = utf8Length(checkString(plan, f, value));
        sizes.push(n);
        total += f.tag.length + varint32Size(n) + n;
        break;
      }
      case K_BYTES: {
        const n = checkBytes(plan, f, value).length;
        total += f.tag.length + varint32Size(n) + n;
        break;
      }
      case K_MESSAGE:
        total += f.tag.length + sizeNested(f, value, sizes);
        break;
      case K_LIST_MESSAGE:
        for (const item of checkArray(plan, f, value)) total += f.tag.length + sizeNested(f, item, sizes);
        break;
      case K_LIST_UINT32: {
        let n = 0;
        for (const item of checkArray(plan, f, value)) n += varint32Size(checkU32(plan, f, item));
        sizes.push(n);
        total += f.tag.length + varint32Size(n) + n;
        break;
      }
      case K_LIST_STRING:
        for (const item of checkArray(plan, f, value)) {
          const n = utf8Length(checkString(plan, f, item));
          sizes.push(n);
          total += f.tag.length + varint32Size(n) + n;
        }
        break;
      case K_LIST_BYTES:
        for (const item of checkArray(plan, f, value)) {
          const n = checkBytes(plan, f, item).length;
          total += f.tag.length + varint32Size(n) + n;
        }
        break;
    }
  }
  const unknown = message.$unknown as UnknownField[] | undefined;
  if (unknown !== undefined) {
    for (const u of unknown) total += varint32Size(((u.no << 3) | u.wireType) >>> 0) + u.data.length;
  }
  return total;
}

/** Length-prefixed size of a nested message; its body length is recorded before its children's. */
function sizeNested(f: FieldPlan, value: unknown, sizes: number[]): number {
  if (typeof value !== "object" || value === null) {
    throw new MessageEncodeError(f.message?.typeName ?? "message", `field ${f.name} is not a message`);
  }
  const slot = sizes.length;
  sizes.push(0);
  const n = sizeMessage(f.message as MessagePlan, value as Fields, sizes);
  sizes[slot] = n;
  return varint32Size(n) + n;
}

interface UnknownField {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

// ---- pass 2: bytes --------------------------------------------------------------------------

interface Writer {
  readonly buf: Uint8Array;
  pos: number;
  readonly sizes: readonly number[];
  next: number;
}

function writeMessage(plan: MessagePlan, message: Fields, w: Writer): void {
  for (const f of plan.fields) {
    const value = presentValue(f, message);
    if (value === undefined) continue;
    switch (f.kind) {
      case K_UINT32:
        writeRaw(w, f.tag);
        writeVarint32(w, value as number);
        break;
      case K_ENUM:
        writeRaw(w, f.tag);
        writeInt32(w, value as number);
        break;
      case K_UINT64:
        writeRaw(w, f.tag);
        writeVarint64(w, toU64(plan, f, value));
        break;
      case K_BOOL:
        writeRaw(w, f.tag);
        w.buf[w.pos++] = value === true ? 1 : 0;
        break;
      case K_STRING:
        writeRaw(w, f.tag);
        writeString(w, value as string);
        break;
      case K_BYTES:
        writeRaw(w, f.tag);
        writeVarint32(w, (value as Uint8Array).length);
        writeRaw(w, value as Uint8Array);
        break;
      case K_MESSAGE:
        writeRaw(w, f.tag);
        writeNested(f, value as Fields, w);
        break;
      case K_LIST_MESSAGE:
        for (const item of value as Fields[]) {
          writeRaw(w, f.tag);
          writeNested(f, item, w);
        }
        break;
      case K_LIST_UINT32:
        writeRaw(w, f.tag);
        writeVarint32(w, w.sizes[w.next++] as number);
        for (const item of value as number[]) writeVarint32(w, item);
        break;
      case K_LIST_STRING:
        for (const item of value as string[]) {
          writeRaw(w, f.tag);
          writeString(w, item);
        }
        break;
      case K_LIST_BYTES:
        for (const item of value as Uint8Array[]) {
          writeRaw(w, f.tag);
          writeVarint32(w, item.length);
          writeRaw(w, item);
        }
        break;
    }
  }
  const unknown = message.$unknown as UnknownField[] | undefined;
  if (unknown !== undefined) {
    for (const u of unknown) {
      writeVarint32(w, ((u.no << 3) | u.wireType) >>> 0);
      writeRaw(w, u.data);
    }
  }
}

function writeNested(f: FieldPlan, value: Fields, w: Writer): void {
  writeVarint32(w, w.sizes[w.next++] as number);
  writeMessage(f.message as MessagePlan, value, w);
}

function writeRaw(w: Writer, bytes: Uint8Array): void {
  if (bytes.length === 1) {
    w.buf[w.pos++] = bytes[0] as number;
  } else {
    w.buf.set(bytes, w.pos);
    w.pos += bytes.length;
  }
}

function writeVarint32(w: Writer, value: number): void {
  const buf = w.buf;
  let pos = w.pos;
  while (value > 0x7f) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  w.pos = pos;
}

function writeInt32(w: Writer, value: number): void {
  if (value >= 0) {
    writeVarint32(w, value);
  } else {
    // Negative int32 values are sign-extended to 64 bits: always 10 bytes.
    writeVarint64(w, { lo: value >>> 0, hi: 0xffffffff });
  }
}

function writeVarint64(w: Writer, v: U64): void {
  let lo = v.lo;
  let hi = v.hi;
  const buf = w.buf;
  let pos = w.pos;
  while (hi > 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  w.pos = pos;
}

// Short strings are cheaper to encode by hand than through TextEncoder's call boundary.
const SHORT_STRING_CHARS_MAX = 64;
const utf8Encoder = new TextEncoder();

function writeString(w: Writer, value: string): void {
  const n = w.sizes[w.next++] as number;
  writeVarint32(w, n);
  if (value.length <= SHORT_STRING_CHARS_MAX) {
    w.pos = writeUtf8(value, w.buf, w.pos);
  } else {
    utf8Encoder.encodeInto(value, w.buf.subarray(w.pos, w.pos + n));
    w.pos += n;
  }
}

/** UTF-8 as TextEncoder writes it: lone surrogates become U+FFFD. */
function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      buf[pos++] = 0xf0 | (cp >> 18);
      buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[pos++] = 0x80 | (cp & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) c = 0xfffd;
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // 4 bytes for 2 UTF-16 units
      i++;
    } else {
      n += 2;
    }
  }
  return n;
}

// ---- decoding -------------------------------------------------------------------------------

/** Nesting bound of decoded messages (Future trees), as protobuf-es's default recursion limit. */
const DECODE_DEPTH_MAX = 100;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const EMPTY_BYTES = new Uint8Array(0);

interface Reader {
  readonly buf: Uint8Array;
  pos: number;
}

// Result registers of readVarint: the low and high 32 bits of the last varint read.
let varLo = 0;
let varHi = 0;

/**
 * Decodes a message of any schema of protocol.proto; equivalent to `fromBinary(schema, bytes)`
 * for every input it accepts. Throws a plain Error on malformed input.
 */
export function decodeWithSchema(schema: DescMessage, bytes: Uint8Array): object {
  const r: Reader = { buf: bytes, pos: 0 };
  return readMessage(planOf(schema), r, bytes.length, 0, undefined);
}

function readMessage(plan: MessagePlan, r: Reader, end: number, depth: number, into: Fields | undefined): Fields {
  if (depth > DECODE_DEPTH_MAX) throw new Error(`maximum nesting depth ${DECODE_DEPTH_MAX} exceeded`);
  const message = into ?? newMessage(plan);
  const buf = r.buf;
  while (r.pos < end) {
    // Tags of protocol.proto fit one byte; longer ones take the general path.
    let tag = buf[r.pos] as number;
    if (tag < 0x80) r.pos++;
    else tag = readTag(r, end);
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 0) throw new Error("illegal tag: field number 0");
    const f = plan.byNumber[number];
    if (f === undefined) {
      const start = r.pos;
      skipField(r, end, wire);
      const unknown = (message.$unknown ??= []) as UnknownField[];
      unknown.push({ no: number, wireType: wire, data: buf.subarray(start, r.pos) });
      continue;
    }
    readField(plan, f, message, r, end, wire, depth);
  }
  if (r.pos !== end) throw new Error(`${plan.typeName}: last field runs past the end of the message`);
  return message;
}

function newMessage(plan: MessagePlan): Fields {
  const message: Fields = { ...plan.template };
  for (const name of plan.lists) message[name] = [];
  for (const name of plan.oneofs) message[name] = { case: undefined };
  return message;
}

function readField(plan: MessagePlan, f: FieldPlan, message: Fields, r: Reader, end: number, wire: number, depth: number): void {
  let value: unknown;
  switch (f.kind) {
    case K_UINT32:
      expectWire(plan, f, wire, WIRE_VARINT);
      readVarint(r, end);
      value = varLo;
      break;
    case K_ENUM:
      expectWire(plan, f, wire, WIRE_VARINT);
      readVarint(r, end);
      value = varLo | 0;
      break;
    case K_UINT64:
      expectWire(plan, f, wire, WIRE_VARINT);
      readVarint(r, end);
      value = varHi === 0 ? BigInt(varLo) : (BigInt(varHi) << 32n) | BigInt(varLo);
      break;
    case K_BOOL:
      expectWire(plan, f, wire, WIRE_VARINT);
      readVarint(r, end);
      value = varLo !== 0 || varHi !== 0;
      break;
    case K_STRING:
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      value = readString(r, end);
      break;
    case K_BYTES:
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      value = readBytes(r, end);
      break;
    case K_MESSAGE: {
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      // A repeated occurrence of a singular message field merges into the first (protobuf rule).
      const previous = f.oneof === undefined ? message[f.name] : oneofValue(message, f);
      value = readNested(f, r, end, depth, previous as Fields | undefined);
      break;
    }
    case K_LIST_MESSAGE:
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      (message[f.name] as unknown[]).push(readNested(f, r, end, depth, undefined));
      return;
    case K_LIST_UINT32: {
      const list = message[f.name] as number[];
      if (wire === WIRE_VARINT) {
        readVarint(r, end);
        list.push(varLo);
        return;
      }
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      const packedEnd = readLength(r, end);
      while (r.pos < packedEnd) {
        readVarint(r, packedEnd);
        list.push(varLo);
      }
      return;
    }
    case K_LIST_STRING:
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      (message[f.name] as string[]).push(readString(r, end));
      return;
    case K_LIST_BYTES:
      expectWire(plan, f, wire, WIRE_LENGTH_DELIMITED);
      (message[f.name] as Uint8Array[]).push(readBytes(r, end));
      return;
  }
  if (f.oneof !== undefined) message[f.oneof] = { case: f.name, value };
  else message[f.name] = value;
}

function oneofValue(message: Fields, f: FieldPlan): unknown {
  const group = message[f.oneof as string] as { case?: unknown; value?: unknown };
  return group.case === f.name ? group.value : undefined;
}

function readNested(f: FieldPlan, r: Reader, end: number, depth: number, into: Fields | undefined): Fields {
  const nestedEnd = readLength(r, end);
  return readMessage(f.message as MessagePlan, r, nestedEnd, depth + 1, into);
}

function expectWire(plan: MessagePlan, f: FieldPlan, wire: number, expected: number): void {
  if (wire !== expected) throw new Error(`${plan.typeName}.${f.name}: wire type ${wire}, expected ${expected}`);
}

/** Reads a length prefix; returns where the length-delimited value ends. */
function readLength(r: Reader, end: number): number {
  readVarint(r, end);
  if (varHi !== 0 || varLo > end - r.pos) throw new Error("length-delimited field runs past the end of its message");
  return r.pos + varLo;
}

function readBytes(r: Reader, end: number): Uint8Array {
  const valueEnd = readLength(r, end);
  const start = r.pos;
  r.pos = valueEnd;
  return valueEnd === start ? EMPTY_BYTES : r.buf.subarray(start, valueEnd);
}

function readString(r: Reader, end: number): string {
  const valueEnd = readLength(r, end);
  const buf = r.buf;
  let pos = r.pos;
  // ASCII fast path; anything else goes through the validating TextDecoder.
  let out = "";
  while (pos < valueEnd) {
    const c = buf[pos] as number;
    if (c >= 0x80 || pos - r.pos >= SHORT_STRING_CHARS_MAX) {
      out = utf8Decoder.decode(buf.subarray(r.pos, valueEnd));
      pos = valueEnd;
      break;
    }
    out += String.fromCharCode(c);
    pos++;
  }
  r.pos = valueEnd;
  return out;
}

function skipField(r: Reader, end: number, wire: number): void {
  switch (wire) {
    case WIRE_VARINT:
      readVarint(r, end);
      return;
    case 1: // 64-bit
      skipBytes(r, end, 8);
      return;
    case WIRE_LENGTH_DELIMITED:
      r.pos = readLength(r, end);
      return;
    case 5: // 32-bit
      skipBytes(r, end, 4);
      return;
    default:
      // Groups (3, 4) are not used by this protocol; 6 and 7 do not exist.
      throw new Error(`unsupported wire type ${wire}`);
  }
}

function skipBytes(r: Reader, end: number, count: number): void {
  if (end - r.pos < count) throw new Error("premature end of message");
  r.pos += count;
}

/** Reads a tag: a varint of at most 5 bytes that fits a uint32. */
function readTag(r: Reader, end: number): number {
  const buf = r.buf;
  let pos = r.pos;
  let tag = 0;
  for (let i = 0; i < 4; i++) {
    if (pos >= end) throw new Error("premature end of message in a tag");
    const b = buf[pos++] as number;
    tag |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      r.pos = pos;
      return tag >>> 0;
    }
  }
  if (pos >= end) throw new Error("premature end of message in a tag");
  const b = buf[pos++] as number;
  if (b > 0x0f) throw new Error("illegal tag: varint overflows uint32");
  r.pos = pos;
  return (tag | (b << 28)) >>> 0;
}

/** Reads a varint of up to 10 bytes into varLo / varHi. */
function readVarint(r: Reader, end: number): void {
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  let b: number;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw new Error("premature end of message in a varint");
    b = buf[pos++] as number;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      varLo = lo >>> 0;
      varHi = 0;
      return;
    }
  }
  if (pos >= end) throw new Error("premature end of message in a varint");
  b = buf[pos++] as number;
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b < 0x80) {
    r.pos = pos;
    varLo = lo >>> 0;
    varHi = hi;
    return;
  }
  for (let shift = 3; shift <= 31; shift += 7) {
    if (pos >= end) throw new Error("premature end of message in a varint");
    b = buf[pos++] as number;
    hi |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      varLo = lo >>> 0;
      varHi = hi >>> 0;
      return;
    }
  }
  throw new Error("varint longer than 10 bytes");
}

function zeroValue(kind: number): unknown {
  switch (kind) {
    case K_UINT32:
    case K_ENUM:
      return 0;
    case K_UINT64:
      return 0n;
    case K_BOOL:
      return false;
    case K_STRING:
      return "";
    case K_BYTES:
      return EMPTY_BYTES;
    default:
      return undefined;
  }
}

// ---- scalars --------------------------------------------------------------------------------

interface U64 {
  readonly lo: number;
  readonly hi: number;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function toU64(plan: MessagePlan, f: FieldPlan, value: unknown): U64 {
  let big: bigint;
  if (typeof value === "bigint") {
    big = value;
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    big = BigInt(value);
  } else if (typeof value === "string" && /^\d+$/.test(value)) {
    big = BigInt(value);
  } else {
    throw invalid(plan, f, "a uint64 (bigint)", value);
  }
  if (big < 0n || big > U64_MAX) throw invalid(plan, f, "a uint64 in [0, 2^64)", value);
  return { lo: Number(big & 0xffff_ffffn), hi: Number(big >> 32n) };
}

function checkU32(plan: MessagePlan, f: FieldPlan, value: unknown): number {
  if (typeof value !== "number" || value >>> 0 !== value) throw invalid(plan, f, "a uint32", value);
  return value;
}

function checkI32(plan: MessagePlan, f: FieldPlan, value: unknown): number {
  if (typeof value !== "number" || (value | 0) !== value) throw invalid(plan, f, "an int32 enum value", value);
  return value;
}

function checkString(plan: MessagePlan, f: FieldPlan, value: unknown): string {
  if (typeof value !== "string") throw invalid(plan, f, "a string", value);
  return value;
}

function checkBytes(plan: MessagePlan, f: FieldPlan, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(plan, f, "a Uint8Array", value);
  return value;
}

function checkArray(plan: MessagePlan, f: FieldPlan, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(plan, f, "an array", value);
  return value;
}

function invalid(plan: MessagePlan, f: FieldPlan, expected: string, value: unknown): MessageEncodeError {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value === "string" ? JSON.stringify(value) : String(value);
  return new MessageEncodeError(plan.typeName, `field ${f.name} must be ${expected}, got ${shown.slice(0, 40)}`);
}

function varint32Size(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function int32Size(v: number): number {
  return v < 0 ? 10 : varint32Size(v);
}

function varint64Size(v: U64): number {
  if (v.hi === 0) return varint32Size(v.lo);
  const bits = 64 - Math.clz32(v.hi);
  return Math.ceil(bits / 7);
}

function varintBytes(v: number): Uint8Array {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Uint8Array.from(out);
}
