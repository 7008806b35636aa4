// Goal: query results encode the way Restate's /query answers them (JSON rows with Arrow's JSON conventions; an Arrow IPC stream with inferred column types) and the accept header picks the format; method: encode fixed rows, decode the Arrow stream with apache-arrow.
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { negotiateFormat } from "@cairn/introspection";
import { encodeArrow, encodeJson, entryTypeLabel, toSqliteDialect, utf8OrNull } from "../src/internal.js";

const columns = [
  { name: "id", declared: "TEXT" },
  { name: "n", declared: null },
  { name: "ratio", declared: null },
  { name: "raw", declared: "BLOB" },
  { name: "completed", declared: null },
  { name: "mixed", declared: null },
];
const rows = [
  ["a", 1n, 0.5, Buffer.from([1, 255]), 1n, 1n],
  ["b", 9007199254740993n, 2, null, 0n, "x"],
  [null, null, null, Buffer.alloc(0), null, null],
];

describe("result formats", () => {
  it("JSON: integers exact, blobs as hex, 0/1 of boolean columns as booleans, mixed as text", () => {
    const json = encodeJson(columns, rows).toString("utf8");
    expect(json).toBe(
      '{"rows":[{"id":"a","n":1,"ratio":0.5,"raw":"01ff","completed":true,"mixed":"1"},' +
        '{"id":"b","n":9007199254740993,"ratio":2,"raw":null,"completed":false,"mixed":"x"},' +
        '{"id":null,"n":null,"ratio":null,"raw":"","completed":null,"mixed":null}]}',
    );
  });

  it("Arrow: one stream whose schema has the inferred types and whose values round-trip", () => {
    const table = tableFromIPC(encodeArrow(columns, rows));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(["id:Utf8", "n:Int64", "ratio:Float64", "raw:Binary", "completed:Bool", "mixed:Utf8"]);
    expect(table.numRows).toBe(3);
    expect(table.get(1)?.n).toBe(9007199254740993n);
    expect([...(table.get(0)?.raw as Uint8Array)]).toEqual([1, 255]);
    expect(table.get(1)?.completed).toBe(false);
  });

  it("Arrow with no rows: counts are Int64, other untyped columns Utf8", () => {
    const table = tableFromIPC(encodeArrow([{ name: "inv_count", declared: null }, { name: "name", declared: null }], []));
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(["Int64", "Utf8"]);
    expect(table.numRows).toBe(0);
  });

  it("accept: JSON when asked, Arrow for the Arrow type, wildcards and none; nothing else", () => {
    expect(negotiateFormat("application/json")).toBe("json");
    expect(negotiateFormat("text/html, application/json;q=0.9")).toBe("json");
    expect(negotiateFormat("application/vnd.apache.arrow.stream")).toBe("arrow");
    expect(negotiateFormat("*/*")).toBe("arrow");
    expect(negotiateFormat(undefined)).toBe("arrow");
    expect(negotiateFormat("text/csv")).toBeUndefined();
  });

  it("journal entry labels and UTF-8 values read like Restate's", () => {
    expect(entryTypeLabel(0x0400)).toBe("Command: Input");
    expect(entryTypeLabel(0x040c)).toBe("Command: Sleep");
    expect(entryTypeLabel(0x800c)).toBe("Notification: Sleep");
    expect(entryTypeLabel(0xfbff)).toBe("Notification: Signal");
    expect(utf8OrNull(Buffer.from('"hé"'))).toBe('"hé"');
    expect(utf8OrNull(Buffer.from([0xff, 0xfe]))).toBeNull();
  });

  it("DataFusion's column names that are SQLite keywords are quoted, never inside literals or quoted names", () => {
    expect(toSqliteDialect("SELECT sj.index, 'index' AS s, \"index\" FROM sys_journal sj ORDER BY Index DESC -- index")).toBe(
      "SELECT sj.\"index\", 'index' AS s, \"index\" FROM sys_journal sj ORDER BY \"Index\" DESC -- index",
    );
    expect(toSqliteDialect("SELECT reindex, index_x, 'it''s index' FROM t")).toBe("SELECT reindex, index_x, 'it''s index' FROM t");
  });
});
