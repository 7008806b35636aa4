// Admin operations on one invocation (kill, pause, resume, purge, purge-journal; cancel is a
// signal, processor.ts P6) and the durable record of failed attempts (RESTATE-PROTOCOL.md
// §4.7–§4.10, §7.3).
//
// Owns: what the `ctl` and `att` commands do to the store, the tables and columns they need
// (`sys_invocation_state`, failure metadata), and the answer of a `control` task. Does not own:
// completing an invocation, the outbox or the journal (the processor's kernel does that), nor the
// HTTP statuses (the admin maps ControlTaskResult onto them).
//
// K1. Every operation is a log command applied like any other (D1, D3): the answer of a control
//     task is sent only once its record is durable and applied.
// K2. Kill runs no user code: the invocation completes with {409, "killed"}, its caller and
//     waiters are answered, its key is released (the processor's complete), and every child it
//     created with Call or OneWayCall (the ids of its CallInvocationIdCompletion notifications)
//     is killed too, through the outbox when it lives on another partition.
// K3. A failed attempt is recorded (`att`) before the retry, pause or failure that follows it is
//     acted on, so a crash never resets the retry counters: they are reloaded from
//     `sys_invocation_state` when the partition opens.
// K4. Purge removes a completed invocation only; purge-journal drops only its journal.
import type Database from "better-sqlite3";
import {
  CallInvocationIdCompletionNotificationMessageSchema,
  MessageType,
  decodeProto,
  invocationIdPartitionKey,
  parseInvocationId,
} from "@cairn/protocol";
import type { AttemptFailed, ControlOp, OutboxPayload, WireFailure } from "./command-codec.js";
import { partitionOf } from "./contract.js";
import type { Store, Stmt } from "./store.js";

/** The part of the processor's Effects this module adds to (kept structural: no import cycle). */
export interface ControlEffects {
  start: Set<string>;
  stopped: Set<string>;
  timersChanged: boolean;
}

/** The processor operations this module builds on (Processor.kernel()). */
export interface ControlKernel {
  readonly store: Store;
  readonly partition: number;
  readonly partitionCount: number;
  /** Completes an invocation with a failure (answers waiters and caller, releases the key). */
  complete(id: string, failure: WireFailure, now: number, fx: ControlEffects): void;
  /** Deletes a completed invocation as its retention timer would (a workflow run takes its key's state and promises). */
  purge(id: string): void;
  sendOutbox(to: number, msg: OutboxPayload, fx: ControlEffects): void;
}

export type { ControlTaskResult } from "./contract.js";

/** The failure of a killed invocation, as restate-server reports it. */
export const killedFailure: WireFailure = { code: 409, msg: "killed" };

const controlSchema = `
-- Attempt bookkeeping of an invocation (Restate: sys_invocation_state), written by the att command (K3).
CREATE TABLE IF NOT EXISTS sys_invocation_state (
  id                               TEXT PRIMARY KEY,
  retry_count                      INTEGER NOT NULL,
  retry_count_since_stored         INTEGER NOT NULL,
  last_failure_at                  INTEGER NOT NULL,
  next_retry_at                    INTEGER,
  last_failure                     TEXT,
  last_failure_error_code          INTEGER,
  last_failure_related_command_index INTEGER,
  last_failure_related_command_name  TEXT,
  last_failure_related_command_type  INTEGER
) WITHOUT ROWID;
`;

/** Columns added to sys_invocation_status after schema version 1 was written (added in place). */
const addedStatusColumns: readonly [name: string, type: string][] = [
  ["output_failure_metadata", "TEXT"],
  ["completion_failure_metadata", "TEXT"],
];

export interface AttemptStateRow {
  id: string;
  retry_count: number;
  retry_count_since_stored: number;
  last_failure_at: number;
  next_retry_at: number | null;
}

/** Statements of this module, prepared once per store. */
export interface ControlStatements {
  stateUpsert: Stmt;
  stateDelete: Stmt;
  stateOfInvoked: Stmt;
  setPaused: Stmt;
  setRunning: Stmt;
  repin: Stmt;
  journalOfType: Stmt;
  journalClear: Stmt;
  timersDeleteAll: Stmt;
  outputMeta: Stmt;
  completionMeta: Stmt;
  completionMetaGet: Stmt;
  outputMetaGet: Stmt;
}

const prepared = new WeakMap<Store, ControlStatements>();

