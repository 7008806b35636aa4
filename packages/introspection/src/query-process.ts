// The query process: a child process (not a worker thread) that owns one SQLite connection with
// every partition store ATTACHed and Restate's tables defined as TEMP views over them (views.ts).
// A child process because a query runs inside SQLite's C code, where a worker thread cannot be
// interrupted; a process can always be killed when it runs past the time limit.
//
// Q1. The connection never writes a partition store: `PRAGMA query_only` is on except while the
//     TEMP metadata tables are refilled, and only single statements that return rows and are
//     read-only (sqlite3_stmt_readonly) are run.
// Q2. WAL mode: each query reads one consistent snapshot of each store, as of its first read of it,
//     and sees everything the partitions committed before that.
// Q3. One query at a time (messages are handled in order); the parent bounds the queue and time.
//
// Messages (process.send, "advanced" serialization):
//   parent → child  { kind: "query", id, sql, format, rowsMax, metadata? }
//   child → parent  { kind: "ready" } once every store is attached, or { kind: "start-failed", message }
//                   { kind: "result", id, contentType, body: Uint8Array, rows }
//                   { kind: "error", id, code, message }

import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { attachedPartitionsMax, queryResultBytesMax, storeFileName } from "./constants.js";
import { registerFunctions } from "./functions.js";
import { contentTypes, encodeArrow, encodeJson, type AnswerFormat, type ResultColumn } from "./result-format.js";
import { expandCatalogStatement, toSqliteDialect } from "./sql-dialect.js";
import { introspectionTables, partitionSchema, scanTable, storeTables, viewStatements, type MetadataRows } from "./views.js";

export interface QueryRequest {
  readonly kind: "query";
  readonly id: number;
  readonly sql: string;
  readonly format: AnswerFormat;
  readonly rowsMax: number;
  readonly metadata?: MetadataRows;
}

export type QueryReply =
  | { readonly kind: "ready" }
  | { readonly kind: "start-failed"; readonly message: string }
  | { readonly kind: "result"; readonly id: number; readonly contentType: string; readonly body: Uint8Array; readonly rows: number }
  | { readonly kind: "error"; readonly id: number; readonly code: string; readonly message: string };

class Failure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function open(dataDir: string, partitions: number): Database.Database {
  const db = new Database(":memory:");
  const list = Array.from({ length: partitions }, (_, p) => p);
  const paths = list.map((p) => join(dataDir, "partitions", String(p), storeFileName));
  for (const path of paths) if (!existsSync(path)) throw new Error(`partition store ${path} does not exist`);
  registerFunctions(db);
  const attempts = (schema: string): boolean =>
    db.prepare(`SELECT 1 FROM ${schema}sqlite_master WHERE type = 'table' AND name = 'sys_invocation_state'`).get() !== undefined;
  if (partitions <= attachedPartitionsMax) {
    paths.forEach((path, p) => db.prepare(`ATTACH DATABASE ? AS ${partitionSchema(p)}`).run(path));
    for (const statement of viewStatements({ kind: "attach", partitions: list }, (p) => attempts(`${partitionSchema(p)}.`))) db.exec(statement);
  } else {
    // More partitions than one connection can ATTACH: one read-only connection per store, each
    // table scanned across them through a virtual table (Q1 holds: the connections are read-only).
    const stores = paths.map((path) => new Database(path, { readonly: true, fileMustExist: true }));
    const has = (store: Database.Database, table: string): boolean =>
      store.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    const first = stores[0];
    if (first === undefined) throw new Error("no partition store");
    for (const table of storeTables) {
      if (!has(first, table)) continue;
      const columns = (first.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(table) as string[]).map((c) => `"${c}"`);
      const select = `SELECT ${columns.join(", ")} FROM ${table}`;
      db.table(scanTable(table), {
        columns: columns.map((c) => c.slice(1, -1)),
        *rows() {
          // A statement per scan: one query may scan a table twice (a self-join) at once.
          for (const store of stores) if (has(store, table)) yield* store.prepare(select).raw().iterate() as IterableIterator<unknown[]>;
        },
      });
    }
    for (const statement of viewStatements({ kind: "scan" }, () => has(first, "sys_invocation_state"))) db.exec(statement);
  }
  db.exec("ATTACH DATABASE ':memory:' AS information_schema");
  db.exec(`CREATE TABLE information_schema.tables (table_catalog TEXT, table_schema TEXT, table_name TEXT, table_type TEXT)`);
  db.exec(`CREATE TABLE information_schema.columns (table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT,
    ordinal_position INTEGER, data_type TEXT, is_nullable TEXT)`);
  const addTable = db.prepare("INSERT INTO information_schema.tables VALUES ('datafusion', 'public', ?, ?)");
  const addColumn = db.prepare("INSERT INTO information_schema.columns VALUES ('datafusion', 'public', ?, ?, ?, ?, 'YES')");
  for (const table of introspectionTables) {
    addTable.run(table, table === "sys_service" || table === "sys_deployment" ? "BASE TABLE" : "VIEW");
    const info = db.prepare(`SELECT name, type FROM pragma_table_info(?, 'temp')`).all(table) as { name: string; type: string }[];
    info.forEach((column, index) => addColumn.run(table, column.name, index, column.type === "" ? null : column.type));
  }
  db.pragma("query_only = 1");
  return db;
}

