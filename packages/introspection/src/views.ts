// Restate's introspection tables as SQLite views over the partition stores.
//
// Every partition store is ATTACHed to the query connection as schema `p{n}` (up to 9; past
// SQLite's ATTACH limit they are read through virtual tables, layout `scan`); each table below is
// a TEMP view that UNION ALLs one SELECT per partition, under Restate's table and column names
// (RESTATE-PROTOCOL.md §7.4). Columns Cairn has no data for are present and NULL, so queries
// written for restate-server still plan. Conventions of the values:
//
//   timestamps  => TEXT, RFC 3339 UTC with milliseconds ("2026-01-02T03:04:05.678Z"): ordered
//                  and compared as text, and read as timestamps by Restate's CLI.
//   booleans    => INTEGER 0/1 in SQL; answered as JSON/Arrow booleans (see booleanColumns).
//   durations   => INTEGER milliseconds.
//   partition_key => TEXT, the u64 in decimal (past SQLite's signed 64-bit INTEGER), as stored.
//   binary      => BLOB; answered as lowercase hex in JSON (as Arrow's JSON writer does).
//
// The metadata tables (sys_service, sys_deployment) are TEMP tables the query process refills
// from the admin metadata whenever its version changes.

/** Result columns answered as booleans when their values are 0/1 (SQLite has no boolean type). */
export const booleanColumns: ReadonlySet<string> = new Set(["completed", "public", "in_flight", "pinned_deployment_exists"]);

const ts = (column: string): string => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`;

/**
 * One partition's rows of the internal view every sys_invocation* view selects from. `attempts`:
 * the store has the attempt table (retry counters and the last failure of each invoked
 * invocation, written by the partition's attempt records); without it those columns are NULL.
 */
const invocationArm = (s: string, attempts: boolean): string => `SELECT
  i.partition_key AS partition_key,
  i.id AS id,
  i.status AS raw_status,
  i.completion_result AS completion_result,
  CASE WHEN i.completion_result = 'failure' THEN '[' || i.completion_failure_code || '] ' || i.completion_failure_message END AS completion_failure,
  i.target_service_name || '/' || CASE WHEN i.target_service_key IS NULL THEN '' ELSE i.target_service_key || '/' END || i.target_handler_name AS target,
  i.target_service_name AS target_service_name,
  i.target_service_key AS target_service_key,
  i.target_handler_name AS target_handler_name,
  lower(i.target_service_ty) AS target_service_ty,
  i.idempotency_key AS idempotency_key,
  i.invoked_by AS invoked_by,
  i.invoked_by_id AS invoked_by_id,
  i.pinned_deployment_id AS pinned_deployment_id,
  i.pinned_service_protocol_version AS pinned_service_protocol_version,
  CASE WHEN length(i.trace_parent) >= 35 THEN substr(i.trace_parent, 4, 32) END AS trace_id,
  i.journal_size AS journal_size,
  i.journal_commands_size AS journal_commands_size,
  ${ts("i.created_at")} AS created_at,
  ${ts("i.modified_at")} AS modified_at,
  ${ts("i.inboxed_at")} AS inboxed_at,
  CASE WHEN i.scheduled_start_at IS NOT NULL THEN ${ts("i.created_at")} END AS scheduled_at,
  ${ts("i.scheduled_start_at")} AS scheduled_start_at,
  ${ts("i.running_at")} AS running_at,
  ${ts("i.completed_at")} AS completed_at,
  CASE WHEN i.completion_expires_at IS NOT NULL AND i.completed_at IS NOT NULL THEN i.completion_expires_at - i.completed_at END AS completion_retention,
  cairn_future(i.suspended_future, 'completions') AS suspended_waiting_for_completions,
  cairn_future(i.suspended_future, 'signals') AS suspended_waiting_for_signals,
  cairn_future(i.suspended_future, 'json') AS suspended_waiting_future_json,
  ${attempts ? "COALESCE(a.last_failure, i.last_failure)" : "i.last_failure"} AS last_failure,
  ${attempts ? "COALESCE(a.last_failure_error_code, i.last_failure_error_code)" : "i.last_failure_error_code"} AS last_failure_error_code,
  ${attempts ? "a.retry_count" : "NULL"} AS retry_count,
  ${attempts ? "a.next_retry_at" : "NULL"} AS next_retry_at_ms,
  ${attempts ? "a.last_failure_related_command_index" : "NULL"} AS last_failure_related_command_index,
  ${attempts ? "a.last_failure_related_command_name" : "NULL"} AS last_failure_related_command_name,
  ${attempts ? "cairn_entry_type(a.last_failure_related_command_type)" : "NULL"} AS last_failure_related_command_type
