// Goal: every server error class carries a stable code and its name; method: a table over all classes.
import { describe, expect, it } from "vitest";
import { DataDirError, DataDirLockedError, InvalidOptionsError, PartitionCountMismatchError, ServerError, WorkerStartError } from "@cairn/server";

const table = [
  [InvalidOptionsError, "ERR_SERVER_INVALID_OPTIONS"],
  [DataDirError, "ERR_SERVER_DATA_DIR"],
  [PartitionCountMismatchError, "ERR_SERVER_PARTITION_COUNT_MISMATCH"],
  [DataDirLockedError, "ERR_SERVER_DATA_DIR_LOCKED"],
  [WorkerStartError, "ERR_SERVER_WORKER_START"],
] as const;

describe("server errors", () => {
  it.each(table)("%o has code %s", (ErrorClass, code) => {
    const error = new ErrorClass("what happened");
    expect(error).toBeInstanceOf(ServerError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe("what happened");
  });

  it("codes are unique", () => {
    expect(new Set(table.map(([, code]) => code)).size).toBe(table.length);
  });
});
