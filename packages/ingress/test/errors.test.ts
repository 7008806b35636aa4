// Goal: every ingress error class carries a stable code, its HTTP status and its name; method: a table over all classes.
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  IngressError,
  InternalError,
  InvalidDelayError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  PayloadTooLargeError,
  PrivateServiceError,
  UnavailableError,
  UnsupportedImplementationError,
} from "@cairn/ingress";

const table = [
  [BadRequestError, "ERR_INGRESS_BAD_REQUEST", 400],
  [InvalidInputError, "ERR_INGRESS_INVALID_INPUT", 400],
  [InvalidDelayError, "ERR_INGRESS_INVALID_DELAY", 400],
  [PrivateServiceError, "ERR_INGRESS_PRIVATE_SERVICE", 400],
  [NotFoundError, "ERR_INGRESS_NOT_FOUND", 404],
  [MethodNotAllowedError, "ERR_INGRESS_METHOD_NOT_ALLOWED", 405],
  [PayloadTooLargeError, "ERR_INGRESS_PAYLOAD_TOO_LARGE", 413],
  [OverloadedError, "ERR_INGRESS_OVERLOADED", 429],
  [InternalError, "ERR_INGRESS_INTERNAL", 500],
  [UnsupportedImplementationError, "ERR_INGRESS_UWS_UNAVAILABLE", 500],
  [NotImplementedError, "ERR_INGRESS_NOT_IMPLEMENTED", 501],
  [UnavailableError, "ERR_INGRESS_UNAVAILABLE", 503],
] as const;

describe("ingress errors", () => {
  it.each(table)("%o has its code and status", (ErrorClass, code, status) => {
    const cause = new Error("root cause");
    const error = new ErrorClass("what happened", { cause });
    expect(error).toBeInstanceOf(IngressError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe("what happened");
    expect(error.cause).toBe(cause);
  });

  it("codes are unique", () => {
    expect(new Set(table.map(([, code]) => code)).size).toBe(table.length);
  });
});