FROM ${s}sys_invocation_status i${attempts ? ` LEFT JOIN ${s}sys_invocation_state a ON a.id = i.id` : ""}`;

/** `callers`: look the caller's service and target up (correlated, by the stores' primary key). */
const invocationStatusColumns = (callers: boolean): string => `partition_key, id, raw_status AS status, completion_result, completion_failure, target,
  target_service_name, target_service_key, target_handler_name, target_service_ty, idempotency_key, invoked_by,
  invoked_by_id, NULL AS invoked_by_subscription_id,
  ${callers ? "(SELECT c.target_service_name FROM cairn_invocation c WHERE c.id = v.invoked_by_id)" : "NULL"} AS invoked_by_service_name,
  ${callers ? "(SELECT c.target FROM cairn_invocation c WHERE c.id = v.invoked_by_id)" : "NULL"} AS invoked_by_target,
  NULL AS restarted_from, pinned_deployment_id, pinned_service_protocol_version, trace_id, journal_size,
  journal_commands_size, created_at, NULL AS created_using_restate_version, modified_at, inboxed_at, scheduled_at,
  scheduled_start_at, running_at, completed_at, completion_retention, NULL AS journal_retention,
  suspended_waiting_for_completions, suspended_waiting_for_signals`;

/** An invoked invocation waits for its next attempt while its retry time is in the future. */
const backingOff = "(raw_status = 'invoked' AND next_retry_at_ms IS NOT NULL AND next_retry_at_ms > CAST(unixepoch('subsec') * 1000 AS INTEGER))";

// retry_count as Restate counts it: attempts started (the failed ones, plus the one in flight).
const invocationStateColumns = `raw_status = 'invoked' AND NOT ${backingOff} AS in_flight,
  CASE WHEN raw_status = 'invoked' THEN COALESCE(retry_count, 0) + CASE WHEN ${backingOff} THEN 0 ELSE 1 END END AS retry_count,
  CASE WHEN raw_status = 'invoked' THEN running_at END AS last_start_at, ${ts("next_retry_at_ms")} AS next_retry_at,
  CASE WHEN raw_status = 'invoked' THEN pinned_deployment_id END AS last_attempt_deployment_id, NULL AS last_attempt_server,
  last_failure, last_failure_error_code, last_failure_related_command_index AS last_failure_related_entry_index,
  last_failure_related_command_name AS last_failure_related_entry_name, last_failure_related_command_type AS last_failure_related_entry_type,
  last_failure_related_command_index, last_failure_related_command_name, last_failure_related_command_type,
  NULL AS last_awaiting_on_future_json`;

/**
 * One partition's (or, scanning, every partition's) journal rows. `lookups`: the completion and
 * callee-id lookups as correlated subqueries on the store's index (attached stores); otherwise as
 * joins SQLite materializes once with an automatic index (virtual tables have no index).
 */
const journalArm = (s: string, lookups: "correlated" | "joined" = "correlated"): string => `SELECT
  cairn_id_partition_key(x.id) AS partition_key,
  x.id AS id,
  x."index" AS "index",
  cairn_entry_type(x.entry_type) AS entry_type,
  cairn_entry(x.entry_type, x.raw, 'name') AS name,
  ${
    lookups === "correlated"
      ? `CASE WHEN x.cid IS NULL THEN 1 ELSE EXISTS (SELECT 1 FROM ${s}sys_journal n WHERE n.id = x.id AND n.completion_id = x.cid) END`
      : "CASE WHEN x.cid IS NULL THEN 1 ELSE done.id IS NOT NULL END"
  } AS completed,
  ${
    lookups === "correlated"
      ? `(SELECT cairn_entry(n.entry_type, n.raw, 'invocation_id') FROM ${s}sys_journal n WHERE n.id = x.id AND n.completion_id = x.iid)`
      : "cairn_entry(callee.entry_type, callee.raw, 'invocation_id')"
  } AS invoked_id,
  cairn_entry(x.entry_type, x.raw, 'target') AS invoked_target,
  ${ts("cairn_entry(x.entry_type, x.raw, 'wake_up_time')")} AS sleep_wakeup_at,
  cairn_entry(x.entry_type, x.raw, 'promise_name') AS promise_name,
  x.raw AS raw,
  length(x.raw) AS raw_length,
  2 AS version,
  cairn_entry(x.entry_type, x.raw, 'json') AS entry_json,
  NULL AS entry_lite_json,
  ${ts("x.appended_at")} AS appended_at
