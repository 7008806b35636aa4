// Goal: the partition table splits the key space like Restate's; method: boundary keys.
import { describe, expect, it } from "vitest";
import { partitionOf, workerOf } from "@cairn/partition";

describe("partitionOf", () => {
  it("maps the ends and the boundaries of the key space", () => {
    const space = 1n << 64n;
    expect(partitionOf(0n, 4)).toBe(0);
    expect(partitionOf(space - 1n, 4)).toBe(3);
    expect(partitionOf(space / 4n - 1n, 4)).toBe(0);
    expect(partitionOf(space / 4n, 4)).toBe(1);
    expect(partitionOf(12345n, 1)).toBe(0);
  });
  it("rejects keys outside the space", () => {
    expect(() => partitionOf(-1n, 4)).toThrow(RangeError);
    expect(() => partitionOf(1n << 64n, 4)).toThrow(RangeError);
  });
  it("assigns partitions to workers round-robin", () => {
    expect([0, 1, 2, 3, 4].map((p) => workerOf(p, 2))).toEqual([0, 1, 0, 1, 0]);
  });
});
