// Goal: deployment ids are `dp_1` + Restate's base62 of a ULID; method: documented and observed ids,
// round trips, and malformed inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEPLOYMENT_ID_TEXT_LENGTH, formatDeploymentId, InvalidIdError, newDeploymentId, parseDeploymentId } from "@cairn/protocol";
import { readFixture, toHex } from "./support/fixtures.js";

const { deploymentIds } = readFixture<{ deploymentIds: { text: string }[] }>("v7/ids.json");

describe("deployment ids", () => {
  it("parse documented and observed ids to plausible ULIDs", () => {
    for (const { text } of deploymentIds) {
      const ulid = parseDeploymentId(text);
      expect(formatDeploymentId(ulid)).toBe(text);
      const ms = Number(new DataView(ulid.buffer).getBigUint64(0) >> 16n);
      // Byte-swapped base62 gives a ULID time in this decade; unswapped would not.
      expect(new Date(ms).getUTCFullYear()).toBeGreaterThanOrEqual(2024);
      expect(new Date(ms).getUTCFullYear()).toBeLessThan(2030);
    }
  });

  it("are new, well formed and time-ordered", () => {
    const id = newDeploymentId(Date.UTC(2026, 5, 1));
    expect(id).toHaveLength(DEPLOYMENT_ID_TEXT_LENGTH);
    const ms = Number(new DataView(parseDeploymentId(id).buffer).getBigUint64(0) >> 16n);
    expect(ms).toBe(Date.UTC(2026, 5, 1));
  });

  it("round-trip any 16 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (ulid) => {
        expect(toHex(parseDeploymentId(formatDeploymentId(ulid)))).toBe(toHex(ulid));
      }),
    );
  });

  it("reject malformed ids", () => {
    for (const bad of ["", "dp_", "dp_2" + "0".repeat(22), "dq_1" + "0".repeat(22), "dp_1" + "0".repeat(21), "dp_1" + "Z".repeat(22), "dp_1" + "-".repeat(22)]) {
      expect(() => parseDeploymentId(bad), bad).toThrow(InvalidIdError);
    }
    expect(() => formatDeploymentId(new Uint8Array(15))).toThrow(RangeError);
  });
});
