// Goal: durations print in restate-server's friendly form; method: a table of values seen in its admin answers.
import { describe, expect, it } from "vitest";
import { formatDurationMs } from "@cairn/admin";

describe("formatDurationMs", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1_000, "1s"],
    [60_000, "1m"],
    [600_000, "10m"],
    [5_400_000, "1h 30m"],
    [86_400_000, "1d"],
    [90_061_001, "1d 1h 1m 1s 1ms"],
  ])("%i ms is %s", (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });

  it("refuses negative and non-finite values", () => {
    expect(() => formatDurationMs(-1)).toThrow(RangeError);
    expect(() => formatDurationMs(Number.NaN)).toThrow(RangeError);
  });
});
