// Goal: every error class keeps its stable codeName, numeric code and retry semantics; method: a
// table over every class exported by the package.
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  DefinitionError,
  EndpointRequestError,
  JournalMismatchError,
  ProtocolViolationError,
  RestateError,
  RetryableError,
  TerminalError,
  TimeoutError,
  UnsupportedFeatureError,
} from "@cairn/sdk";

const table: Array<{ make: () => RestateError; codeName: string; code: number; terminal: boolean }> = [
  { make: () => new RestateError("x"), codeName: "ERR_SDK_RESTATE", code: 500, terminal: false },
  { make: () => new TerminalError("x", { errorCode: 418, metadata: { a: "b" } }), codeName: "ERR_SDK_TERMINAL", code: 418, terminal: true },
  { make: () => new TerminalError("x"), codeName: "ERR_SDK_TERMINAL", code: 500, terminal: true },
  { make: () => new CancelledError(), codeName: "ERR_SDK_CANCELLED", code: 409, terminal: true },
  { make: () => new TimeoutError(), codeName: "ERR_SDK_TIMEOUT", code: 408, terminal: true },
  { make: () => new RetryableError("x", { retryAfter: 100 }), codeName: "ERR_SDK_RETRYABLE", code: 500, terminal: false },
  { make: () => new JournalMismatchError("x", 3, 0x0411, "step"), codeName: "ERR_SDK_JOURNAL_MISMATCH", code: 570, terminal: false },
  { make: () => new ProtocolViolationError("x"), codeName: "ERR_SDK_PROTOCOL_VIOLATION", code: 571, terminal: false },
  { make: () => new UnsupportedFeatureError("x"), codeName: "ERR_SDK_UNSUPPORTED_FEATURE", code: 573, terminal: false },
  { make: () => new EndpointRequestError(401, "Unauthorized"), codeName: "ERR_SDK_ENDPOINT_REQUEST", code: 401, terminal: false },
  { make: () => new DefinitionError("x"), codeName: "ERR_SDK_DEFINITION", code: 500, terminal: false },
];

describe("errors", () => {
  it.each(table)("$codeName has code $code", ({ make, codeName, code, terminal }) => {
    const e = make();
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(RestateError);
    expect(e.codeName).toBe(codeName);
    expect(e.code).toBe(code);
    expect(e instanceof TerminalError).toBe(terminal);
    expect(e.name).not.toBe("Error");
  });

  it("keeps TerminalError metadata and RetryableError.from's cause", () => {
    expect(new TerminalError("x", { metadata: { k: "v" } }).metadata).toEqual({ k: "v" });
    const cause = new TerminalError("inner", { errorCode: 422 });
    const r = RetryableError.from(cause, { retryAfter: 5 });
    expect(r.code).toBe(422);
    expect(r.retryAfter).toBe(5);
    expect(r.cause).toBe(cause);
  });
});
