// The partition store: SQLite (better-sqlite3), one database per partition, derived from the log.
//
// Owns: the schema, the prepared statements, the applied LSN. Does not own: what a command does
// (processor.ts) or when records are applied (partition.ts).
//
// T1. The store is derived state (D2): `meta.applied_lsn` is written in the same transaction as
//     the changes applied up to it, so a reopened store replays exactly the records after it.
// T2. WAL mode with synchronous=NORMAL: a crash may lose the last committed transactions but never
//     tears one; the lost tail is replayed from the log.
// T3. Tables follow Restate's introspection model (sys_invocation_status, sys_journal, state,
//     sys_inbox, sys_keyed_service_status, sys_timer, sys_outbox, sys_idempotency, sys_promise),
//     so SQL introspection can map onto them.
// T4. `meta` values are read through a write-through cache: only this Store writes the table, and
//     a transaction that throws leaves the partition stopped (it is not used again until reopened),
//     so the cache never outlives a rolled-back write that anyone reads.
// T5. Writes may be group-committed: `begin()` opens a write transaction that later applies join
//     (a `db.transaction()` inside it runs as a savepoint) until `commit()` or `rollback()`. Only
//     this connection sees the uncommitted rows; `close()` commits first, since closing a
//     connection with an open transaction rolls it back. `rollback()` also forgets the meta cache.
import Database from "better-sqlite3";
import { StoreCorruptError } from "./errors.js";

/** Version of the schema below; a store written by another version is refused, not migrated. */
export const storeSchemaVersion = 2;

