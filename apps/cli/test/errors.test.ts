// Goal: every CLI error class has its stable code, exit status and name; method: one table row
// per class, constructed and checked through the public exports.
import { describe, expect, it } from "vitest";
import { AbortedError, ApiError, BadResponseError, CliError, NotFoundError, PartialFailureError, StateConflictError, UnreachableError, UsageError } from "cairn-cli";

describe("CLI errors", () => {
  it.each([
    [new UsageError("m"), "ERR_CLI_USAGE", 2, "UsageError"],
    [new ApiError("m", 404, "META0001"), "ERR_CLI_API", 1, "ApiError"],
    [new UnreachableError("m"), "ERR_CLI_UNREACHABLE", 1, "UnreachableError"],
    [new BadResponseError("m"), "ERR_CLI_BAD_RESPONSE", 1, "BadResponseError"],
    [new NotFoundError("m"), "ERR_CLI_NOT_FOUND", 1, "NotFoundError"],
    [new AbortedError("m"), "ERR_CLI_ABORTED", 1, "AbortedError"],
    [new PartialFailureError("m"), "ERR_CLI_PARTIAL_FAILURE", 1, "PartialFailureError"],
    [new StateConflictError("m"), "ERR_CLI_STATE_CONFLICT", 1, "StateConflictError"],
  ] as const)("%s", (error, code, exitCode, name) => {
    expect(error).toBeInstanceOf(CliError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exitCode);
    expect(error.name).toBe(name);
    expect(error.message).toBe("m");
  });

  it("ApiError keeps the status and restate code", () => {
    const error = new ApiError("m", 409, undefined);
    expect(error.status).toBe(409);
    expect(error.restateCode).toBeUndefined();
  });
});
