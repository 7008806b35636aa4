// Goal: the CRC-32C implementation is the Castagnoli checksum; method: published check values
// (RFC 3720 B.4 and the "123456789" check), plus a bit-at-a-time reference under fast-check.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c, crc32cUpdate } from "../src/internal.js";

function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32c", () => {
  it.each([
    ["the check string 123456789", new TextEncoder().encode("123456789"), 0xe3069283],
    ["32 zero bytes (RFC 3720)", new Uint8Array(32), 0x8a9136aa],
    ["32 0xFF bytes (RFC 3720)", new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ["32 ascending bytes (RFC 3720)", Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ["32 descending bytes (RFC 3720)", Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ["no bytes", new Uint8Array(0), 0],
  ])("matches the published value for %s", (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it("equals the bit-at-a-time reference on any input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32c(bytes)).toBe(reference(bytes));
      }),
    );
  });

  it("continues across any split of its input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
        expect(crc32cUpdate(crc32cUpdate(0, bytes, 0, at), bytes, at, bytes.length)).toBe(crc32c(bytes));
      }),
    );
  });
});
