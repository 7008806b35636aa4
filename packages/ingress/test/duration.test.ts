// Goal: `?delay=` accepts the friendly and ISO-8601 forms restate-server accepts and refuses the rest; method: tables of inputs and a property over sums.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DurationSyntaxError, parseDurationMs } from "@cairn/ingress";

describe("parseDurationMs", () => {
  it.each([
    ["10s", 10_000],
    ["5000ms", 5_000],
    ["1h 30m", 5_400_000],
    ["1h30m", 5_400_000],
    ["1h, 30m", 5_400_000],
    ["1.5s", 1_500],
    ["0s", 0],
    ["2 days 3 hours", 2 * 86_400_000 + 3 * 3_600_000],
    ["1w", 604_800_000],
    ["250us", 0],
    ["1500us", 2],
    ["3M", 180_000],
    ["PT10S", 10_000],
    ["pt10s", 10_000],
    ["P1D", 86_400_000],
    ["P1DT2H3M4.5S", 86_400_000 + 7_200_000 + 180_000 + 4_500],
    ["P2W", 1_209_600_000],
    ["PT0.25S", 250],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "  ", "1000", "-1s", "1month", "2y", "10 parsecs", "s", "P", "PT", "P1Y", "P1M", "PT1H2", "1s garbage", "1..5s"])(
    "%j is refused",
    (text) => {
      expect(() => parseDurationMs(text)).toThrow(DurationSyntaxError);
    },
  );

  it("a sum of friendly items is the sum of their values", () => {
    const units = [
      ["ms", 1],
      ["s", 1_000],
      ["m", 60_000],
      ["h", 3_600_000],
      ["d", 86_400_000],
    ] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...units)), { minLength: 1, maxLength: 5 }), (items) => {
        const text = items.map(([n, [unit]]) => `${n}${unit}`).join(" ");
        const expected = items.reduce((sum, [n, [, scale]]) => sum + n * scale, 0);
        expect(parseDurationMs(text)).toBe(expected);
      }),
    );
  });
});
