// cairn sql "<query>": any SQL the server's POST /query accepts, printed as a table or as JSON.

import type { CommandSpec } from "../context.js";
import { UsageError } from "../errors.js";
import { sqlQuery } from "../sql-query.js";
import { renderTable } from "../table.js";

export const sqlCommands: readonly CommandSpec[] = [
  {
    path: ["sql"],
    summary: "Run a SQL query over the introspection tables (sys_invocation, sys_journal, state, …)",
    details: "Tables and columns: RESTATE-PROTOCOL.md §7.4. Rows come back as the server's JSON (binary columns as hex).",
    positionals: [{ name: "query", required: true, description: "the SQL text (quote it for the shell)" }],
    options: [],
    examples: [`cairn sql "SELECT id, status FROM sys_invocation WHERE target_service_name = 'Greeter'"`, `cairn sql "SELECT service_key, key FROM state" --json`],
    async run(context, args) {
      const query = args.positional.query ?? "";
      if (query.trim() === "") throw new UsageError("<query> is empty");
      const rows = await sqlQuery(context, query);
      if (context.json) return context.printJson(rows);
      if (rows.length === 0) return context.out("0 rows\n");
      // Columns in first-seen order: the JSON writer omits null columns from a row.
      const columns: string[] = [];
      const seen = new Set<string>();
      for (const row of rows) {
        for (const column of Object.keys(row)) {
          if (!seen.has(column)) {
            seen.add(column);
            columns.push(column);
          }
        }
      }
      context.out(renderTable(context.style, columns, rows.map((row) => columns.map((c) => row[c] as string | number | boolean | null | undefined))));
      context.out(context.style.dim(`${rows.length} row${rows.length === 1 ? "" : "s"}\n`));
    },
  },
];
