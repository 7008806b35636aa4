// Goal: the limb arithmetic of encodeBase62/decodeBase62 gives exactly what the plain BigInt
// definition gives (the byte-swapped integer in fixed-width base62), for every width an id uses and
// the odd ones; method: random bytes against a BigInt reference written here, plus the edges.
import { describe, expect, it } from "vitest";
import { base62Width, decodeBase62, encodeBase62 } from "../src/internal.js";

const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function referenceEncode(bytes: Uint8Array): string {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  let out = "";
  for (let i = 0; i < base62Width(bytes.length); i++) {
    out = alphabet[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

function randomBytes(count: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describe("base62", () => {
  it("encodes like the BigInt definition and decodes back, for 1 to 16 bytes", () => {
    for (let count = 1; count <= 16; count++) {
      for (let n = 0; n < 200; n++) {
        const bytes = randomBytes(count, count * 1000 + n + 1);
        const text = encodeBase62(bytes, 0, count);
        expect(text).toBe(referenceEncode(bytes));
        const back = new Uint8Array(count + 2).fill(0xee);
        expect(decodeBase62(text, 0, count, back, 1)).toBe(true);
        expect(back.subarray(1, count + 1)).toEqual(bytes);
        expect([back[0], back[count + 1]]).toEqual([0xee, 0xee]); // nothing outside the range
      }
    }
  });

  it("handles zero, all-ones and an offset into a larger buffer", () => {
    for (const count of [8, 16]) {
      expect(encodeBase62(new Uint8Array(count), 0, count)).toBe("0".repeat(base62Width(count)));
      const ones = new Uint8Array(count).fill(0xff);
      expect(encodeBase62(ones, 0, count)).toBe(referenceEncode(ones));
      const padded = new Uint8Array(count + 5);
      padded.set(ones, 3);
      expect(encodeBase62(padded, 3, count)).toBe(referenceEncode(ones));
    }
  });

  it("refuses characters outside the alphabet and values over the byte count", () => {
    const out = new Uint8Array(8);
    expect(decodeBase62("zzzzzzzzzzz", 0, 8, out, 0)).toBe(false); // 62^11 - 1 > 2^64 - 1
    expect(decodeBase62("lYGhA16ahyf", 0, 8, out, 0)).toBe(true); // 2^64 - 1, the largest that fits
    expect(out).toEqual(new Uint8Array(8).fill(0xff));
    expect(decodeBase62("lYGhA16ahyg", 0, 8, out, 0)).toBe(false); // 2^64
    expect(decodeBase62("0000000000-", 0, 8, out, 0)).toBe(false);
    expect(decodeBase62("000000000é0", 0, 8, out, 0)).toBe(false);
    expect(decodeBase62("000", 0, 8, out, 0)).toBe(false); // too short
  });
});