/** Creates the table and columns of this module if missing, and prepares its statements. */
export function controlStatements(store: Store): ControlStatements {
  const existing = prepared.get(store);
  if (existing !== undefined) return existing;
  const db = store.db;
  db.exec(controlSchema);
  ensureColumns(db, "sys_invocation_status", addedStatusColumns);
  const p = (sql: string, pluck = false): Stmt => {
    const statement = db.prepare(sql);
    return pluck ? statement.pluck() : statement;
  };
  const statements: ControlStatements = {
    stateUpsert: p(`INSERT INTO sys_invocation_state (id, retry_count, retry_count_since_stored, last_failure_at, next_retry_at, last_failure,
      last_failure_error_code, last_failure_related_command_index, last_failure_related_command_name, last_failure_related_command_type)
      VALUES (@id, @n, @c, @now, @next, @msg, @code, @rci, @rcn, @rct)
      ON CONFLICT(id) DO UPDATE SET retry_count = excluded.retry_count, retry_count_since_stored = excluded.retry_count_since_stored,
      last_failure_at = excluded.last_failure_at, next_retry_at = excluded.next_retry_at, last_failure = excluded.last_failure,
      last_failure_error_code = excluded.last_failure_error_code, last_failure_related_command_index = excluded.last_failure_related_command_index,
      last_failure_related_command_name = excluded.last_failure_related_command_name,
      last_failure_related_command_type = excluded.last_failure_related_command_type`),
    stateDelete: p("DELETE FROM sys_invocation_state WHERE id = ?"),
    stateOfInvoked: p(`SELECT st.id, st.retry_count, st.retry_count_since_stored, st.last_failure_at, st.next_retry_at
      FROM sys_invocation_state st JOIN sys_invocation_status s ON s.id = st.id WHERE s.status = 'invoked'`),
    setPaused: p("UPDATE sys_invocation_status SET status = 'paused', modified_at = ? WHERE id = ?"),
    setRunning: p("UPDATE sys_invocation_status SET status = 'invoked', running_at = ?, modified_at = ?, suspended_future = NULL WHERE id = ?"),
    repin: p("UPDATE sys_invocation_status SET pinned_deployment_id = ? WHERE id = ?"),
    journalOfType: p(`SELECT raw FROM sys_journal WHERE id = ? AND entry_type = ? ORDER BY "index"`, true),
    journalClear: p("UPDATE sys_invocation_status SET journal_size = 0, journal_commands_size = 0, modified_at = ? WHERE id = ?"),
    // Not its retention (purge) timer: that one fires later and finds nothing (processor P9).
    timersDeleteAll: p("DELETE FROM sys_timer WHERE invocation_id = ? AND kind != 'purge'"),
    outputMeta: p("UPDATE sys_invocation_status SET output_failure_metadata = ? WHERE id = ?"),
    completionMeta: p("UPDATE sys_invocation_status SET completion_failure_metadata = ? WHERE id = ?"),
    completionMetaGet: p("SELECT completion_failure_metadata FROM sys_invocation_status WHERE id = ?", true),
    outputMetaGet: p("SELECT output_failure_metadata FROM sys_invocation_status WHERE id = ?", true),
  };
  prepared.set(store, statements);
  return statements;
}

function ensureColumns(db: Database.Database, table: string, columns: readonly [string, string][]): void {
  const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  for (const [name, type] of columns) if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
}

// ---- apply (inside the processor's transaction) ---------------------------------------------

/** Applies a `ctl` command (K1). Unknown or already-handled targets are ignored. */
export function applyControl(k: ControlKernel, id: string, op: ControlOp, deploymentId: string | undefined, now: number, fx: ControlEffects): void {
  const s = k.store.s;
  const c = controlStatements(k.store);
  const status = s.invStatus.get(id) as string | undefined;
  if (status === undefined) return;
  switch (op) {
    case "kill":
      kill(k, id, now, fx, new Set());
      return;
    case "pause":
      if (status !== "invoked" && status !== "suspended") return;
      c.setPaused.run(now, id);
      fx.stopped.add(id);
      return;
    case "resume":
      if (status !== "paused" && status !== "suspended" && status !== "invoked") return;
      if (deploymentId !== undefined) c.repin.run(deploymentId, id);
      c.stateDelete.run(id); // a manual resume starts a fresh retry policy
      if (status !== "invoked") c.setRunning.run(now, now, id);
      fx.start.add(id);
      return;
    case "purge":
      if (status !== "completed") return;
      k.purge(id);
      c.timersDeleteAll.run(id);
      c.stateDelete.run(id);
      fx.timersChanged = true;
      return;
    case "purge-journal":
      if (status !== "completed") return;
      s.journalDelete.run(id);
      c.journalClear.run(now, id);
      return;
  }
}

