// Encoding a query's result the way restate-server answers `POST /query` (RESTATE-PROTOCOL.md §7.4):
//
//   application/json                 => {"rows":[{column: value, …}, …]} — Arrow's JSON writer's
//                                       conventions: integers as numbers, binary as lowercase hex,
//                                       booleans as true/false, NULL as null.
//   application/vnd.apache.arrow.stream => one Arrow IPC stream: schema message, one record batch,
//                                       end-of-stream marker. Integer columns are Int64 (Restate's
//                                       CLI reads COUNT(*) as Int64), reals Float64, text Utf8,
//                                       blobs Binary, boolean columns Bool.
//
// SQLite is dynamically typed, so a column's type is inferred from its values: all integers →
// Int64; integers and reals → Float64; blobs → Binary; anything else mixed → Utf8 (values as text).
// A column with no non-NULL value takes its declared type if it has one, else Int64 when its name
// says it counts, else Utf8.

import { Binary, Bool, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray, type DataType } from "apache-arrow";
import { booleanColumns } from "./views.js";

export type AnswerFormat = "json" | "arrow";

export const contentTypes: Readonly<Record<AnswerFormat, string>> = {
  json: "application/json",
  arrow: "application/vnd.apache.arrow.stream",
};

export interface ResultColumn {
  readonly name: string;
  /** SQLite's declared type of the column it reads, if it reads one directly. */
  readonly declared: string | null;
}

type Kind = "int" | "float" | "text" | "binary" | "bool";

function kindOf(column: ResultColumn, values: readonly unknown[]): Kind {
  let ints = 0;
  let floats = 0;
  let texts = 0;
  let blobs = 0;
  let boolish = true;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value === "bigint") {
      ints += 1;
      if (value !== 0n && value !== 1n) boolish = false;
    } else if (typeof value === "number") {
      floats += 1;
      if (value !== 0 && value !== 1) boolish = false;
    } else if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      blobs += 1;
      boolish = false;
    } else {
      texts += 1;
      boolish = false;
    }
  }
  const present = ints + floats + texts + blobs;
  if (present === 0) {
    const declared = (column.declared ?? "").toUpperCase();
    if (booleanColumns.has(column.name)) return "bool";
    if (declared.includes("INT") || /count/i.test(column.name)) return "int";
    if (declared.includes("BLOB")) return "binary";
    if (/REAL|FLOA|DOUB/.test(declared)) return "float";
    return "text";
  }
  if (boolish && booleanColumns.has(column.name)) return "bool";
  if (ints === present) return "int";
  if (ints + floats === present) return "float";
  if (blobs === present) return "binary";
  return "text";
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return typeof value === "number" || typeof value === "bigint" ? value.toString() : JSON.stringify(value);
}

function jsonValue(kind: Kind, value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (kind) {
    case "bool":
      return Number(value) === 1 ? "true" : "false";
    case "int":
      return typeof value === "bigint" || typeof value === "number" ? value.toString() : "null";
    case "float": {
      const n = Number(value);
      return Number.isFinite(n) ? String(n) : "null";
    }
    case "binary":
      return JSON.stringify(Buffer.from(value as Uint8Array).toString("hex"));
    case "text":
      return JSON.stringify(asText(value));
  }
}

/** `{"rows":[…]}` as UTF-8 bytes. */
export function encodeJson(columns: readonly ResultColumn[], rows: readonly unknown[][]): Buffer {
  const kinds = columns.map((column, i) => kindOf(column, rows.map((row) => row[i])));
  const names = columns.map((column) => JSON.stringify(column.name));
  const parts: string[] = [];
  for (const row of rows) {
    parts.push(`{${names.map((name, i) => `${name}:${jsonValue(kinds[i] ?? "text", row[i])}`).join(",")}}`);
  }
  return Buffer.from(`{"rows":[${parts.join(",")}]}`, "utf8");
}

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case "int":
      return new Int64();
    case "float":
      return new Float64();
    case "binary":
      return new Binary();
    case "bool":
      return new Bool();
    case "text":
      return new Utf8();
  }
}

function arrowValue(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "int":
      return BigInt(value as bigint);
    case "float":
      return Number(value);
    case "bool":
      return Number(value) === 1;
    case "binary":
      return new Uint8Array(value as Uint8Array);
    case "text":
      return asText(value);
  }
}

/** An Arrow IPC stream with one record batch holding every row. */
export function encodeArrow(columns: readonly ResultColumn[], rows: readonly unknown[][]): Buffer {
  const kinds = columns.map((column, i) => kindOf(column, rows.map((row) => row[i])));
  const fields = columns.map((column, i) => new Field(column.name, arrowType(kinds[i] ?? "text"), true));
  const children = columns.map((_, i) => {
    const kind = kinds[i] ?? "text";
    const values = rows.map((row) => arrowValue(kind, row[i]));
    return vectorFromArray(values, arrowType(kind) as never).data[0];
  });
  const struct = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children: children as never });
  const batch = new RecordBatch(new Schema(fields), struct);
  return Buffer.from(tableToIPC(new Table([batch]), "stream"));
}

/**
 * The format an `accept` header asks for: JSON for application/json, Arrow for the Arrow stream
 * type, for a missing header and for wildcards (restate-server's default is Arrow); undefined for
 * anything else (→ 406).
 */
export function negotiateFormat(accept: string | undefined): AnswerFormat | undefined {
  if (accept === undefined || accept.trim() === "") return "arrow";
  const types = accept.split(",").map((part) => (part.split(";")[0] ?? "").trim().toLowerCase());
  for (const type of types) {
    if (type === "application/json") return "json";
    if (type === "application/vnd.apache.arrow.stream") return "arrow";
  }
  if (types.some((type) => type === "*/*" || type === "application/*")) return "arrow";
  return undefined;
}
