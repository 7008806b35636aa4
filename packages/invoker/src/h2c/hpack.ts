// HPACK header compression (RFC 7541): a complete decoder (static and dynamic table, size
// updates, Huffman strings) and a minimal encoder (no dynamic table: static-table indexed fields
// and literals without indexing, raw strings).
//
// Owns: the decoder's dynamic table of one connection. Does not own: header blocks split over
// HEADERS + CONTINUATION (connection.ts joins them first).
//
// K1. Every header block received on a connection is decoded, in order, even for a stream that is
//     gone — the dynamic table is shared state with the peer's encoder.
// K2. The dynamic table never exceeds its current size (entry size = name + value octets + 32),
//     and the current size never exceeds the limit we advertised (SETTINGS_HEADER_TABLE_SIZE).
// K3. A decoded header list never exceeds `headerListBytesMax` (same entry-size rule).
//
// Grammar (first octet of each representation; integers are N-bit prefix + 7-bit continuation):
//   Indexed                  => 1 index:int7                                  (index > 0)
//   Literal, incremental     => 01 index:int6 [name:string] value:string      (index 0 = new name)
//   Table size update        => 001 maxSize:int5                              (block start only)
//   Literal, never indexed   => 0001 index:int4 [name:string] value:string
//   Literal, not indexed     => 0000 index:int4 [name:string] value:string
//   string                   => H:1 length:int7 octets[length]                (H = Huffman-coded)
import { HuffmanDecodeError, huffmanDecode } from "./huffman.js";

/** RFC 7541 Appendix A; index 1..61. */
export const staticTable: readonly (readonly [string, string])[] = [
  ["", ""],
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];
const staticCount = staticTable.length - 1;
if (staticCount !== 61) throw new Error("the HPACK static table has 61 entries");

const entryOverheadBytes = 32;

/** A header block that does not decode (a connection error COMPRESSION_ERROR, RFC 9113 §4.3). */
export class HpackError extends Error {}

/** Decoder of one connection's header blocks (K1). */
export class HpackDecoder {
  /** Newest entry last; dynamic index 1 = entries[length - 1]. */
  readonly #entries: [string, string][] = [];
  #size = 0;
  #maxSize: number;
  readonly #protocolMaxSize: number;
  readonly #headerListBytesMax: number;
  #scratch = Buffer.alloc(256);

  /** `protocolMaxSize`: SETTINGS_HEADER_TABLE_SIZE we advertised (4096 by default). */
  constructor(protocolMaxSize: number, headerListBytesMax: number) {
    this.#maxSize = protocolMaxSize;
    this.#protocolMaxSize = protocolMaxSize;
    this.#headerListBytesMax = headerListBytesMax;
  }

  /** Current dynamic table size in bytes (for tests). */
  get size(): number {
    return this.#size;
  }

  /** Dynamic table entries, newest first (for tests). */
  get entries(): readonly (readonly [string, string])[] {
    return [...this.#entries].reverse();
  }

  /** Decodes one complete header block into a flat [name, value, name, value, …] list. */
  decode(block: Uint8Array): string[] {
    const out: string[] = [];
    let listBytes = 0;
    let pos = 0;
    let fieldsSeen = false;
    const end = block.length;
    while (pos < end) {
      const first = block[pos] ?? 0;
      let name: string;
      let value: string;
      if (first & 0x80) {
        const [index, next] = this.#integer(block, pos, 7);
        pos = next;
        const entry = this.#lookup(index);
        name = entry[0];
        value = entry[1];
      } else if ((first & 0xe0) === 0x20) {
        if (fieldsSeen) throw new HpackError("dynamic table size update after a header field");
        const [size, next] = this.#integer(block, pos, 5);
        pos = next;
        if (size > this.#protocolMaxSize) throw new HpackError(`dynamic table size ${size} exceeds the advertised ${this.#protocolMaxSize}`);
        this.#maxSize = size;
        this.#evict(0);
        continue;
      } else {
        const incremental = (first & 0xc0) === 0x40;
        const [index, next] = this.#integer(block, pos, incremental ? 6 : 4);
        pos = next;
        if (index === 0) {
          [name, pos] = this.#string(block, pos);
        } else {
          name = this.#lookup(index)[0];
        }
        [value, pos] = this.#string(block, pos);
        if (incremental) this.#insert(name, value);
      }
      fieldsSeen = true;
      listBytes += name.length + value.length + entryOverheadBytes;
      if (listBytes > this.#headerListBytesMax) throw new HpackError(`header list exceeds ${this.#headerListBytesMax} bytes`);
      out.push(name, value);
    }
    return out;
  }

  #lookup(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError("header index 0");
    if (index <= staticCount) return staticTable[index] as readonly [string, string];
    const entry = this.#entries[this.#entries.length - (index - staticCount)];
    if (entry === undefined) throw new HpackError(`header index ${index} is outside the tables`);
    return entry;
  }

  #insert(name: string, value: string): void {
    const size = name.length + value.length + entryOverheadBytes;
    if (size > this.#maxSize) {
      // RFC 7541 §4.4: an entry larger than the table empties it and is not added.
      this.#entries.length = 0;
      this.#size = 0;
      return;
    }
    this.#evict(size);
    this.#entries.push([name, value]);
    this.#size += size;
  }

  /** Evicts oldest entries until `incoming` more bytes fit (K2). */
  #evict(incoming: number): void {
    while (this.#size + incoming > this.#maxSize) {
      const oldest = this.#entries.shift();
      if (oldest === undefined) break;
      this.#size -= oldest[0].length + oldest[1].length + entryOverheadBytes;
    }
  }

