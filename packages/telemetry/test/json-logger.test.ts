// Goal: the JSON logger writes one parseable object per line with time, level, msg and fields, drops lines below its level, and renders errors and bigints; method: a capturing writer.
import { describe, expect, it } from "vitest";
import { isLogLevel, jsonLogger, levelEnabled } from "@cairn/telemetry";

describe("jsonLogger", () => {
  it("writes JSON lines at or above its level", () => {
    const lines: string[] = [];
    const log = jsonLogger("info", (line) => lines.push(line));
    log("debug", "hidden");
    log("warn", "attempt failed", { invocationId: "inv_1x", error: new Error("boom"), n: 5n });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    const entry = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "warn", msg: "attempt failed", invocationId: "inv_1x", n: "5", error: { name: "Error", message: "boom" } });
    expect(Date.parse(String(entry.time))).not.toBeNaN();
  });
  it("orders levels", () => {
    expect(levelEnabled("error", "warn")).toBe(true);
    expect(levelEnabled("info", "warn")).toBe(false);
    expect(isLogLevel("trace")).toBe(false);
    expect(isLogLevel("debug")).toBe(true);
  });
});
