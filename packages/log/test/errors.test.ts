// Goal: every error class has its stable code, name, retry semantics and fields, and survives the
// wire round trip; method: one table row per class, checked by the same assertions.
import { describe, expect, it } from "vitest";
import {
  LogBackpressureError,
  LogBatchTooLargeError,
  LogClosedError,
  LogCorruptionError,
  LogError,
  LogInvalidArgumentError,
  LogIoError,
  LogLockedError,
  LogRecordTooLargeError,
  LogSealedError,
  LogTrimmedError,
  logErrorClasses,
  logErrorFromWire,
} from "@cairn/log";

interface Row {
  error: LogError;
  cls: abstract new (...args: never[]) => LogError;
  code: string;
  name: string;
  retryable: boolean;
  message: RegExp;
  fields: Record<string, unknown>;
}

const cause = Object.assign(new Error("disk on fire"), { code: "EIO" });

const table: Row[] = [
  {
    error: new LogCorruptionError("/d/00000000000000000001.chunk", 4242, "checksum mismatch"),
    cls: LogCorruptionError,
    code: "ERR_LOG_CORRUPT_RECORD",
    name: "LogCorruptionError",
    retryable: false,
    message: /checksum mismatch in \/d\/00000000000000000001\.chunk at offset 4242/,
    fields: { file: "/d/00000000000000000001.chunk", offset: 4242, reason: "checksum mismatch" },
  },
  {
    error: new LogSealedError(17),
    cls: LogSealedError,
    code: "ERR_LOG_SEALED",
    name: "LogSealedError",
    retryable: false,
    message: /sealed at LSN 17/,
    fields: { tailLsn: 17 },
  },
  {
    error: new LogClosedError(),
    cls: LogClosedError,
    code: "ERR_LOG_CLOSED",
    name: "LogClosedError",
    retryable: false,
    message: /closed/,
    fields: {},
  },
  {
    error: new LogBackpressureError(2048, 1024),
    cls: LogBackpressureError,
    code: "ERR_LOG_BACKPRESSURE",
    name: "LogBackpressureError",
    retryable: true,
    message: /2048 bytes in flight, limit 1024/,
    fields: { inFlightBytes: 2048, inFlightBytesMax: 1024 },
  },
  {
    error: new LogRecordTooLargeError(5000, 4096),
    cls: LogRecordTooLargeError,
    code: "ERR_LOG_RECORD_TOO_LARGE",
    name: "LogRecordTooLargeError",
    retryable: false,
    message: /5000 bytes exceeds recordBytesMax 4096/,
    fields: { bytes: 5000, recordBytesMax: 4096 },
  },
  {
    error: new LogBatchTooLargeError(9000, 8192),
    cls: LogBatchTooLargeError,
    code: "ERR_LOG_BATCH_TOO_LARGE",
    name: "LogBatchTooLargeError",
    retryable: false,
    message: /9000 bytes \(framed\) exceeds batchBytesMax 8192/,
    fields: { bytes: 9000, batchBytesMax: 8192 },
  },
  {
    error: new LogTrimmedError(3, 10),
    cls: LogTrimmedError,
    code: "ERR_LOG_TRIMMED",
    name: "LogTrimmedError",
    retryable: false,
    message: /LSN 3 is trimmed \(trim point 10\); read from 11/,
    fields: { lsn: 3, trimPoint: 10 },
  },
  {
    error: new LogInvalidArgumentError("fromLsn must be an integer LSN >= 1, got 0"),
    cls: LogInvalidArgumentError,
    code: "ERR_LOG_INVALID_ARGUMENT",
    name: "LogInvalidArgumentError",
    retryable: false,
    message: /fromLsn must be/,
    fields: {},
  },
  {
    error: new LogLockedError("/d", "process 42"),
    cls: LogLockedError,
    code: "ERR_LOG_LOCKED",
    name: "LogLockedError",
    retryable: true,
    message: /\/d is held by process 42/,
    fields: { dir: "/d", holder: "process 42" },
  },
  {
    error: new LogIoError("fdatasync", cause),
    cls: LogIoError,
    code: "ERR_LOG_IO",
    name: "LogIoError",
    retryable: false,
    message: /during fdatasync: disk on fire/,
    fields: { operation: "fdatasync", cause },
  },
];

describe("errors", () => {
  it.each(table)("$name has code $code", (row) => {
    const { error } = row;
    expect(error).toBeInstanceOf(row.cls);
    expect(error).toBeInstanceOf(LogError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(row.code);
    expect(error.name).toBe(row.name);
    expect(error.retryable).toBe(row.retryable);
    expect(error.message).toMatch(row.message);
    expect(error.stack).toContain(row.name);
    for (const [key, value] of Object.entries(row.fields)) expect((error as unknown as Record<string, unknown>)[key]).toBe(value);
  });

  it.each(table)("$name survives the wire as its own class", (row) => {
    const wire = row.error.toWire();
    expect(wire).toEqual({ code: row.code, message: row.error.message, stack: row.error.stack });
    const rebuilt = logErrorFromWire(structuredClone(wire));
    expect(rebuilt).toBeInstanceOf(row.cls);
    expect(rebuilt?.code).toBe(row.code);
    expect(rebuilt?.message).toBe(row.error.message);
    expect(rebuilt?.stack).toBe(row.error.stack);
    expect(rebuilt?.retryable).toBe(row.retryable);
    expect(rebuilt?.name).toBe(row.name);
  });

  it("registers every class exactly once, under its code", () => {
    expect(Object.keys(logErrorClasses).sort()).toEqual(table.map((r) => r.code).sort());
    for (const row of table) expect(logErrorClasses[row.code as keyof typeof logErrorClasses]).toBe(row.cls);
  });

  it("rebuilds nothing from an unknown code", () => {
    expect(logErrorFromWire({ code: "ERR_NOPE", message: "", stack: "" })).toBeUndefined();
    expect(logErrorFromWire({ code: "toString", message: "", stack: "" })).toBeUndefined();
  });
});
