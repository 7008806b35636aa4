// cairn invocations list|describe|cancel|kill|purge|pause|resume.
//
// Listing and describing read `sys_invocation` and `sys_journal` through POST /query, as the
// official CLI does. The five operations PATCH /invocations/{id}/{operation} for explicit ids, or
// for every invocation a filter selects: then the targets are shown, the user confirms (or gave
// --yes), and a progress bar follows the requests, at most bulkConcurrencyMax in flight.

import { type Args, type OptionSpec } from "../args.js";
import { bulkConcurrencyMax, confirmPreviewRowsMax, defaultBulkLimit, defaultListLimit, journalEntriesMax, listLimitMax } from "../constants.js";
import { timeout, type CommandSpec, type Context } from "../context.js";
import { CliError, NotFoundError, PartialFailureError, UsageError } from "../errors.js";
import { apiError } from "../http-client.js";
import { sqlQuery, sqlString, timestampText, type Row } from "../sql-query.js";
import { cellText, renderFields, renderTable } from "../table.js";
import { confirm, ProgressBar } from "../terminal.js";

/** The computed statuses of sys_invocation (RESTATE-PROTOCOL.md §7.4). */
export const invocationStatuses = ["pending", "scheduled", "ready", "running", "suspended", "backing-off", "paused", "completed"] as const;

const filterOptions: readonly OptionSpec[] = [
  { name: "service", kind: "string", short: "s", value: "<name>", description: "only invocations of this service" },
  { name: "handler", kind: "string", value: "<name>", description: "only invocations of this handler" },
  { name: "key", kind: "string", short: "k", value: "<key>", description: "only invocations of this object or workflow key" },
  { name: "status", kind: "list", value: "<status>", description: `only these statuses (repeatable or comma-separated): ${invocationStatuses.join(", ")}` },
];

interface Filter {
  readonly clauses: string[];
  readonly given: boolean;
  readonly statusGiven: boolean;
}

function filterOf(args: Args): Filter {
  const clauses: string[] = [];
  const service = args.string("service");
  const handler = args.string("handler");
  const key = args.string("key");
  if (service !== undefined) clauses.push(`target_service_name = ${sqlString(service)}`);
  if (handler !== undefined) clauses.push(`target_handler_name = ${sqlString(handler)}`);
  if (key !== undefined) clauses.push(`target_service_key = ${sqlString(key)}`);
  const statuses = args.list("status").flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
  for (const status of statuses) {
    if (!(invocationStatuses as readonly string[]).includes(status)) throw new UsageError(`--status: unknown status '${status}' (one of ${invocationStatuses.join(", ")})`);
  }
  if (statuses.length > 0) clauses.push(`status IN (${statuses.map(sqlString).join(", ")})`);
  return { clauses, given: clauses.length > 0, statusGiven: statuses.length > 0 };
}

function where(clauses: readonly string[]): string {
  return clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
}

function checkId(id: string): string {
  if (!/^inv_[0-9A-Za-z]+$/.test(id)) throw new UsageError(`not an invocation id: '${id}' (expected inv_…)`);
  return id;
}

const listColumns =
  "id, target, target_service_name, target_service_key, target_handler_name, status, created_at, modified_at, retry_count, last_failure, completion_result";

interface InvocationSummary {
  id: string;
  target: string;
  status: string;
  created_at: string | null;
  modified_at: string | null;
  retry_count: number;
  last_failure: string | null;
  completion_result: string | null;
}

function summary(row: Row): InvocationSummary {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : cellText(v));
  return {
    id: cellText(row.id),
    target: cellText(row.target),
    status: cellText(row.status),
    created_at: timestampText(row.created_at) ?? null,
    modified_at: timestampText(row.modified_at) ?? null,
    retry_count: typeof row.retry_count === "number" ? row.retry_count : Number(row.retry_count ?? 0),
    last_failure: text(row.last_failure),
    completion_result: text(row.completion_result),
  };
}

function summaryTable(context: Context, rows: readonly InvocationSummary[]): string {
  return renderTable(
    context.style,
    ["ID", "TARGET", "STATUS", "CREATED", "RETRIES", "LAST FAILURE"],
    rows.map((r) => [r.id, r.target, context.style.status(r.status), r.created_at, r.retry_count === 0 ? "" : r.retry_count, r.last_failure]),
  );
}

// --- bulk operations --------------------------------------------------------------------------

interface Operation {
  readonly name: "cancel" | "kill" | "purge" | "pause" | "resume";
  readonly past: string;
  readonly summary: string;
  /** Status clause used when a filter gives no --status (which invocations the operation fits). */
  readonly defaultStatus: string;
}

const operations: readonly Operation[] = [
  { name: "cancel", past: "Cancelled", summary: "Cancel invocations: the handler sees a cancellation and may clean up (compensate)", defaultStatus: "status != 'completed'" },
  { name: "kill", past: "Killed", summary: "Kill invocations at once, without running any more handler code", defaultStatus: "status != 'completed'" },
  { name: "purge", past: "Purged", summary: "Delete completed invocations: status, journal and retained result", defaultStatus: "status = 'completed'" },
  { name: "pause", past: "Paused", summary: "Pause invocations: no new attempt runs until they are resumed", defaultStatus: "status NOT IN ('completed', 'paused')" },
  { name: "resume", past: "Resumed", summary: "Resume paused (or backing-off) invocations now", defaultStatus: "status IN ('paused', 'backing-off', 'suspended')" },
];

