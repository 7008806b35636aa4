// Goal: every introspection error class carries a stable code and the HTTP status the admin answers with, and survives the query-process boundary; method: a table over all classes, rebuilt from their wire form.
import { describe, expect, it } from "vitest";
import {
  IntrospectionError,
  QueryFormatNotAcceptableError,
  QueryInternalError,
  QueryInvalidError,
  QueryOverloadedError,
  QueryTimeoutError,
  QueryTooLargeError,
  QueryUnavailableError,
  introspectionErrorFromWire,
} from "@cairn/introspection";

const table: [string, () => IntrospectionError, string, number][] = [
  ["QueryInvalidError", () => new QueryInvalidError("m"), "ERR_QUERY_INVALID", 400],
  ["QueryTooLargeError", () => new QueryTooLargeError("m"), "ERR_QUERY_TOO_LARGE", 400],
  ["QueryFormatNotAcceptableError", () => new QueryFormatNotAcceptableError("m"), "ERR_QUERY_NOT_ACCEPTABLE", 406],
  ["QueryTimeoutError", () => new QueryTimeoutError("m"), "ERR_QUERY_TIMEOUT", 408],
  ["QueryOverloadedError", () => new QueryOverloadedError("m"), "ERR_QUERY_OVERLOADED", 429],
  ["QueryInternalError", () => new QueryInternalError("m"), "ERR_QUERY_INTERNAL", 500],
  ["QueryUnavailableError", () => new QueryUnavailableError("m"), "ERR_QUERY_UNAVAILABLE", 503],
];

describe("introspection errors", () => {
  it.each(table)("%s has its code and status and round-trips through its wire form", (name, make, code, status) => {
    const error = make();
    expect(error).toBeInstanceOf(IntrospectionError);
    expect([error.name, error.code, error.status, error.message]).toEqual([name, code, status, "m"]);
    const rebuilt = introspectionErrorFromWire({ code: error.code, message: "again" });
    expect([rebuilt.name, rebuilt.code, rebuilt.message]).toEqual([name, code, "again"]);
  });

  it("an unknown code becomes an internal error", () => {
    expect(introspectionErrorFromWire({ code: "ERR_OTHER", message: "x" })).toBeInstanceOf(QueryInternalError);
  });
});
