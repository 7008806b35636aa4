// Goal: every harness error has its stable code, its name and a message; method: a table over
// every class exported by errors.ts.
import { describe, expect, it } from "vitest";
import {
  E2eError,
  InvalidInvocationIdError,
  TargetStateError,
  TargetUnavailableError,
  UnknownTargetError,
} from "@cairn/e2e";

const cases: { error: E2eError; code: string; name: string; message: RegExp }[] = [
  { error: new UnknownTargetError("nope"), code: "ERR_E2E_UNKNOWN_TARGET", name: "UnknownTargetError", message: /"nope"/ },
  {
    error: new TargetUnavailableError("cairn", "not built"),
    code: "ERR_E2E_TARGET_UNAVAILABLE",
    name: "TargetUnavailableError",
    message: /cairn.*not built/,
  },
  { error: new TargetStateError("restate", "restart", "idle"), code: "ERR_E2E_TARGET_STATE", name: "TargetStateError", message: /restart while idle/ },
  {
    error: new InvalidInvocationIdError("inv_x"),
    code: "ERR_E2E_INVALID_INVOCATION_ID",
    name: "InvalidInvocationIdError",
    message: /inv_x/,
  },
];

describe("errors", () => {
  it.each(cases)("$name has code $code", ({ error, code, name, message }) => {
    expect(error).toBeInstanceOf(E2eError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
  });

  it("codes are unique", () => {
    expect(new Set(cases.map((c) => c.code)).size).toBe(cases.length);
  });
});