interface Outcome {
  readonly id: string;
  readonly ok: boolean;
  readonly status: number;
  readonly message?: string;
}

async function applyOne(context: Context, operation: Operation, id: string): Promise<Outcome> {
  const path = `/invocations/${encodeURIComponent(id)}/${operation.name}`;
  try {
    const response = await context.admin.request("PATCH", path, timeout(context));
    if (response.status >= 200 && response.status <= 299) return { id, ok: true, status: response.status };
    return { id, ok: false, status: response.status, message: apiError(response, "PATCH", path).message };
  } catch (error) {
    if (error instanceof CliError) return { id, ok: false, status: 0, message: error.message };
    throw error;
  }
}

async function runOperation(context: Context, operation: Operation, args: Args): Promise<void> {
  const filter = filterOf(args);
  const ids = args.rest.map(checkId);
  if (ids.length > 0 && filter.given) throw new UsageError("give invocation ids or filter options, not both");
  if (ids.length === 0 && !filter.given) throw new UsageError(`'invocations ${operation.name}' needs invocation ids or a filter (--service, --handler, --key, --status)`);
  const limit = args.integer("limit", defaultBulkLimit, listLimitMax);

  // One explicit id: no prompt, and the server's answer is the command's answer.
  if (ids.length === 1 && ids[0] !== undefined) {
    const path = `/invocations/${encodeURIComponent(ids[0])}/${operation.name}`;
    const response = await context.admin.request("PATCH", path, timeout(context));
    if (response.status < 200 || response.status > 299) throw apiError(response, "PATCH", path);
    if (context.json) return context.printJson({ operation: operation.name, succeeded: [ids[0]], failed: [] });
    return context.out(`${operation.past} ${ids[0]}\n`);
  }

  let targets: InvocationSummary[];
  if (ids.length > 0) {
    targets = ids.map((id) => ({ id, target: "", status: "", created_at: null, modified_at: null, retry_count: 0, last_failure: null, completion_result: null }));
  } else {
    const clauses = filter.statusGiven ? filter.clauses : [...filter.clauses, operation.defaultStatus];
    const rows = await sqlQuery(context, `SELECT ${listColumns} FROM sys_invocation${where(clauses)} ORDER BY created_at, id LIMIT ${limit + 1}`);
    targets = rows.map(summary);
    if (targets.length > limit) {
      context.note(`More than ${limit} invocations match; this run takes the oldest ${limit} (raise --limit, up to ${listLimitMax}, or run again).`);
      targets = targets.slice(0, limit);
    }
  }
  if (targets.length === 0) {
    if (context.json) return context.printJson({ operation: operation.name, succeeded: [], failed: [] });
    return context.out(`No invocations match; nothing to ${operation.name}.\n`);
  }
  if (!context.yes) {
    const preview = targets.slice(0, confirmPreviewRowsMax);
    const shown = targets[0]?.target === "" ? preview.map((t) => `  ${t.id}\n`).join("") : summaryTable({ ...context, style: context.errStyle }, preview);
    context.terminal.stderr.write(shown);
    if (targets.length > preview.length) context.terminal.stderr.write(`  … and ${targets.length - preview.length} more\n`);
  }
  await confirm(context.terminal, context.errStyle, `${operation.name[0]?.toUpperCase() ?? ""}${operation.name.slice(1)} ${targets.length} invocation${targets.length === 1 ? "" : "s"}?`, context.yes);

  const bar = new ProgressBar(context.terminal.stderr, context.errStyle, operation.name, targets.length, context.progress);
  bar.start();
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const target = targets[next++];
      if (target === undefined) break;
      const outcome = await applyOne(context, operation, target.id);
      outcomes.push(outcome);
      bar.tick(outcome.ok);
    }
  };
  await Promise.all(Array.from({ length: Math.min(bulkConcurrencyMax, targets.length) }, worker));
  bar.finish();

  const succeeded = outcomes.filter((o) => o.ok).map((o) => o.id);
  const failed = outcomes.filter((o) => !o.ok).map((o) => ({ id: o.id, status: o.status, message: o.message ?? "" }));
  if (context.json) context.printJson({ operation: operation.name, succeeded, failed });
  else {
    context.out(`${operation.past} ${succeeded.length} of ${targets.length} invocation${targets.length === 1 ? "" : "s"}\n`);
    for (const f of failed) context.note(context.errStyle.red(`  ${f.id}: ${f.message}`));
  }
  if (failed.length > 0) throw new PartialFailureError(`${failed.length} of ${targets.length} invocations could not be ${operation.past.toLowerCase()}`);
}

// --- commands ---------------------------------------------------------------------------------

