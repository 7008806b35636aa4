// Goal: every invoker error class has its stable code and retry semantics; method: table over all classes.
import { describe, expect, it } from "vitest";
import {
  AbortTimeoutError,
  AttemptAbortedError,
  ConnectError,
  ContentTypeError,
  H2cConnectionError,
  H2cStreamError,
  HttpStatusError,
  InvokerError,
  MissingTerminalError,
  ProtocolViolationError,
  UnsupportedProtocolVersionError,
} from "@cairn/invoker";

const cases: [InvokerError, string, boolean][] = [
  [new ConnectError("http://127.0.0.1:1", new Error("refused")), "ERR_INVOKER_CONNECT", true],
  [new HttpStatusError(503, "busy", 1000), "ERR_INVOKER_HTTP_STATUS", true],
  [new ContentTypeError("application/vnd.restate.invocation.v7", "text/plain"), "ERR_INVOKER_CONTENT_TYPE", true],
  [new ProtocolViolationError("bad frame"), "ERR_INVOKER_PROTOCOL", true],
  [new MissingTerminalError(), "ERR_INVOKER_NO_TERMINAL", true],
  [new AbortTimeoutError(10), "ERR_INVOKER_ABORT_TIMEOUT", true],
  [new AttemptAbortedError("killed"), "ERR_INVOKER_ABORTED", false],
  [new UnsupportedProtocolVersionError(1, 4), "ERR_INVOKER_PROTOCOL_VERSION", true],
  [new H2cConnectionError("socket closed"), "ERR_INVOKER_H2C_CONNECTION", true],
  [new H2cStreamError("reset", 8), "ERR_INVOKER_H2C_STREAM", true],
];

describe("invoker errors", () => {
  it.each(cases)("%s has code %s", (error, code, retryable) => {
    expect(error).toBeInstanceOf(InvokerError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message.length).toBeGreaterThan(0);
  });
  it("covers every class once", () => {
    expect(new Set(cases.map(([, code]) => code)).size).toBe(cases.length);
  });
});
