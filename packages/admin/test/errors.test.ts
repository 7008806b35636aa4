// Goal: every admin error class carries a stable code, its HTTP status and restate_code; method: a table over all classes.
import { describe, expect, it } from "vitest";
import {
  AdminError,
  BadRequestError,
  ConflictError,
  DiscoveryError,
  InvalidDeploymentError,
  MetadataCorruptError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  PayloadTooLargeError,
  UnsupportedApiVersionError,
  NotAcceptableError,
  RequestTimeoutError,
  UnavailableError,
} from "@cairn/admin";

const table: [string, () => AdminError, string, number, string | null][] = [
  ["BadRequestError", () => new BadRequestError("m"), "ERR_ADMIN_BAD_REQUEST", 400, null],
  ["UnsupportedApiVersionError", () => new UnsupportedApiVersionError("m"), "ERR_ADMIN_UNSUPPORTED_API_VERSION", 400, null],
  ["InvalidDeploymentError", () => new InvalidDeploymentError("m", "META0014"), "ERR_ADMIN_INVALID_DEPLOYMENT", 400, "META0014"],
  ["NotFoundError", () => new NotFoundError("m"), "ERR_ADMIN_NOT_FOUND", 404, null],
  ["MethodNotAllowedError", () => new MethodNotAllowedError("m", ["GET"]), "ERR_ADMIN_METHOD_NOT_ALLOWED", 405, null],
  ["ConflictError", () => new ConflictError("m"), "ERR_ADMIN_CONFLICT", 409, null],
  ["PayloadTooLargeError", () => new PayloadTooLargeError("m"), "ERR_ADMIN_PAYLOAD_TOO_LARGE", 413, null],
  ["OverloadedError", () => new OverloadedError("m"), "ERR_ADMIN_OVERLOADED", 429, null],
  ["DiscoveryError", () => new DiscoveryError("m"), "ERR_ADMIN_DISCOVERY_FAILED", 500, "META0003"],
  ["MetadataCorruptError", () => new MetadataCorruptError("m"), "ERR_ADMIN_METADATA_CORRUPT", 500, null],
  ["NotImplementedError", () => new NotImplementedError("m"), "ERR_ADMIN_NOT_IMPLEMENTED", 501, null],
  ["NotAcceptableError", () => new NotAcceptableError("m"), "ERR_ADMIN_NOT_ACCEPTABLE", 406, null],
  ["RequestTimeoutError", () => new RequestTimeoutError("m"), "ERR_ADMIN_REQUEST_TIMEOUT", 408, null],
  ["UnavailableError", () => new UnavailableError("m"), "ERR_ADMIN_UNAVAILABLE", 503, null],
];

describe("admin errors", () => {
  it.each(table)("%s has its code, status and restate code", (name, make, code, status, restateCode) => {
    const error = make();
    expect(error).toBeInstanceOf(AdminError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.restateCode).toBe(restateCode);
    expect(error.message).toBe("m");
  });

  it("codes are unique", () => {
    expect(new Set(table.map(([, , code]) => code)).size).toBe(table.length);
  });
});