const schema = `
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per invocation known to the partition (Restate: sys_invocation_status).
-- status: inboxed | scheduled | invoked | suspended | paused | completed
CREATE TABLE IF NOT EXISTS sys_invocation_status (
  id                              TEXT PRIMARY KEY,
  partition_key                   TEXT NOT NULL,
  status                          TEXT NOT NULL,
  target_service_name             TEXT NOT NULL,
  target_handler_name             TEXT NOT NULL,
  target_service_key              TEXT,
  target_service_ty               TEXT NOT NULL,
  target_handler_ty               TEXT,
  invoked_by                      TEXT NOT NULL,
  invoked_by_id                   TEXT,
  caller_partition                INTEGER,
  caller_completion_id            INTEGER,
  idempotency_key                 TEXT,
  trace_parent                    TEXT,
  trace_state                     TEXT,
  pinned_deployment_id            TEXT,
  pinned_service_protocol_version INTEGER,
  journal_size                    INTEGER NOT NULL DEFAULT 0,
  journal_commands_size           INTEGER NOT NULL DEFAULT 0,
  created_at                      INTEGER NOT NULL,
  modified_at                     INTEGER NOT NULL,
  inboxed_at                      INTEGER,
  scheduled_start_at              INTEGER,
  running_at                      INTEGER,
  completed_at                    INTEGER,
  journal_modified_at             INTEGER NOT NULL,
  suspended_future                BLOB,
  output_kind                     TEXT,
  output_value                    BLOB,
  output_failure_code             INTEGER,
  output_failure_message          TEXT,
  completion_result               TEXT,
  completion_value                BLOB,
  completion_failure_code         INTEGER,
  completion_failure_message      TEXT,
  completion_expires_at           INTEGER,
  last_failure                    TEXT,
  last_failure_error_code         INTEGER,
  completion_retention_ms         INTEGER
);
CREATE INDEX IF NOT EXISTS sys_invocation_status_by_status ON sys_invocation_status (status);

-- The journal of every invocation, raw entries as stored and replayed (Restate: sys_journal).
CREATE TABLE IF NOT EXISTS sys_journal (
  id            TEXT NOT NULL,
  "index"       INTEGER NOT NULL,
  entry_type    INTEGER NOT NULL,
  raw           BLOB NOT NULL,
  completion_id INTEGER,
  signal_index  INTEGER,
  signal_name   TEXT,
  failed        INTEGER NOT NULL DEFAULT 0,
  appended_at   INTEGER NOT NULL,
  PRIMARY KEY (id, "index")
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sys_journal_by_completion ON sys_journal (id, completion_id) WHERE completion_id IS NOT NULL;

-- Virtual-object and workflow state (Restate: state).
CREATE TABLE IF NOT EXISTS state (
  service_name TEXT NOT NULL,
  service_key  TEXT NOT NULL,
  key          BLOB NOT NULL,
  value        BLOB NOT NULL,
  PRIMARY KEY (service_name, service_key, key)
) WITHOUT ROWID;

-- Which invocation holds a key's exclusive lock (Restate: sys_keyed_service_status).
CREATE TABLE IF NOT EXISTS sys_keyed_service_status (
  service_name  TEXT NOT NULL,
  service_key   TEXT NOT NULL,
  invocation_id TEXT NOT NULL,
  PRIMARY KEY (service_name, service_key)
) WITHOUT ROWID;

-- Exclusive invocations waiting for their key's lock, in arrival order (Restate: sys_inbox).
CREATE TABLE IF NOT EXISTS sys_inbox (
  service_name    TEXT NOT NULL,
  service_key     TEXT NOT NULL,
  sequence_number INTEGER NOT NULL,
  id              TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (service_name, service_key, sequence_number)
) WITHOUT ROWID;

-- Durable timers: sleeps, delayed invocations, retention clean-up.
-- kind: sleep | invoke | purge
CREATE TABLE IF NOT EXISTS sys_timer (
  seq           INTEGER PRIMARY KEY,
  fire_at       INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  invocation_id TEXT NOT NULL,
  completion_id INTEGER
);
CREATE INDEX IF NOT EXISTS sys_timer_by_fire_at ON sys_timer (fire_at, seq);
-- Completing an invocation deletes its pending timers (sleeps, a scheduled start) through this
-- index; without it, a scan of every retention (purge) timer, a table that grows by one row per
-- completion. Purge timers stay out of it: an entry keyed by a random invocation id would dirty a
-- random index page (one more WAL frame) per completion, and nothing looks them up by id (a purge
-- timer that outlived its invocation finds nothing to purge, processor P9).
DROP INDEX IF EXISTS sys_timer_by_invocation;
CREATE INDEX IF NOT EXISTS sys_timer_pending_by_invocation ON sys_timer (invocation_id) WHERE kind != 'purge';

-- Messages to other partitions, until the receiver acknowledged them durable.
CREATE TABLE IF NOT EXISTS sys_outbox (
  seq          INTEGER PRIMARY KEY,
  to_partition INTEGER NOT NULL,
  payload      BLOB NOT NULL
);

-- Outbox messages received from other partitions, for deduplication on (from, seq).
CREATE TABLE IF NOT EXISTS sys_outbox_dedup (
  from_partition INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  PRIMARY KEY (from_partition, seq)
) WITHOUT ROWID;

-- Idempotency keys to invocation ids (Restate: sys_idempotency).
CREATE TABLE IF NOT EXISTS sys_idempotency (
  service_name    TEXT NOT NULL,
  service_key     TEXT NOT NULL,
  service_handler TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  invocation_id   TEXT NOT NULL,
  PRIMARY KEY (service_name, service_key, service_handler, idempotency_key)
) WITHOUT ROWID;

-- Workflow durable promises (Restate: sys_promise).
CREATE TABLE IF NOT EXISTS sys_promise (
  service_name               TEXT NOT NULL,
  service_key                TEXT NOT NULL,
  key                        TEXT NOT NULL,
  completed                  INTEGER NOT NULL,
  completion_success_value   BLOB,
  completion_failure_code    INTEGER,
  completion_failure_message TEXT,
  completion_failure_metadata BLOB,
  PRIMARY KEY (service_name, service_key, key)
) WITHOUT ROWID;

-- Invocations blocked in GetPromise on a promise that is not completed yet.
CREATE TABLE IF NOT EXISTS sys_promise_waiter (
  service_name  TEXT NOT NULL,
  service_key   TEXT NOT NULL,
  key           TEXT NOT NULL,
  invocation_id TEXT NOT NULL,
  completion_id INTEGER NOT NULL,
  PRIMARY KEY (service_name, service_key, key, invocation_id, completion_id)
) WITHOUT ROWID;

-- Invocations (of any partition) to notify when an invocation of this partition completes:
-- AttachInvocation commands and duplicate idempotent calls. notification_type is the journal
-- entry type the waiter gets (AttachInvocationCompletion or CallCompletion).
CREATE TABLE IF NOT EXISTS sys_completion_waiter (
  target_id         TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  caller_id         TEXT NOT NULL,
  caller_partition  INTEGER NOT NULL,
  completion_id     INTEGER NOT NULL,
  notification_type INTEGER NOT NULL,
  PRIMARY KEY (target_id, seq)
) WITHOUT ROWID;
`;