  #integer(block: Uint8Array, pos: number, prefixBits: number): [number, number] {
    const mask = (1 << prefixBits) - 1;
    let value = (block[pos] ?? 0) & mask;
    let p = pos + 1;
    if (value < mask) return [value, p];
    let shift = 0;
    for (;;) {
      if (p >= block.length) throw new HpackError("truncated integer");
      const byte = block[p++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
      if (shift > 28) throw new HpackError("integer too large");
    }
    return [value, p];
  }

  #string(block: Uint8Array, pos: number): [string, number] {
    if (pos >= block.length) throw new HpackError("truncated string");
    const huffman = ((block[pos] ?? 0) & 0x80) !== 0;
    const [length, start] = this.#integer(block, pos, 7);
    const end = start + length;
    if (end > block.length) throw new HpackError("string runs past the header block");
    if (!huffman) return [Buffer.from(block.buffer, block.byteOffset + start, length).toString("latin1"), end];
    const need = Math.ceil((length * 8) / 5);
    if (this.#scratch.length < need) this.#scratch = Buffer.alloc(Math.max(need, this.#scratch.length * 2));
    try {
      return [huffmanDecode(block, start, end, this.#scratch), end];
    } catch (error) {
      if (error instanceof HuffmanDecodeError) throw new HpackError(error.message);
      throw error;
    }
  }
}

/** Static-table index of each name (first occurrence), and of each exact value under a name. */
const staticNameIndex = new Map<string, number>();
const staticPairIndex = new Map<string, Map<string, number>>();
for (let i = 1; i <= staticCount; i++) {
  const [name, value] = staticTable[i] as readonly [string, string];
  if (!staticNameIndex.has(name)) staticNameIndex.set(name, i);
  if (value === "") continue;
  let values = staticPairIndex.get(name);
  if (values === undefined) staticPairIndex.set(name, (values = new Map<string, number>()));
  values.set(value, i);
}

/**
 * Encodes a flat [name, value, …] list (names lower-case, pseudo-headers first) without touching
 * any dynamic table: an exact static match is indexed, a static name is a literal with an indexed
 * name, anything else a literal with a literal name; strings are raw (not Huffman-coded).
 */
export function encodeHeaderBlock(headers: readonly string[]): Buffer {
  let bytes = 0;
  for (let i = 0; i < headers.length; i++) bytes += 6 + Buffer.byteLength(headers[i] ?? "", "latin1");
  const out = Buffer.allocUnsafe(bytes);
  let pos = 0;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] ?? "";
    const value = headers[i + 1] ?? "";
    const pair = staticPairIndex.get(name)?.get(value);
    if (pair !== undefined) {
      pos = writeInteger(out, pos, 0x80, 7, pair);
      continue;
    }
    const nameIndex = staticNameIndex.get(name);
    if (nameIndex !== undefined) {
      pos = writeInteger(out, pos, 0x00, 4, nameIndex);
    } else {
      out[pos++] = 0x00;
      pos = writeString(out, pos, name);
    }
    pos = writeString(out, pos, value);
  }
  return out.subarray(0, pos);
}

function writeInteger(out: Buffer, pos: number, pattern: number, prefixBits: number, value: number): number {
  const mask = (1 << prefixBits) - 1;
  let p = pos;
  if (value < mask) {
    out[p++] = pattern | value;
    return p;
  }
  out[p++] = pattern | mask;
  let rest = value - mask;
  while (rest >= 0x80) {
    out[p++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  out[p++] = rest;
  return p;
}

function writeString(out: Buffer, pos: number, text: string): number {
  const p = writeInteger(out, pos, 0x00, 7, text.length);
  return p + out.write(text, p, "latin1");
}