let metadataVersion = -1;

function refreshMetadata(db: Database.Database, metadata: MetadataRows): void {
  if (metadata.version === metadataVersion) return;
  db.pragma("query_only = 0");
  try {
    db.transaction(() => {
      db.exec("DELETE FROM temp.sys_service; DELETE FROM temp.sys_deployment");
      const service = db.prepare("INSERT INTO temp.sys_service VALUES (?, ?, ?, ?, ?)");
      for (const row of metadata.services) service.run(row.name, row.revision, row.public ? 1 : 0, row.ty, row.deployment_id);
      const deployment = db.prepare("INSERT INTO temp.sys_deployment VALUES (?, ?, ?, ?, ?, ?, ?)");
      for (const row of metadata.deployments) {
        deployment.run(
          row.id,
          row.ty,
          row.endpoint,
          new Date(row.created_at_ms).toISOString(),
          row.min_service_protocol_version,
          row.max_service_protocol_version,
          JSON.stringify(row.services),
        );
      }
    })();
  } finally {
    db.pragma("query_only = 1");
  }
  metadataVersion = metadata.version;
}

const readKeywords = /^(select|with|values)\b/i;

function stripLeadingComments(sql: string): string {
  let rest = sql.trimStart();
  for (;;) {
    if (rest.startsWith("--")) {
      const end = rest.indexOf("\n");
      rest = end === -1 ? "" : rest.slice(end + 1).trimStart();
    } else if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/");
      rest = end === -1 ? "" : rest.slice(end + 2).trimStart();
    } else return rest;
  }
}

function run(db: Database.Database, request: QueryRequest): { contentType: string; body: Uint8Array; rows: number } {
  if (request.metadata !== undefined) refreshMetadata(db, request.metadata);
  const sql = expandCatalogStatement(request.sql).trim().replace(/;\s*$/, "");
  if (sql.length === 0) throw new Failure("ERR_QUERY_INVALID", "the query is empty");
  let statement: Database.Statement;
  try {
    statement = db.prepare(toSqliteDialect(sql));
  } catch (error) {
    throw new Failure("ERR_QUERY_INVALID", (error as Error).message);
  }
  if (!statement.reader || !statement.readonly || !readKeywords.test(stripLeadingComments(sql))) {
    throw new Failure("ERR_QUERY_INVALID", "only a single read-only SELECT (or WITH … SELECT, VALUES) query is allowed");
  }
  statement.safeIntegers(true);
  statement.raw(true);
  const columns: ResultColumn[] = statement.columns().map((column) => ({ name: column.name, declared: column.type }));
  const rows: unknown[][] = [];
  let bytes = 0;
  try {
    for (const row of statement.iterate() as IterableIterator<unknown[]>) {
      if (rows.length >= request.rowsMax) {
        throw new Failure("ERR_QUERY_TOO_LARGE", `the query returned more than ${request.rowsMax} rows (the row limit); narrow it with WHERE or add a LIMIT`);
      }
      for (const value of row) bytes += typeof value === "string" || value instanceof Uint8Array ? value.length : 8;
      if (bytes > queryResultBytesMax) {
        throw new Failure("ERR_QUERY_TOO_LARGE", `the query's result is over ${queryResultBytesMax} bytes; select fewer columns or rows`);
      }
      rows.push(row);
    }
  } catch (error) {
    if (error instanceof Failure) throw error;
    throw new Failure("ERR_QUERY_INVALID", (error as Error).message);
  }
  const body = request.format === "json" ? encodeJson(columns, rows) : encodeArrow(columns, rows);
  return { contentType: contentTypes[request.format], body, rows: rows.length };
}

function main(): void {
  const send = (reply: QueryReply): void => {
    process.send?.(reply);
  };
  const dataDir = process.env.CAIRN_QUERY_DATA_DIR ?? "";
  const partitions = Number(process.env.CAIRN_QUERY_PARTITIONS ?? "0");
  let db: Database.Database;
  try {
    db = open(dataDir, partitions);
  } catch (error) {
    process.send?.({ kind: "start-failed", message: (error as Error).message } satisfies QueryReply, () => process.exit(1));
    return;
  }
  process.on("message", (message: QueryRequest) => {
    try {
      const result = run(db, message);
      send({ kind: "result", id: message.id, ...result });
    } catch (error) {
      const failure = error instanceof Failure ? error : new Failure("ERR_QUERY_INTERNAL", (error as Error).message);
      send({ kind: "error", id: message.id, code: failure.code, message: failure.message });
    }
  });
  process.on("disconnect", () => {
    db.close();
    process.exit(0);
  });
  send({ kind: "ready" });
}

main();
