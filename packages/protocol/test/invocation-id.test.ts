// Goal: invocation ids format and parse exactly as Restate does (byte-swapped base62), and new
// ids get the right partition key; method: the doc's vectors, ids observed on restate-server,
// and fast-check round trips.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatInvocationId,
  idempotentInvocationUuid,
  InvalidIdError,
  invocationIdPartitionKey,
  isInvocationId,
  makeInvocationId,
  newInvocationId,
  newUlid,
  parseInvocationId,
  partitionKeyOf,
  workflowInvocationUuid,
} from "@cairn/protocol";
import { fromHex, readFixture, toHex } from "./support/fixtures.js";

interface IdFixtures {
  invocationIds: { rawHex?: string; text: string; partitionKeyHex?: string; ulidTime?: string }[];
  deterministicInvocations: {
    text: string;
    workflow?: { service: string; key: string };
    idempotent?: { service: string; key?: string; handler: string; idempotencyKey: string };
  }[];
}

const ids = readFixture<IdFixtures>("v7/ids.json");

describe("invocation ids", () => {
  it("match the documented vectors", () => {
    for (const vector of ids.invocationIds) {
      const raw = parseInvocationId(vector.text);
      expect(formatInvocationId(raw)).toBe(vector.text);
      if (vector.rawHex !== undefined) {
        expect(toHex(raw)).toBe(vector.rawHex);
        expect(formatInvocationId(fromHex(vector.rawHex))).toBe(vector.text);
      }
      if (vector.partitionKeyHex !== undefined) expect(invocationIdPartitionKey(raw).toString(16)).toBe(vector.partitionKeyHex);
      if (vector.ulidTime !== undefined) {
        const ms = Number(new DataView(raw.buffer, raw.byteOffset + 8).getBigUint64(0) >> 16n);
        expect(new Date(ms).toISOString()).toBe(vector.ulidTime);
      }
    }
  });

  it("derive workflow and idempotent uuids as restate-server does", () => {
    for (const vector of ids.deterministicInvocations) {
      const uuid = vector.workflow !== undefined ? workflowInvocationUuid(vector.workflow) : idempotentInvocationUuid(vector.idempotent as never);
      expect(toHex(parseInvocationId(vector.text).subarray(8))).toBe(toHex(uuid));
    }
  });

  it("round-trip any raw id", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), (raw) => {
        const text = formatInvocationId(raw);
        expect(text).toMatch(/^inv_1[0-9a-zA-Z]{33}$/);
        expect(toHex(parseInvocationId(text))).toBe(toHex(raw));
      }),
      { numRuns: 300 },
    );
  });

  it("are 38 characters and order-independent of the all-zero / all-one extremes", () => {
    expect(formatInvocationId(new Uint8Array(24))).toBe("inv_1" + "0".repeat(33));
    const max = formatInvocationId(new Uint8Array(24).fill(0xff));
    expect(max).toHaveLength(38);
    expect(toHex(parseInvocationId(max))).toBe("ff".repeat(24));
  });

  it("reject malformed text with InvalidIdError", () => {
    const valid = "inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy";
    const bad = [
      "",
      "inv_",
      valid.slice(0, -1),
      valid + "0",
      valid.replace("inv_", "inx_"),
      valid.replace("inv_1", "inv_2"),
      valid.slice(0, 10) + "!" + valid.slice(11),
      valid.slice(0, 10) + "é" + valid.slice(11),
      // 11 base62 chars can exceed a u64: zzzzzzzzzzz > 2^64 - 1
      "inv_1ZZZZZZZZZZZ" + "0".repeat(22),
      "inv_1" + "0".repeat(11) + "Z".repeat(22),
    ];
    for (const text of bad) {
      expect(() => parseInvocationId(text), text).toThrow(InvalidIdError);
      expect(isInvocationId(text)).toBe(false);
    }
    expect(isInvocationId(valid)).toBe(true);
    expect(() => formatInvocationId(new Uint8Array(23))).toThrow(InvalidIdError);
  });

  it("hash the key into the partition key for keyed targets", () => {
    const raw = newInvocationId({ key: "mykey" });
    expect(invocationIdPartitionKey(raw)).toBe(partitionKeyOf("mykey"));
    expect(invocationIdPartitionKey(newInvocationId({ idempotencyKey: "ik" }))).toBe(partitionKeyOf("ik"));
  });

  it("use a random partition key and a fresh ULID for plain services", () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const a = newInvocationId({ nowMs: now });
    const b = newInvocationId({ nowMs: now });
    expect(invocationIdPartitionKey(a)).not.toBe(invocationIdPartitionKey(b));
    expect(Number(new DataView(a.buffer).getBigUint64(8) >> 16n)).toBe(now);
    expect(toHex(a.subarray(8))).not.toBe(toHex(b.subarray(8)));
  });

  it("take a given uuid", () => {
    const uuid = workflowInvocationUuid({ service: "Wf", key: "k" });
    const raw = newInvocationId({ key: "k", uuid });
    expect(toHex(raw)).toBe(toHex(makeInvocationId(partitionKeyOf("k"), uuid)));
  });

  it("make ULIDs with the time in the first 48 bits", () => {
    const ulid = newUlid(0xffff_ffff_ffff);
    expect(toHex(ulid.subarray(0, 6))).toBe("ffffffffffff");
    expect(() => newUlid(-1)).toThrow(RangeError);
    expect(() => newUlid(2 ** 48)).toThrow(RangeError);
  });

  it("never repeat random bytes across refills of the random pool", () => {
    // 5 000 ids draw 90 000 random bytes: about 22 refills of the 4 KiB pool.
    const ids = new Set<string>();
    const ulidTails = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      ids.add(toHex(newInvocationId({ nowMs: 1 })));
      ulidTails.add(toHex(newUlid(1).subarray(6)));
    }
    expect(ids.size).toBe(5_000);
    expect(ulidTails.size).toBe(5_000);
  });
});