FROM (SELECT j.*, cairn_entry(j.entry_type, j.raw, 'completion_id') AS cid,
  cairn_entry(j.entry_type, j.raw, 'invocation_id_completion_id') AS iid FROM ${s}sys_journal j) x${
  lookups === "correlated"
    ? ""
    : `
LEFT JOIN (SELECT DISTINCT id, completion_id FROM ${s}sys_journal WHERE completion_id IS NOT NULL) done ON done.id = x.id AND done.completion_id = x.cid
LEFT JOIN (SELECT id, completion_id, entry_type, raw FROM ${s}sys_journal WHERE entry_type = ${0x800e}) callee ON callee.id = x.id AND callee.completion_id = x.iid`
}`;

const stateArm = (s: string): string => `SELECT cairn_key_partition_key(service_key) AS partition_key, NULL AS scope, service_name, service_key,
  CAST(key AS TEXT) AS key, length(key) AS key_length, cairn_utf8(value) AS value_utf8, value, length(value) AS value_length
FROM ${s}state`;

const inboxArm = (s: string): string => `SELECT cairn_id_partition_key(id) AS partition_key, service_name, service_key, id, sequence_number,
  ${ts("created_at")} AS created_at FROM ${s}sys_inbox`;

const keyedArm = (s: string): string => `SELECT cairn_id_partition_key(invocation_id) AS partition_key, service_name, service_key, invocation_id
FROM ${s}sys_keyed_service_status`;

const idempotencyArm = (s: string): string => `SELECT cairn_id_partition_key(invocation_id) AS partition_key, service_name, service_key, service_handler,
  idempotency_key, invocation_id FROM ${s}sys_idempotency`;

const promiseArm = (s: string): string => `SELECT cairn_key_partition_key(service_key) AS partition_key, NULL AS scope, service_name, service_key, key,
  completed, completion_success_value, cairn_utf8(completion_success_value) AS completion_success_value_utf8,
  CASE WHEN completion_failure_code IS NOT NULL THEN '[' || completion_failure_code || '] ' || completion_failure_message END AS completion_failure
