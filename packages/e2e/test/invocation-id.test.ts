// Goal: partition keys and partitions are read correctly from inv_1 ids; method: the test vectors
// of RESTATE-PROTOCOL.md §8.2 plus the partition split at its boundaries.
import { describe, expect, it } from "vitest";
import { InvalidInvocationIdError, partitionKeyOfInvocationId, partitionOfInvocationId, partitionOfKey } from "@cairn/e2e";

describe("invocation ids", () => {
  it("decodes the partition key of the raw-bytes 00..17 vector", () => {
    expect(partitionKeyOfInvocationId("inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy")).toBe(0x0001020304050607n);
  });

  it("decodes the partition key of Restate's documented example id", () => {
    expect(partitionKeyOfInvocationId("inv_1gdJBtdVEcM942bjcDmb1c1khoaJe11Hbz")).toBe(0x493c42ed1c3cf1bcn);
  });

  it("splits the key space into equal ranges", () => {
    expect(partitionOfKey(0n, 4)).toBe(0);
    expect(partitionOfKey((1n << 62n) - 1n, 4)).toBe(0);
    expect(partitionOfKey(1n << 62n, 4)).toBe(1);
    expect(partitionOfKey((1n << 64n) - 1n, 4)).toBe(3);
    expect(partitionOfKey(123n, 1)).toBe(0);
    expect(partitionOfInvocationId("inv_1gdJBtdVEcM942bjcDmb1c1khoaJe11Hbz", 4)).toBe(1);
  });

  it("rejects what is not an inv_1 id, and bad partition arguments", () => {
    for (const bad of ["", "inv_1abc", "prom_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy", "inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1z!"]) {
      expect(() => partitionKeyOfInvocationId(bad), bad).toThrow(InvalidInvocationIdError);
    }
    // 11 base62 digits can exceed 2^64: "ZZZZZZZZZZZ" is out of range.
    expect(() => partitionKeyOfInvocationId("inv_1ZZZZZZZZZZZ0HyUJWli0aN6NpK3xqX1zy")).toThrow(InvalidInvocationIdError);
    expect(() => partitionOfKey(-1n, 4)).toThrow(RangeError);
    expect(() => partitionOfKey(1n << 64n, 4)).toThrow(RangeError);
    expect(() => partitionOfKey(1n, 0)).toThrow(RangeError);
  });
});
