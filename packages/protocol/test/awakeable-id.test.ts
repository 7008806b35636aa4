// Goal: awakeable ids are `sign_1` + base64url(raw id ‖ u32be index) exactly as SDK 1.17.2 makes
// them, and parsing rejects anything else; method: the doc's vector, legacy and padded forms,
// fast-check round trips and malformed inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAwakeableId, InvalidIdError, parseAwakeableId } from "@cairn/protocol";
import { fromHex, readFixture, toHex } from "./support/fixtures.js";

const { awakeableIds } = readFixture<{ awakeableIds: { invocationIdHex: string; signalIndex: number; text: string }[] }>("v7/ids.json");

describe("awakeable ids", () => {
  it("match the SDK's vector", () => {
    for (const v of awakeableIds) {
      expect(formatAwakeableId(fromHex(v.invocationIdHex), v.signalIndex)).toBe(v.text);
      const parsed = parseAwakeableId(v.text);
      expect(parsed.kind).toBe("signal");
      expect(toHex(parsed.invocationId)).toBe(v.invocationIdHex);
      expect(parsed).toMatchObject({ signalIndex: v.signalIndex });
    }
  });

  it("are 44 characters and round-trip", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.integer({ min: 0, max: 0xffff_ffff }), (raw, index) => {
        const text = formatAwakeableId(raw, index);
        expect(text).toHaveLength(44);
        const parsed = parseAwakeableId(text);
        expect(parsed).toEqual({ kind: "signal", invocationId: raw, signalIndex: index });
      }),
      { numRuns: 200 },
    );
  });

  it("accept the padded spelling and the legacy prom_1 form", () => {
    const text = awakeableIds[0]?.text ?? "";
    expect(parseAwakeableId(`${text}==`)).toEqual(parseAwakeableId(text));
    const legacy = parseAwakeableId(text.replace("sign_1", "prom_1"));
    expect(legacy).toMatchObject({ kind: "legacy", entryIndex: 17 });
  });

  it("reject malformed ids with InvalidIdError", () => {
    const text = awakeableIds[0]?.text ?? "";
    const bad = [
      "",
      "sign_1",
      text.replace("sign_1", "sign_2"),
      text.replace("sign_1", "prom_2"),
      text.slice(0, -1),
      text + "A",
      text.slice(0, 20) + "+" + text.slice(21),
      text.slice(0, -1) + "R", // non-zero trailing bits: not canonical
      text + "=",
      `${text}A==`,
    ];
    for (const b of bad) expect(() => parseAwakeableId(b), b).toThrow(InvalidIdError);
  });

  it("validate what they format", () => {
    expect(() => formatAwakeableId(new Uint8Array(23), 17)).toThrow(RangeError);
    expect(() => formatAwakeableId(new Uint8Array(24), -1)).toThrow(RangeError);
    expect(() => formatAwakeableId(new Uint8Array(24), 2 ** 32)).toThrow(RangeError);
  });
});
