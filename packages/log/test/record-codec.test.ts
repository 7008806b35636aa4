// Goal: the v1 on-disk formats (frame, chunk header, metadata) stay byte-for-byte what they were,
// round-trip any value, and reject any damage; method: golden fixtures under fixtures/v1 (never
// rewritten), a bit-at-a-time CRC as an independent check, and fast-check round trips and bit flips.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunkFileName,
  decodeChunkHeader,
  decodeFrame,
  decodeMeta,
  encodeChunkHeader,
  encodeFrame,
  encodeMeta,
  type FrameView,
  frameBadChecksum,
  frameBytes,
  frameIncomplete,
  frameOk,
  parseChunkFileName,
} from "../src/internal.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/v1/${name}`, import.meta.url)));
const view = (): FrameView => ({ lsn: 0, payloadStart: 0, payloadEnd: 0 });

function referenceCrc(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) {
    for (const b of part) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
  }
  return (c ^ 0xffffffff) >>> 0;
}

function encode(lsn: number, payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(frameBytes(payload.length));
  expect(encodeFrame(buf, 0, lsn, payload)).toBe(buf.length);
  return buf;
}

describe("frame codec (Record => length:u32 crc32c:u32 lsn:u64 payload)", () => {
  it("encodes LSN 7 'hello' as the v1 golden bytes", () => {
    const golden = fixture("frame-lsn7-hello.bin");
    expect(encode(7, new TextEncoder().encode("hello"))).toEqual(golden);
    // Field by field: length 5, LSN 7 as u64, payload; the CRC covers length ‖ lsn ‖ payload.
    const dv = new DataView(golden.buffer, golden.byteOffset);
    expect(dv.getUint32(0, true)).toBe(5);
    expect(dv.getBigUint64(8, true)).toBe(7n);
    expect(dv.getUint32(4, true)).toBe(referenceCrc([golden.subarray(0, 4), golden.subarray(8)]));
  });

  it("encodes an LSN above 2^32 and an empty payload as the v1 golden bytes", () => {
    const golden = fixture("frame-lsn2p40plus3-empty.bin");
    expect(encode(2 ** 40 + 3, new Uint8Array(0))).toEqual(golden);
    const v = view();
    expect(decodeFrame(golden, 0, golden.length, v)).toBe(frameOk);
    expect(v.lsn).toBe(2 ** 40 + 3);
  });

  it("round-trips any LSN and payload", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ maxLength: 300 }), (lsn, payload) => {
        const buf = encode(lsn, payload);
        const v = view();
        expect(decodeFrame(buf, 0, buf.length, v)).toBe(frameOk);
        expect(v.lsn).toBe(lsn);
        expect(buf.subarray(v.payloadStart, v.payloadEnd)).toEqual(payload);
        expect(v.payloadEnd).toBe(buf.length);
      }),
    );
  });

  it("detects any single flipped bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.uint8Array({ maxLength: 64 }), fc.nat(), (lsn, payload, at) => {
        const buf = encode(lsn, payload);
        const bit = at % (buf.length * 8);
        (buf[bit >>> 3] as number) ^= 1 << (bit & 7);
        const v = view();
        const status = decodeFrame(buf, 0, buf.length, v);
        // A flip in the length field may also make the frame look longer than the bytes at hand.
        expect(status === frameBadChecksum || status === frameIncomplete).toBe(true);
      }),
    );
  });

  it("reports a frame cut anywhere as incomplete", () => {
    const buf = encode(3, new Uint8Array(40).fill(9));
    for (let end = 0; end < buf.length; end++) expect(decodeFrame(buf, 0, end, view())).toBe(frameIncomplete);
  });

  it("never decodes zeros (a preallocated or zero-filled tail)", () => {
    for (const n of [16, 17, 64, 4096]) expect(decodeFrame(new Uint8Array(n), 0, n, view())).toBe(frameBadChecksum);
  });

  it("refuses to encode out of range (pairs with the decode checks)", () => {
    expect(() => encodeFrame(new Uint8Array(20), 0, 1, new Uint8Array(5))).toThrow(/does not fit/);
    expect(() => encodeFrame(new Uint8Array(20), 0, 0, new Uint8Array(0))).toThrow(/LSN out of range/);
  });
});

describe("chunk header (ChunkHeader => magic:u32 version:u16 flags:u16 firstLsn:u64 crc32c:u32)", () => {
  it("encodes the header of chunk 1 as the v1 golden bytes", () => {
    const golden = fixture("chunk-header-lsn1.bin");
    expect(encodeChunkHeader(1)).toEqual(golden);
    expect(new TextDecoder().decode(golden.subarray(0, 4))).toBe("CLOG");
    expect(decodeChunkHeader(golden)).toEqual({ ok: true, firstLsn: 1 });
  });

  it("round-trips any first LSN and rejects any flipped bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.nat(159), (lsn, bit) => {
        const header = encodeChunkHeader(lsn);
        expect(decodeChunkHeader(header)).toEqual({ ok: true, firstLsn: lsn });
        (header[bit >>> 3] as number) ^= 1 << (bit & 7);
        expect(decodeChunkHeader(header).ok).toBe(false);
      }),
    );
  });

  it("rejects a short header", () => {
    expect(decodeChunkHeader(encodeChunkHeader(5).subarray(0, 19))).toEqual({ ok: false, reason: "chunk header cut short" });
  });

  it("names chunks by their zero-padded first LSN, so names sort as numbers", () => {
    expect(chunkFileName(1)).toBe("00000000000000000001.chunk");
    expect(chunkFileName(Number.MAX_SAFE_INTEGER)).toBe("00009007199254740991.chunk");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b) => {
        expect(parseChunkFileName(chunkFileName(a))).toBe(a);
        expect(chunkFileName(a) < chunkFileName(b)).toBe(a < b);
      }),
    );
    for (const name of ["1.chunk", "00000000000000000000.chunk", "99999999999999999999.chunk", "00000000000000000001.chunk.tmp", "meta"]) {
      expect(parseChunkFileName(name)).toBeUndefined();
    }
  });
});

describe("metadata (Meta => magic:u32 version:u16 flags:u16 trimPoint:u64 crc32c:u32)", () => {
  it("encodes trim point 300, sealed, as the v1 golden bytes", () => {
    const golden = fixture("meta-trim300-sealed.bin");
    expect(encodeMeta({ trimPoint: 300, sealed: true })).toEqual(golden);
    expect(decodeMeta(golden)).toEqual({ ok: true, meta: { trimPoint: 300, sealed: true } });
  });

  it("round-trips any value and rejects any flipped bit or wrong size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.boolean(), fc.nat(159), (trimPoint, sealed, bit) => {
        const buf = encodeMeta({ trimPoint, sealed });
        expect(decodeMeta(buf)).toEqual({ ok: true, meta: { trimPoint, sealed } });
        (buf[bit >>> 3] as number) ^= 1 << (bit & 7);
        expect(decodeMeta(buf).ok).toBe(false);
      }),
    );
    expect(decodeMeta(new Uint8Array(19)).ok).toBe(false);
    expect(decodeMeta(new Uint8Array(21)).ok).toBe(false);
  });
});