FROM ${s}sys_promise`;

/** Schema name of partition `p` on the query connection (attached stores). */
export function partitionSchema(partition: number): string {
  return `p${partition}`;
}

/** Name of the virtual table that scans `table` of every partition (more partitions than ATTACH allows). */
export function scanTable(table: string): string {
  return `cairn_all_${table}`;
}

/** The partition tables the views read. */
export const storeTables: readonly string[] = [
  "sys_invocation_status",
  "sys_invocation_state",
  "sys_journal",
  "state",
  "sys_inbox",
  "sys_keyed_service_status",
  "sys_idempotency",
  "sys_promise",
];

/**
 * How the views reach the stores: `attach` — each partition's store ATTACHed as `p{n}`, one
 * UNION ALL arm per partition, the stores' indexes used; `scan` — one arm over the virtual tables
 * `cairn_all_{table}` (scanTable) that read every partition's own connection, for more partitions
 * than SQLite's ATTACH limit (10) allows: every query scans, callers are not looked up.
 */
export type ViewLayout = { kind: "attach"; partitions: readonly number[] } | { kind: "scan" };

/**
 * The statements that create every view, in dependency order. `hasAttempts(p)`: partition p's
 * store has the attempt table (sys_invocation_state); in the scan layout, partition 0's answer
 * stands for all.
 */
export function viewStatements(layout: ViewLayout | readonly number[], hasAttempts: (partition: number) => boolean = () => false): string[] {
  const how: ViewLayout = Array.isArray(layout) ? { kind: "attach", partitions: layout } : (layout as ViewLayout);
  if (how.kind === "attach" && how.partitions.length === 0) throw new RangeError("views need at least one partition");
  const union = (arm: (prefix: string) => string): string =>
    how.kind === "attach" ? how.partitions.map((p) => arm(`${partitionSchema(p)}.`)).join("\nUNION ALL\n") : arm("cairn_all_");
  const invocations =
    how.kind === "attach"
      ? how.partitions.map((p) => invocationArm(`${partitionSchema(p)}.`, hasAttempts(p))).join("\nUNION ALL\n")
      : invocationArm("cairn_all_", hasAttempts(0));
  const statusColumns = invocationStatusColumns(how.kind === "attach");
  return [
    `CREATE TEMP VIEW cairn_invocation AS ${invocations}`,
    `CREATE TEMP VIEW sys_invocation_status AS SELECT ${statusColumns} FROM cairn_invocation v`,
    `CREATE TEMP VIEW sys_invocation_state AS SELECT partition_key, id, ${invocationStateColumns} FROM cairn_invocation v WHERE raw_status = 'invoked'`,
    `CREATE TEMP VIEW sys_invocation AS SELECT ${statusColumns.replace("raw_status AS status, ", "")}, NULL AS vqueue_id, NULL AS scope, NULL AS limit_key,
      suspended_waiting_future_json, ${invocationStateColumns},
      CASE WHEN ${backingOff} THEN 'backing-off' WHEN raw_status = 'inboxed' THEN 'pending' WHEN raw_status = 'invoked' THEN 'running' ELSE raw_status END AS status
      FROM cairn_invocation v`,
    `CREATE TEMP VIEW sys_journal AS ${how.kind === "attach" ? union((prefix) => journalArm(prefix)) : journalArm("cairn_all_", "joined")}`,
    `CREATE TEMP VIEW state AS ${union(stateArm)}`,
    `CREATE TEMP VIEW sys_inbox AS ${union(inboxArm)}`,
    `CREATE TEMP VIEW sys_keyed_service_status AS ${union(keyedArm)}`,
    `CREATE TEMP VIEW sys_idempotency AS ${union(idempotencyArm)}`,
    `CREATE TEMP VIEW sys_promise AS ${union(promiseArm)}`,
    `CREATE TEMP TABLE sys_service (name TEXT, revision INTEGER, public INTEGER, ty TEXT, deployment_id TEXT)`,
    `CREATE TEMP TABLE sys_deployment (id TEXT, ty TEXT, endpoint TEXT, created_at TEXT, min_service_protocol_version INTEGER,
      max_service_protocol_version INTEGER, services TEXT)`,
  ];
}

/** The tables a user may query, as `information_schema.tables` lists them. */
export const introspectionTables: readonly string[] = ["sys_invocation", ...storeTables, "sys_service", "sys_deployment"];

/** One row of `sys_service`, built by the admin from its metadata. */
export interface ServiceRow {
  readonly name: string;
  readonly revision: number;
  readonly public: boolean;
  /** `service` | `virtual_object` | `workflow` */
  readonly ty: string;
  readonly deployment_id: string;
}

/** One row of `sys_deployment`. */
export interface DeploymentRow {
  readonly id: string;
  /** `http` (Lambda deployments are not served). */
  readonly ty: string;
  readonly endpoint: string;
  /** Epoch milliseconds. */
  readonly created_at_ms: number;
  readonly min_service_protocol_version: number;
  readonly max_service_protocol_version: number;
  readonly services: readonly string[];
}

/** The metadata tables' contents; `version` changes whenever they do. */
export interface MetadataRows {
  readonly version: number;
  readonly services: readonly ServiceRow[];
  readonly deployments: readonly DeploymentRow[];
}
