// Goal: every client error class keeps its stable code; method: a table over every class.
import { describe, expect, it } from "vitest";
import { ClientError, ConnectionError, HttpCallError, ResponseFormatError, UnsafeRetryError } from "@cairn/client";

describe("client errors", () => {
  it.each([
    [() => new ClientError("x"), "ERR_CLIENT"],
    [() => new HttpCallError(418, "{}", "x", "invocation", undefined), "ERR_CLIENT_HTTP_CALL"],
    [() => new ConnectionError("x"), "ERR_CLIENT_CONNECTION"],
    [() => new ResponseFormatError("x"), "ERR_CLIENT_RESPONSE_FORMAT"],
    [() => new UnsafeRetryError("x"), "ERR_CLIENT_UNSAFE_RETRY"],
  ] as const)("%#: has code %s", (make, code) => {
    const e = make();
    expect(e).toBeInstanceOf(ClientError);
    expect(e.code).toBe(code);
    expect(e.name).not.toBe("Error");
  });
});
