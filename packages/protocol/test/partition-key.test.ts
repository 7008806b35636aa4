// Goal: partition keys equal Restate's xxh3_64(key ‖ 0xFF); method: keys whose invocation ids were
// observed on restate-server 1.7.12, plus the published XXH3 empty-input vector.
import { describe, expect, it } from "vitest";
import { invocationIdPartitionKey, parseInvocationId, partitionKeyBytes, partitionKeyOf } from "@cairn/protocol";
import { readFixture, toHex } from "./support/fixtures.js";

const { keyedInvocations } = readFixture<{ keyedInvocations: { text: string; key: string }[] }>("v7/ids.json");

describe("partitionKeyOf", () => {
  it("matches the partition keys restate-server gave keyed invocations", () => {
    for (const { text, key } of keyedInvocations) {
      expect(partitionKeyOf(key), key).toBe(invocationIdPartitionKey(parseInvocationId(text)));
    }
  });

  it("is XXH3-64 (seed 0) of the UTF-8 bytes followed by 0xFF", async () => {
    const { xxh3 } = await import("@node-rs/xxhash");
    // Published XXH3_64bits("") = 0x2D06800538D394C2: checks the hasher itself.
    expect(xxh3.xxh64(Buffer.alloc(0))).toBe(0x2d06800538d394c2n);
    expect(partitionKeyOf("über")).toBe(xxh3.xxh64(Buffer.concat([Buffer.from("über", "utf8"), Buffer.from([0xff])])));
  });

  it("converts to the 8 big-endian bytes of a raw id", () => {
    expect(toHex(partitionKeyBytes(0x0102030405060708n))).toBe("0102030405060708");
    expect(() => partitionKeyBytes(-1n)).toThrow(RangeError);
    expect(() => partitionKeyBytes(2n ** 64n)).toThrow(RangeError);
  });
});
