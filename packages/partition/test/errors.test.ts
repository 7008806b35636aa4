// Goal: every partition error class has its stable code and survives the worker boundary (C3);
// method: table over the registry, round trip through toWire / partitionErrorFromWire and a
// structured clone.
import { describe, expect, it } from "vitest";
import { partitionErrorClasses, partitionErrorFromWire, toWireError, PartitionError } from "@cairn/partition";

describe("partition errors", () => {
  it.each(Object.entries(partitionErrorClasses))("%s round-trips through its wire form", (code, Class) => {
    const error = new Class("something happened");
    expect(error).toBeInstanceOf(PartitionError);
    expect(error.code).toBe(code);
    const wire = structuredClone(toWireError(error));
    expect(wire).toMatchObject({ code, message: "something happened" });
    const rebuilt = partitionErrorFromWire(wire);
    expect(rebuilt).toBeInstanceOf(Class);
    expect(rebuilt.code).toBe(code);
  });

  it("keeps the code of foreign errors and wraps everything else", () => {
    expect(toWireError(Object.assign(new Error("disk"), { code: "ERR_LOG_IO" }))).toMatchObject({ code: "ERR_LOG_IO", message: "disk" });
    expect(toWireError("boom")).toEqual({ code: "ERR_PARTITION_INTERNAL", message: "boom" });
    expect(partitionErrorFromWire({ code: "ERR_OTHER", message: "x" })).toMatchObject({ code: "ERR_OTHER", message: "x" });
  });
});