export const invocationCommands: readonly CommandSpec[] = [
  {
    path: ["invocations", "list"],
    summary: "List invocations, newest first (completed ones only with --all or --status completed)",
    positionals: [],
    options: [
      ...filterOptions,
      { name: "all", kind: "boolean", short: "a", description: "include completed invocations" },
      { name: "limit", kind: "string", value: "<n>", description: `at most n rows (default ${defaultListLimit}, max ${listLimitMax})` },
    ],
    examples: ["cairn invocations list", "cairn invocations list --service Greeter --status running,suspended", "cairn invocations list --all --json"],
    async run(context, args) {
      const filter = filterOf(args);
      const limit = args.integer("limit", defaultListLimit, listLimitMax);
      const clauses = filter.statusGiven || args.flag("all") ? filter.clauses : [...filter.clauses, "status != 'completed'"];
      const rows = (await sqlQuery(context, `SELECT ${listColumns} FROM sys_invocation${where(clauses)} ORDER BY created_at DESC, id LIMIT ${limit}`)).map(summary);
      if (context.json) return context.printJson(rows);
      if (rows.length === 0) return context.out(filter.statusGiven || args.flag("all") ? "No invocations match.\n" : "No active invocations match (add --all for completed ones).\n");
      context.out(summaryTable(context, rows));
      context.out(context.style.dim(`${rows.length} invocation${rows.length === 1 ? "" : "s"}${rows.length === limit ? ` (limit ${limit} reached)` : ""}\n`));
    },
  },
  {
    path: ["invocations", "describe"],
    summary: "Show one invocation: target, status, failures, deployment and its journal",
    positionals: [{ name: "id", required: true, description: "invocation id (inv_…)" }],
    options: [],
    examples: ["cairn invocations describe inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwI"],
    async run(context, args) {
      const id = checkId(args.positional.id ?? "");
      const [row] = await sqlQuery(context, `SELECT * FROM sys_invocation WHERE id = ${sqlString(id)} LIMIT 1`);
      if (row === undefined) throw new NotFoundError(`no invocation ${id} (unknown, or completed and no longer retained)`);
      const journal = await sqlQuery(
        context,
        `SELECT "index", entry_type, name, completed, invoked_target, sleep_wakeup_at, appended_at FROM sys_journal WHERE id = ${sqlString(id)} ORDER BY "index" LIMIT ${journalEntriesMax}`,
      );
      if (context.json) return context.printJson({ ...row, journal });
      const text = (v: unknown): string | undefined => (v === null || v === undefined || v === "" ? undefined : cellText(v));
      const status = cellText(row.status);
      context.out(
        renderFields(context.style, [
          ["ID", id],
          ["Target", text(row.target)],
          ["Status", context.style.status(status)],
          ["Created at", timestampText(row.created_at)],
          ["Modified at", timestampText(row.modified_at)],
          ["Invoked by", text(row.invoked_by_target) ?? text(row.invoked_by)],
          ["Idempotency key", text(row.idempotency_key)],
          ["Deployment", text(row.pinned_deployment_id) ?? text(row.last_attempt_deployment_id)],
          ["Retries", row.retry_count === 0 ? undefined : text(row.retry_count)],
          ["Next retry at", timestampText(row.next_retry_at)],
          ["Last failure", text(row.last_failure)],
          ["Last failure code", text(row.last_failure_error_code)],
          ["Result", text(row.completion_result)],
          ["Failure", text(row.completion_failure)],
        ]),
      );
      context.out("\n");
      if (journal.length === 0) return context.out("Journal: empty (or no longer retained)\n");
      context.out(
        renderTable(
          context.style,
          ["#", "ENTRY", "NAME", "COMPLETED", "DETAIL", "APPENDED"],
          journal.map((e) => [
            cellText(e.index),
            cellText(e.entry_type),
            cellText(e.name),
            e.completed === undefined || e.completed === null ? "" : cellText(e.completed),
            text(e.invoked_target) ?? (e.sleep_wakeup_at === undefined || e.sleep_wakeup_at === null ? "" : `until ${timestampText(e.sleep_wakeup_at) ?? ""}`),
            timestampText(e.appended_at),
          ]),
        ),
      );
    },
  },
  ...operations.map(
    (operation): CommandSpec => ({
      path: ["invocations", operation.name],
      summary: operation.summary,
      details:
        "Give invocation ids, or filter options to select invocations in bulk. A bulk selection is shown and " +
        "must be confirmed (or --yes); a progress bar follows on a terminal. Without --status, a filter selects " +
        `the invocations this operation applies to (${operation.defaultStatus}).`,
      positionals: [{ name: "id", required: false, variadic: true, description: "invocation ids (inv_…)" }],
      options: [...filterOptions, { name: "limit", kind: "string", value: "<n>", description: `at most n invocations per run (default ${defaultBulkLimit}, max ${listLimitMax})` }],
      examples: [`cairn invocations ${operation.name} inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwI`, `cairn invocations ${operation.name} --service Greeter --handler greet`, `cairn invocations ${operation.name} --service Cart --key alice --yes`],
      run: (context, args) => runOperation(context, operation, args),
    }),
  ),
];