/** The columns of Store.s.invJournalGet. */
export type JournalHeadRow = Pick<
  InvocationRow,
  "id" | "status" | "journal_size" | "journal_commands_size" | "target_service_name" | "target_service_key" | "trace_parent" | "trace_state"
>;

/** The columns of Store.s.invEndGet: what completing an invocation reads, and its output. */
export type EndRow = Pick<
  InvocationRow,
  | "status"
  | "completion_retention_ms"
  | "caller_completion_id"
  | "invoked_by_id"
  | "caller_partition"
  | "target_service_name"
  | "target_handler_name"
  | "target_service_key"
  | "trace_parent"
  | "trace_state"
  | "created_at"
  | "output_kind"
  | "output_value"
  | "output_failure_code"
  | "output_failure_message"
>;

export interface InvocationRow {
  id: string;
  partition_key: string;
  status: string;
  target_service_name: string;
  target_handler_name: string;
  target_service_key: string | null;
  target_service_ty: string;
  target_handler_ty: string | null;
  invoked_by: string;
  invoked_by_id: string | null;
  caller_partition: number | null;
  caller_completion_id: number | null;
  idempotency_key: string | null;
  trace_parent: string | null;
  trace_state: string | null;
  pinned_deployment_id: string | null;
  pinned_service_protocol_version: number | null;
  journal_size: number;
  journal_commands_size: number;
  created_at: number;
  modified_at: number;
  journal_modified_at: number;
  suspended_future: Uint8Array | null;
  output_kind: string | null;
  output_value: Uint8Array | null;
  output_failure_code: number | null;
  output_failure_message: string | null;
  completion_result: string | null;
  completion_value: Uint8Array | null;
  completion_failure_code: number | null;
  completion_failure_message: string | null;
  completion_expires_at: number | null;
  completion_retention_ms: number | null;
}

export interface JournalRow {
  index: number;
  entry_type: number;
  raw: Uint8Array;
}

export interface TimerRow {
  seq: number;
  fire_at: number;
  kind: string;
  invocation_id: string;
  completion_id: number | null;
}

