// A small protobuf wire codec driven by message schemas: just enough of proto3 for the service
// protocol, written for low allocation on the hot path (one growable buffer per frame).
//
// Wire grammar (proto3):
//   Message => Field*
//   Field   => tag:varint(fieldNo << 3 | wireType) body
//   body    => varint                         (wireType 0: uint32, uint64, bool, enum)
//            | length:varint bytes[length]    (wireType 2: string, bytes, message, packed repeated)
//            | 8 bytes | 4 bytes              (wireType 1 / 5: skipped, unused by the protocol)
//
// Encoding rules the SDK relies on:
//   - a plain scalar is written only when it differs from its default (0, "", empty, false);
//   - a field marked `presence` (proto3 `optional` or a `oneof` member) is written whenever it is
//     not `undefined`, and a sub-message whenever it is not `undefined`, even when empty: the
//     Restate peers require empty oneof members such as `Void` on the wire.
//   - repeated scalars are written packed; both packed and unpacked forms are decoded.

export type ScalarKind = "u32" | "u64" | "u64big" | "bool" | "string" | "bytes";

export interface FieldSpec {
  readonly no: number;
  readonly name: string;
  readonly kind: ScalarKind | Schema;
  readonly repeated?: boolean;
  readonly presence?: boolean;
}

export interface Schema {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  /** Field lookup by number, built once by `schema()`. */
  readonly byNo: ReadonlyArray<FieldSpec | undefined>;
}

export function schema(name: string, fields: FieldSpec[]): Schema {
  const byNo: Array<FieldSpec | undefined> = [];
  for (const field of fields) byNo[field.no] = field;
  return { name, fields, byNo };
}

/** A decoded or to-be-encoded message: plain object keyed by field name. */
export type Msg = Record<string, unknown>;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: false });

export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    // Numbers up to 2^53 are exact; split at 2^31 to stay in fast int arithmetic below it.
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  varintBig(value: bigint): void {
    this.ensure(10);
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(no: number, wireType: number): void {
    this.varint((no << 3) | wireType);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  string(value: string): void {
    // Worst case 3 bytes per UTF-16 unit: encode in place after room for the longest length
    // prefix, then close the gap so the length varint stays minimal.
    const max = value.length * 3;
    const room = max < 128 ? 1 : max < 16384 ? 2 : 5;
    this.ensure(max + room + 10);
    const lengthAt = this.pos;
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(lengthAt + room));
    const need = written < 128 ? 1 : written < 16384 ? 2 : written < 2097152 ? 3 : written < 268435456 ? 4 : 5;
    if (need !== room) this.buf.copyWithin(lengthAt + need, lengthAt + room, lengthAt + room + written);
    this.varint(written);
    this.pos = lengthAt + need + written;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function encodeMessage(s: Schema, msg: Msg, w: ProtoWriter = new ProtoWriter()): Uint8Array {
  writeFields(s, msg, w);
  return w.finish();
}

function writeFields(s: Schema, msg: Msg, w: ProtoWriter): void {
  for (const f of s.fields) {
    const v = msg[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated === true) {
      const arr = v as unknown[];
      if (arr.length === 0) continue;
      if (f.kind === "u32" || f.kind === "u64" || f.kind === "bool") {
        const inner = new ProtoWriter(arr.length * 5 + 8);
        for (const x of arr) inner.varint(f.kind === "bool" ? (x === true ? 1 : 0) : (x as number));
        w.tag(f.no, 2);
        w.bytes(inner.finish());
      } else {
        for (const x of arr) writeOne(f, x, w);
      }
      continue;
    }
    if (f.presence !== true && typeof f.kind === "string" && isDefault(f.kind, v)) continue;
    writeOne(f, v, w);
  }
}

function isDefault(kind: ScalarKind, v: unknown): boolean {
  switch (kind) {
    case "u32":
    case "u64":
      return v === 0;
    case "u64big":
      return v === 0n;
    case "bool":
      return v === false;
    case "string":
      return v === "";
    case "bytes":
      return (v as Uint8Array).length === 0;
  }
}

function writeOne(f: FieldSpec, v: unknown, w: ProtoWriter): void {
  const kind = f.kind;
  if (typeof kind !== "string") {
    w.tag(f.no, 2);
    const inner = new ProtoWriter(64);
    writeFields(kind, v as Msg, inner);
    w.bytes(inner.finish());
    return;
  }
  switch (kind) {
    case "u32":
    case "u64":
      w.tag(f.no, 0);
      w.varint(v as number);
      return;
    case "u64big":
      w.tag(f.no, 0);
      w.varintBig(v as bigint);
      return;
    case "bool":
      w.tag(f.no, 0);
      w.varint(v === true ? 1 : 0);
      return;
    case "string":
      w.tag(f.no, 2);
      w.string(v as string);
      return;
    case "bytes":
      w.tag(f.no, 2);
      w.bytes(v as Uint8Array);
      return;
  }
}

export class ProtoDecodeError extends Error {}

export function decodeMessage(s: Schema, buf: Uint8Array, start = 0, end = buf.length): Msg {
  const out: Msg = {};
  let pos = start;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new ProtoDecodeError(`${s.name}: truncated varint`);
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ProtoDecodeError(`${s.name}: varint too long`);
  };
  const readVarintBig = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new ProtoDecodeError(`${s.name}: truncated varint`);
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError(`${s.name}: varint too long`);
  };
  while (pos < end) {
    const tag = readVarint();
    const no = Math.floor(tag / 8);
    const wireType = tag & 7;
    const f = s.byNo[no];
    if (f === undefined) {
      // Unknown field: skip it.
      if (wireType === 0) readVarint();
      else if (wireType === 2) pos += readVarint();
      else if (wireType === 1) pos += 8;
      else if (wireType === 5) pos += 4;
      else throw new ProtoDecodeError(`${s.name}: bad wire type ${wireType}`);
      continue;
    }
    let value: unknown;
    const kind = f.kind;
    if (typeof kind !== "string") {
      const len = readVarint();
      if (pos + len > end) throw new ProtoDecodeError(`${s.name}.${f.name}: truncated`);
      value = decodeMessage(kind, buf, pos, pos + len);
      pos += len;
    } else if (wireType === 2 && (kind === "u32" || kind === "u64" || kind === "bool")) {
      // Packed repeated scalars.
      const len = readVarint();
      const stop = pos + len;
      const arr = (out[f.name] as unknown[] | undefined) ?? [];
      while (pos < stop) {
        const n = readVarint();
        arr.push(kind === "bool" ? n !== 0 : n);
      }
      out[f.name] = arr;
      continue;
    } else {
      switch (kind) {
        case "u32":
        case "u64":
          value = readVarint();
          break;
        case "u64big":
          value = readVarintBig();
          break;
        case "bool":
          value = readVarint() !== 0;
          break;
        case "string": {
          const len = readVarint();
          if (pos + len > end) throw new ProtoDecodeError(`${s.name}.${f.name}: truncated`);
          value = textDecoder.decode(buf.subarray(pos, pos + len));
          pos += len;
          break;
        }
        case "bytes": {
          const len = readVarint();
          if (pos + len > end) throw new ProtoDecodeError(`${s.name}.${f.name}: truncated`);
          value = buf.slice(pos, pos + len);
          pos += len;
          break;
        }
      }
    }
    if (f.repeated === true) {
      const arr = (out[f.name] as unknown[] | undefined) ?? [];
      arr.push(value);
      out[f.name] = arr;
    } else {
      out[f.name] = value;
    }
  }
  if (pos !== end) throw new ProtoDecodeError(`${s.name}: field overruns message`);
  return out;
}
