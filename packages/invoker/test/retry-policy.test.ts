// Goal: Restate's default retry policy (500 ms ×2 up to 60 s, 70 attempts, then pause) and its overrides; method: exact delays.
import { describe, expect, it } from "vitest";
import { chooseProtocolVersion, defaultRetryPolicy, nextRetry, resolveRetryPolicy, UnsupportedProtocolVersionError } from "@cairn/invoker";

describe("nextRetry", () => {
  it("backs off exponentially up to the max interval", () => {
    const delays = [1, 2, 3, 4, 8, 20].map((n) => nextRetry(defaultRetryPolicy, n));
    expect(delays).toEqual([
      { kind: "retry", delayMs: 500 },
      { kind: "retry", delayMs: 1000 },
      { kind: "retry", delayMs: 2000 },
      { kind: "retry", delayMs: 4000 },
      { kind: "retry", delayMs: 60_000 },
      { kind: "retry", delayMs: 60_000 },
    ]);
  });
  it("pauses (or kills) after maxAttempts, counting the first attempt", () => {
    expect(nextRetry(defaultRetryPolicy, 69)).toMatchObject({ kind: "retry" });
    expect(nextRetry(defaultRetryPolicy, 70)).toEqual({ kind: "pause" });
    expect(nextRetry({ ...defaultRetryPolicy, onMaxAttempts: "KILL", maxAttempts: 2 }, 2)).toEqual({ kind: "kill" });
  });
  it("honours the SDK's next_retry_delay but not past the attempt limit", () => {
    expect(nextRetry(defaultRetryPolicy, 3, 50)).toEqual({ kind: "retry", delayMs: 50 });
    expect(nextRetry({ ...defaultRetryPolicy, maxAttempts: 3 }, 3, 50)).toEqual({ kind: "pause" });
  });
  it("rejects a failure count below 1", () => {
    expect(() => nextRetry(defaultRetryPolicy, 0)).toThrow(RangeError);
  });
  it("layers service and handler overrides over the default", () => {
    expect(resolveRetryPolicy(defaultRetryPolicy, { maxAttempts: 5 }, { initialIntervalMs: 10 }, undefined)).toEqual({
      ...defaultRetryPolicy,
      maxAttempts: 5,
      initialIntervalMs: 10,
    });
  });
});

describe("chooseProtocolVersion", () => {
  it("prefers V7 and falls back to the deployment's max", () => {
    expect(chooseProtocolVersion(5, 7)).toBe(7);
    expect(chooseProtocolVersion(5, 9)).toBe(7);
    expect(chooseProtocolVersion(1, 6)).toBe(6);
    expect(() => chooseProtocolVersion(1, 4)).toThrow(UnsupportedProtocolVersionError);
    expect(() => chooseProtocolVersion(8, 9)).toThrow(UnsupportedProtocolVersionError);
  });
});