/** The part of a prepared statement the processor uses (named here so declarations can name it). */
export interface Stmt {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const p = (sql: string, pluck = false): Stmt => {
    const statement = db.prepare(sql);
    return pluck ? statement.pluck() : statement;
  };
  return {
    metaGet: p("SELECT value FROM meta WHERE name = ?", true),
    metaSet: p("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"),
    invGet: p("SELECT * FROM sys_invocation_status WHERE id = ?"),
    invSizes: p("SELECT journal_size, journal_commands_size FROM sys_invocation_status WHERE id = ?"),
    invStatus: p("SELECT status FROM sys_invocation_status WHERE id = ?", true),
    invInsert: p(`INSERT INTO sys_invocation_status (id, partition_key, status, target_service_name, target_handler_name,
      target_service_key, target_service_ty, target_handler_ty, invoked_by, invoked_by_id, caller_partition, caller_completion_id,
      idempotency_key, trace_parent, trace_state, created_at, modified_at, inboxed_at, scheduled_start_at, running_at, journal_modified_at,
      journal_size, journal_commands_size, completion_retention_ms)
      VALUES (@id, @partition_key, @status, @svc, @hnd, @key, @sty, @hty, @invoked_by, @invoked_by_id, @caller_partition,
      @caller_completion_id, @ik, @tp, @ts, @now, @now, @inboxed_at, @scheduled_start_at, @running_at, @now, 1, 1, @ret)`),
    invSetStatus: p("UPDATE sys_invocation_status SET status = ?, modified_at = ? WHERE id = ?"),
    invSetRunning: p("UPDATE sys_invocation_status SET status = 'invoked', running_at = ?, modified_at = ?, suspended_future = NULL WHERE id = ?"),
    invSuspend: p("UPDATE sys_invocation_status SET status = 'suspended', suspended_future = ?, modified_at = ? WHERE id = ?"),
    invPin: p("UPDATE sys_invocation_status SET pinned_deployment_id = ?, pinned_service_protocol_version = ? WHERE id = ? AND pinned_deployment_id IS NULL"),
    invJournalSizes: p("UPDATE sys_invocation_status SET journal_size = ?, journal_commands_size = ?, journal_modified_at = ?, modified_at = ? WHERE id = ?"),
    invOutput: p("UPDATE sys_invocation_status SET output_kind = ?, output_value = ?, output_failure_code = ?, output_failure_message = ? WHERE id = ?"),
    invComplete: p(`UPDATE sys_invocation_status SET status = 'completed', completion_result = ?, completion_value = ?,
      completion_failure_code = ?, completion_failure_message = ?, completed_at = ?, modified_at = ?, completion_expires_at = ?,
      suspended_future = NULL WHERE id = ?`),
    invLastFailure: p("UPDATE sys_invocation_status SET last_failure = ?, last_failure_error_code = ? WHERE id = ?"),
    invDelete: p("DELETE FROM sys_invocation_status WHERE id = ?"),
    /** The columns an attempt starts from (#startAttempt), not the whole row with its blobs. */
    invStartGet: p(`SELECT status, target_service_name, target_handler_name, target_service_key, target_service_ty,
      pinned_deployment_id, pinned_service_protocol_version, journal_modified_at, idempotency_key, trace_parent, trace_state
      FROM sys_invocation_status WHERE id = ?`),
    /** The columns a Journal record reads first (processor #journal, #effectOf). */
    invJournalGet: p(`SELECT id, status, journal_size, journal_commands_size, target_service_name, target_service_key, trace_parent, trace_state
      FROM sys_invocation_status WHERE id = ?`),
    /** The columns completing an invocation reads (processor #complete), and its output (at End). */
    invEndGet: p(`SELECT status, completion_retention_ms, caller_completion_id, invoked_by_id, caller_partition, target_service_name,
      target_handler_name, target_service_key, trace_parent, trace_state, created_at,
      output_kind, output_value, output_failure_code, output_failure_message
      FROM sys_invocation_status WHERE id = ?`),
    invByStatus: p("SELECT id FROM sys_invocation_status WHERE status = ?", true),
    invCountActive: p("SELECT COUNT(*) FROM sys_invocation_status WHERE status != 'completed'", true),
    journalInsert: p(`INSERT INTO sys_journal (id, "index", entry_type, raw, completion_id, signal_index, signal_name, failed, appended_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    journalAll: p(`SELECT "index", entry_type, raw FROM sys_journal WHERE id = ? ORDER BY "index"`),
    journalCompletion: p("SELECT failed FROM sys_journal WHERE id = ? AND completion_id = ? LIMIT 1", true),
    journalSignal: p("SELECT failed FROM sys_journal WHERE id = ? AND signal_index = ? LIMIT 1", true),
    journalNamedSignal: p("SELECT failed FROM sys_journal WHERE id = ? AND signal_name = ? LIMIT 1", true),
    journalDelete: p("DELETE FROM sys_journal WHERE id = ?"),
    stateGet: p("SELECT value FROM state WHERE service_name = ? AND service_key = ? AND key = ?", true),
    stateAll: p("SELECT key, value FROM state WHERE service_name = ? AND service_key = ? ORDER BY key"),
    stateKeys: p("SELECT key FROM state WHERE service_name = ? AND service_key = ? ORDER BY key", true),
    stateSet: p(`INSERT INTO state (service_name, service_key, key, value) VALUES (?, ?, ?, ?)
      ON CONFLICT(service_name, service_key, key) DO UPDATE SET value = excluded.value`),
    stateClear: p("DELETE FROM state WHERE service_name = ? AND service_key = ? AND key = ?"),
    stateClearAll: p("DELETE FROM state WHERE service_name = ? AND service_key = ?"),
    lockGet: p("SELECT invocation_id FROM sys_keyed_service_status WHERE service_name = ? AND service_key = ?", true),
    lockSet: p("INSERT INTO sys_keyed_service_status (service_name, service_key, invocation_id) VALUES (?, ?, ?)"),
    lockDelete: p("DELETE FROM sys_keyed_service_status WHERE service_name = ? AND service_key = ?"),
    inboxInsert: p("INSERT INTO sys_inbox (service_name, service_key, sequence_number, id, created_at) VALUES (?, ?, ?, ?, ?)"),
    inboxHead: p("SELECT sequence_number, id FROM sys_inbox WHERE service_name = ? AND service_key = ? ORDER BY sequence_number LIMIT 1"),
    inboxDelete: p("DELETE FROM sys_inbox WHERE service_name = ? AND service_key = ? AND sequence_number = ?"),
    inboxDeleteId: p("DELETE FROM sys_inbox WHERE id = ?"),
    inboxLength: p("SELECT COUNT(*) FROM sys_inbox WHERE service_name = ? AND service_key = ?", true),
    timerInsert: p("INSERT INTO sys_timer (seq, fire_at, kind, invocation_id, completion_id) VALUES (?, ?, ?, ?, ?)"),
    timerGet: p("SELECT * FROM sys_timer WHERE seq = ?"),
    timerDelete: p("DELETE FROM sys_timer WHERE seq = ?"),
    timerDeleteFor: p("DELETE FROM sys_timer WHERE invocation_id = ? AND kind != 'purge'"),
    timersDue: p("SELECT seq, fire_at FROM sys_timer WHERE fire_at <= ? ORDER BY fire_at, seq LIMIT ?"),
    timerNextAfter: p("SELECT MIN(fire_at) FROM sys_timer WHERE fire_at > ?", true),
    outboxInsert: p("INSERT INTO sys_outbox (seq, to_partition, payload) VALUES (?, ?, ?)"),
    outboxDelete: p("DELETE FROM sys_outbox WHERE seq = ?"),
    outboxMinSeq: p("SELECT MIN(seq) FROM sys_outbox", true),
    outboxFrom: p("SELECT seq, to_partition, payload FROM sys_outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
    dedupHas: p("SELECT 1 FROM sys_outbox_dedup WHERE from_partition = ? AND seq = ?", true),
    dedupInsert: p("INSERT INTO sys_outbox_dedup (from_partition, seq) VALUES (?, ?)"),
    dedupPrune: p("DELETE FROM sys_outbox_dedup WHERE from_partition = ? AND seq < ?"),
    idempotencyGet: p("SELECT invocation_id FROM sys_idempotency WHERE service_name = ? AND service_key = ? AND service_handler = ? AND idempotency_key = ?", true),
    idempotencyInsert: p("INSERT OR REPLACE INTO sys_idempotency (service_name, service_key, service_handler, idempotency_key, invocation_id) VALUES (?, ?, ?, ?, ?)"),
    idempotencyDeleteFor: p("DELETE FROM sys_idempotency WHERE invocation_id = ?"),
    promiseGet: p(`SELECT completed, completion_success_value, completion_failure_code, completion_failure_message, completion_failure_metadata
      FROM sys_promise WHERE service_name = ? AND service_key = ? AND key = ?`),
    promiseComplete: p(`INSERT INTO sys_promise (service_name, service_key, key, completed, completion_success_value, completion_failure_code,
      completion_failure_message, completion_failure_metadata) VALUES (?, ?, ?, 1, ?, ?, ?, ?)`),
    promiseDeleteAll: p("DELETE FROM sys_promise WHERE service_name = ? AND service_key = ?"),
    promiseWaiterInsert: p("INSERT OR IGNORE INTO sys_promise_waiter (service_name, service_key, key, invocation_id, completion_id) VALUES (?, ?, ?, ?, ?)"),
    promiseWaiters: p("SELECT invocation_id, completion_id FROM sys_promise_waiter WHERE service_name = ? AND service_key = ? AND key = ?"),
    promiseWaitersDelete: p("DELETE FROM sys_promise_waiter WHERE service_name = ? AND service_key = ? AND key = ?"),
    promiseWaitersDeleteAll: p("DELETE FROM sys_promise_waiter WHERE service_name = ? AND service_key = ?"),
    waiterInsert: p(`INSERT INTO sys_completion_waiter (target_id, seq, caller_id, caller_partition, completion_id, notification_type)
      VALUES (?, ?, ?, ?, ?, ?)`),
    waitersOf: p("SELECT caller_id, caller_partition, completion_id, notification_type FROM sys_completion_waiter WHERE target_id = ? ORDER BY seq"),
    waitersDelete: p("DELETE FROM sys_completion_waiter WHERE target_id = ?"),
  };
}

/** The store of one partition and its prepared statements (prepared once, T-hot path). */
export class Store {
  readonly db: Database.Database;
  readonly s: Statements;
  /** T4: meta values already read or written (undefined: known to be absent). */
  readonly #meta = new Map<string, number | undefined>();
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;

  private constructor(db: Database.Database) {
    this.db = db;
    this.s = prepareStatements(db);
    this.#begin = db.prepare("BEGIN");
    this.#commit = db.prepare("COMMIT");
  }


  /** Opens (creating) the store at `path` with the pragmas of T2 and checks its schema version. */
  static open(path: string): Store {
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = OFF");
    db.defaultSafeIntegers(false);
    db.exec(schema);
    const store = new Store(db);
    const version = store.meta("schema_version");
    if (version === undefined) store.setMeta("schema_version", storeSchemaVersion);
    else if (version !== storeSchemaVersion) {
      db.close();
      throw new StoreCorruptError(`store ${path} has schema version ${version}; this build reads version ${storeSchemaVersion}`);
    }
    return store;
  }

  meta(name: string): number | undefined {
    if (this.#meta.has(name)) return this.#meta.get(name);
    const value = this.s.metaGet.get(name) as number | undefined;
    this.#meta.set(name, value);
    return value;
  }

  setMeta(name: string, value: number): void {
    this.s.metaSet.run(name, value);
    this.#meta.set(name, value);
  }

  /** The next value of a counter kept in `meta` (timer, inbox and outbox sequence numbers). */
  nextSeq(name: string): number {
    const next = (this.meta(name) ?? 0) + 1;
    this.setMeta(name, next);
    return next;
  }

  get appliedLsn(): number {
    return this.meta("applied_lsn") ?? 0;
  }

  /** T5: opens a write transaction if none is open; returns whether this call opened it. */
  begin(): boolean {
    if (this.db.inTransaction) return false;
    this.#begin.run();
    return true;
  }

  /** T5: commits the open write transaction, if any. */
  commit(): void {
    if (this.db.inTransaction) this.#commit.run();
  }

  /** T5: rolls the open write transaction back, if any, and forgets the cached meta values (T4). */
  rollback(): void {
    this.#meta.clear();
    if (this.db.inTransaction) this.db.exec("ROLLBACK");
  }

  /** Commits what is open (T5), then closes. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.commit();
    } finally {
      this.db.close();
    }
  }
}
