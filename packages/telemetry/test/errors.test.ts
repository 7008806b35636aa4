// Goal: every telemetry error class has a stable code, its name, and is a TelemetryError; method: table over telemetryErrorClasses.
import { describe, expect, it } from "vitest";
import { OtlpDecodeError, TelemetryConfigError, TelemetryError, TraceContextError, telemetryErrorClasses } from "@cairn/telemetry";

const expected: [new (message: string) => TelemetryError, string][] = [
  [TelemetryConfigError, "ERR_TELEMETRY_CONFIG"],
  [TraceContextError, "ERR_TELEMETRY_TRACE_CONTEXT"],
  [OtlpDecodeError, "ERR_TELEMETRY_OTLP_DECODE"],
];

describe("telemetry errors", () => {
  it("lists every class once", () => {
    expect(new Set(telemetryErrorClasses)).toEqual(new Set(expected.map(([cls]) => cls)));
  });
  it.each(expected)("%o has code %s", (cls, code) => {
    const error = new cls("boom");
    expect(error).toBeInstanceOf(TelemetryError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(cls.name);
    expect(error.message).toBe("boom");
  });
});