/** K2: completes `id` with {409, killed} and kills its children, depth first. */
function kill(k: ControlKernel, id: string, now: number, fx: ControlEffects, seen: Set<string>): void {
  if (seen.has(id)) return;
  seen.add(id);
  const status = k.store.s.invStatus.get(id) as string | undefined;
  if (status === undefined || status === "completed") return;
  const children = childrenOf(k.store, id);
  k.complete(id, killedFailure, now, fx);
  for (const child of children) {
    let target: number;
    try {
      target = partitionOf(invocationIdPartitionKey(parseInvocationId(child)), k.partitionCount);
    } catch {
      continue; // not an id this server minted: nothing to kill
    }
    if (target === k.partition) kill(k, child, now, fx, seen);
    else k.sendOutbox(target, { t: "ctl", id: child, op: "kill" }, fx);
  }
}

/** The invocations `id` created with Call or OneWayCall: its CallInvocationIdCompletion ids. */
export function childrenOf(store: Store, id: string): string[] {
  const raws = controlStatements(store).journalOfType.all(id, MessageType.CallInvocationIdCompletionNotification) as Uint8Array[];
  return raws.map((raw) => decodeProto(CallInvocationIdCompletionNotificationMessageSchema, raw).invocationId).filter((child) => child.length > 0);
}

/** Applies an `att` command (K3): records the counters and the failure, then pauses or fails. */
export function applyAttemptFailed(k: ControlKernel, command: AttemptFailed, fx: ControlEffects): void {
  const s = k.store.s;
  const c = controlStatements(k.store);
  if ((s.invStatus.get(command.id) as string | undefined) !== "invoked") return;
  c.stateUpsert.run({
    id: command.id,
    n: command.n,
    c: command.c,
    now: command.now,
    next: command.then === "retry" ? (command.next ?? null) : null,
    msg: describeFailure(command.code, command.msg),
    code: command.code,
    rci: command.rci ?? null,
    rcn: command.rcn ?? null,
    rct: command.rct ?? null,
  });
  s.invLastFailure.run(describeFailure(command.code, command.msg), command.code, command.id);
  if (command.then === "pause") {
    c.setPaused.run(command.now, command.id);
    fx.stopped.add(command.id);
  } else if (command.then === "fail") {
    k.complete(command.id, { code: command.code, msg: command.msg }, command.now, fx);
  }
}

/** Names of the failure codes an attempt ends with, as restate-server prefixes them in `last_failure`. */
const failureReasons: Readonly<Record<number, string>> = {
  500: "Internal",
  503: "Unavailable",
  570: "Journal mismatch",
  571: "Protocol violation",
  573: "Unsupported feature",
};

/** `last_failure` as restate-server shows it: `[570 Journal mismatch] message`. */
export function describeFailure(code: number, message: string): string {
  const reason = failureReasons[code];
  return `[${code}${reason === undefined ? "" : ` ${reason}`}] ${message}`;
}

// ---- failure metadata -----------------------------------------------------------------------

/** Stores the metadata of the Output failure an attempt sent (`{}` pairs as JSON), or clears it. */
export function setOutputFailureMetadata(store: Store, id: string, metadata: readonly { key: string; value: string }[] | undefined): void {
  const pairs = metadata === undefined || metadata.length === 0 ? null : JSON.stringify(metadata.map((m) => [m.key, m.value]));
  controlStatements(store).outputMeta.run(pairs, id);
}

/** The metadata of the Output failure stored for `id`, as WireFailure pairs. */
export function outputFailureMetadata(store: Store, id: string): [string, string][] | undefined {
  return parsePairs(controlStatements(store).outputMetaGet.get(id));
}

export function setCompletionFailureMetadata(store: Store, id: string, meta: [string, string][] | undefined): void {
  if (meta === undefined || meta.length === 0) return;
  controlStatements(store).completionMeta.run(JSON.stringify(meta), id);
}

/** The metadata of a completed invocation's failure, as the ingress shows it. */
export function completionFailureMetadata(store: Store, id: string): Record<string, string> | undefined {
  const pairs = parsePairs(controlStatements(store).completionMetaGet.get(id));
  return pairs === undefined ? undefined : Object.fromEntries(pairs);
}

function parsePairs(value: unknown): [string, string][] | undefined {
  if (typeof value !== "string") return undefined;
  const pairs = JSON.parse(value) as [string, string][];
  return pairs.length === 0 ? undefined : pairs;
}
