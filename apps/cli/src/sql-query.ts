// `POST /query` (RESTATE-PROTOCOL.md §7.4): SQL over the introspection tables, answered as
// `{"rows":[{column: value}]}` when asked for application/json. Queries built here quote every
// literal with `sqlString`, and use only plain SELECT/WHERE/ORDER BY/LIMIT so that both
// restate-server (DataFusion) and Cairn (SQLite) run them.

import type { Context } from "./context.js";
import { BadResponseError } from "./errors.js";

export type Row = Readonly<Record<string, unknown>>;

export async function sqlQuery(context: Context, query: string): Promise<Row[]> {
  const answer = await context.admin.json<unknown>("POST", "/query", {
    body: { query },
    headers: { accept: "application/json" },
    ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
  });
  const rows = (answer as { rows?: unknown } | undefined)?.rows;
  if (!Array.isArray(rows)) throw new BadResponseError(`POST /query answered without a "rows" array`);
  return rows as Row[];
}

/** A SQL string literal: single quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A binary column as bytes. restate-server's JSON writer gives hex; an array of byte values or
 * `{"type":"Buffer","data":[…]}` are accepted too.
 */
export function bytesOf(value: unknown): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") {
    if (value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value)) return Buffer.from(value, "hex");
    return Buffer.from(value, "utf8");
  }
  if (Array.isArray(value) && value.every((b) => typeof b === "number")) return Buffer.from(value);
  const data = (value as { data?: unknown }).data;
  if (Array.isArray(data)) return Buffer.from(data as number[]);
  return undefined;
}

/** Bytes for display: parsed JSON when they are JSON, else UTF-8 text when valid, else `0x…`. */
export function decodeValue(bytes: Buffer): unknown {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (Buffer.from(text, "utf8").equals(bytes)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return `0x${bytes.toString("hex")}`;
}

/** A timestamp column (RFC 3339 text from DataFusion, or epoch milliseconds) as ISO text. */
export function timestampText(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number") return new Date(value).toISOString();
  if (typeof value === "string") {
    if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString();
    return value;
  }
  return JSON.stringify(value);
}
