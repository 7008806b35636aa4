// Goal: W3C traceparent parsing is strict, formatting round-trips (T1), derived ids are stable, distinct and valid (T2), and a callee's traceparent names the caller's invocation span; method: examples from the W3C spec and derived-id properties.
import { describe, expect, it } from "vitest";
import {
  TraceContextError,
  calleeTraceparent,
  formatTraceparent,
  invocationParent,
  invocationSpanId,
  invocationTraceId,
  parseTraceparent,
  tryParseTraceparent,
} from "@cairn/telemetry";

const example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  it("parses and formats the W3C example (T1)", () => {
    const parsed = parseTraceparent(example);
    expect(parsed).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 });
    expect(formatTraceparent(parsed)).toBe(example);
    expect(parseTraceparent(example.toUpperCase())).toEqual(parsed);
  });

  it.each([
    ["", "empty"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "missing flags"],
    ["00-00000000000000000000000000000000-00f067aa0ba902b7-01", "zero trace id"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "zero span id"],
    ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version ff"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "extra field on version 00"],
    ["00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "short trace id"],
  ])("refuses %j (%s)", (header) => {
    expect(() => parseTraceparent(header)).toThrow(TraceContextError);
    expect(tryParseTraceparent(header)).toBeUndefined();
  });

  it("accepts a future version with extra fields", () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever`).flags).toBe(1);
  });
});

describe("derived ids", () => {
  const ids = Array.from({ length: 200 }, (_, i) => `inv_1test${i}`);
  it("are stable, distinct and well-formed (T2)", () => {
    expect(invocationSpanId(ids[0] as string)).toBe(invocationSpanId(ids[0] as string));
    expect(new Set(ids.map(invocationSpanId)).size).toBe(ids.length);
    for (const id of ids) {
      expect(invocationSpanId(id)).toMatch(/^[0-9a-f]{16}$/);
      expect(invocationTraceId(id)).toMatch(/^[0-9a-f]{32}$/);
      expect(invocationSpanId(id)).not.toMatch(/^0+$/);
    }
  });

  it("roots an invocation without a parent in its own trace, and keeps an incoming parent", () => {
    expect(invocationParent("inv_1a", null)).toEqual({ traceId: invocationTraceId("inv_1a"), parentSpanId: undefined, flags: 1 });
    expect(invocationParent("inv_1a", example)).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentSpanId: "00f067aa0ba902b7", flags: 1 });
    expect(invocationParent("inv_1a", "garbage").parentSpanId).toBeUndefined();
  });

  it("gives a callee the caller's trace with the caller's invocation span as parent", () => {
    const callee = parseTraceparent(calleeTraceparent("inv_1caller", example));
    expect(callee).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: invocationSpanId("inv_1caller"), flags: 1 });
    const rooted = parseTraceparent(calleeTraceparent("inv_1caller", null));
    expect(rooted.traceId).toBe(invocationTraceId("inv_1caller"));
    const unsampled = parseTraceparent(calleeTraceparent("inv_1caller", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
    expect(unsampled.flags).toBe(0);
  });
});
