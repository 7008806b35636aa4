// cairn state get|set|clear <object> <key>: the K/V state of one virtual object or workflow key.
//
// Reading uses `SELECT key, value FROM state` (POST /query). Writing uses
// `POST /services/{name}/state` with {version, object_key, new_state}, which REPLACES the key's
// whole state; set and clear of one entry therefore read the current state and send it back with
// the one entry changed, with the version of what was read. The server applies the write in turn
// with the key's invocations, and drops it if the state is no longer that version (a handler
// changed it in between), still answering 202. So after the write the command reads the state
// until it sees its change (done), another state (StateConflictError: nothing was written), or
// stateApplyWaitMs passes (the key is busy: the write stays queued and applies when the key is
// free, unless the state changes first).

import type { Args, OptionSpec } from "../args.js";
import { stateApplyPollMs, stateApplyWaitMs } from "../constants.js";
import { timeout, type CommandSpec, type Context } from "../context.js";
import { StateConflictError, UsageError } from "../errors.js";
import { stateVersion } from "../state-version.js";
import { bytesOf, decodeValue, sqlQuery, sqlString } from "../sql-query.js";
import { cellText, renderTable } from "../table.js";
import { confirm } from "../terminal.js";

async function readState(context: Context, object: string, key: string): Promise<Map<string, Buffer>> {
  const rows = await sqlQuery(
    context,
    `SELECT key, value FROM state WHERE service_name = ${sqlString(object)} AND service_key = ${sqlString(key)} ORDER BY key`,
  );
  const state = new Map<string, Buffer>();
  for (const row of rows) state.set(cellText(row.key), bytesOf(row.value) ?? Buffer.alloc(0));
  return state;
}

/** Writes `after` over `before`; resolves true once applied, false if still queued. */
async function writeState(context: Context, object: string, key: string, before: ReadonlyMap<string, Buffer>, after: ReadonlyMap<string, Buffer>, waitMs: number): Promise<boolean> {
  const newState: Record<string, number[]> = {};
  for (const [name, bytes] of after) newState[name] = [...bytes];
  const from = stateVersion(before);
  const to = stateVersion(after);
  if (from === to) return true;
  await context.admin.json("POST", `/services/${encodeURIComponent(object)}/state`, { body: { version: from, object_key: key, new_state: newState }, ...timeout(context) });
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = stateVersion(await readState(context, object, key));
    if (now === to) return true;
    if (now !== from) throw new StateConflictError(`the state of ${object}/${key} changed while this command ran; nothing was written (run it again)`);
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, stateApplyPollMs));
  }
  context.note(`The change to ${object}/${key} is accepted but not applied yet: the key is busy with an invocation. It applies when the key is free, unless its state changes first.`);
  return false;
}

function decoded(state: ReadonlyMap<string, Buffer>): Record<string, unknown> {
  return Object.fromEntries([...state].map(([name, bytes]) => [name, decodeValue(bytes)]));
}

const waitOption: OptionSpec = {
  name: "wait",
  kind: "string",
  value: "<ms>",
  description: `how long to wait to see the change applied (default ${stateApplyWaitMs}; 0: do not wait)`,
};

function waitMsOf(args: Args): number {
  const text = args.string("wait");
  if (text === undefined) return stateApplyWaitMs;
  if (!/^\d+$/.test(text)) throw new UsageError(`--wait: expected milliseconds, got '${text}'`);
  return Number(text);
}

const objectPositionals = [
  { name: "object", required: true, description: "virtual object or workflow name" },
  { name: "key", required: true, description: "the object's key" },
] as const;

export const stateCommands: readonly CommandSpec[] = [
  {
    path: ["state", "get"],
    summary: "Show the state of one object key (all entries, or one)",
    positionals: [...objectPositionals, { name: "state-key", required: false, description: "only this entry" }],
    options: [],
    examples: ["cairn state get Counter alice", "cairn state get Counter alice count --json"],
    async run(context, args) {
      const object = args.positional.object ?? "";
      const key = args.positional.key ?? "";
      const only = args.positional["state-key"];
      let state = await readState(context, object, key);
      if (only !== undefined) state = new Map([...state].filter(([name]) => name === only));
      if (context.json) return context.printJson({ service: object, key, state: decoded(state) });
      if (state.size === 0) return context.out(only === undefined ? `No state for ${object}/${key}.\n` : `No entry '${only}' in ${object}/${key}.\n`);
      context.out(
        renderTable(
          context.style,
          ["KEY", "VALUE"],
          [...state].map(([name, bytes]) => [name, cellText(decodeValue(bytes))]),
        ),
      );
    },
  },
  {
    path: ["state", "set"],
    summary: "Set one state entry of an object key",
    details: "The value is JSON (as handlers using the default serde read it) unless --raw, which stores the text as UTF-8 bytes.",
    positionals: [...objectPositionals, { name: "state-key", required: true, description: "entry name" }, { name: "value", required: true, description: "JSON value, e.g. 42 or '{\"a\":1}'" }],
    options: [{ name: "raw", kind: "boolean", description: "store the value text as is, not as JSON" }, waitOption],
    examples: ["cairn state set Counter alice count 42", `cairn state set Profile bob name '"Bob"'`],
    async run(context, args) {
      const object = args.positional.object ?? "";
      const key = args.positional.key ?? "";
      const name = args.positional["state-key"] ?? "";
      const text = args.positional.value ?? "";
      const waitMs = waitMsOf(args);
      if (!args.flag("raw")) {
        try {
          JSON.parse(text);
        } catch (error) {
          throw new UsageError(`<value> is not JSON (${(error as Error).message}); quote strings ('"text"') or pass --raw`);
        }
      }
      const before = await readState(context, object, key);
      const after = new Map(before).set(name, Buffer.from(text, "utf8"));
      const applied = await writeState(context, object, key, before, after, waitMs);
      if (context.json) return context.printJson({ service: object, key, applied, state: decoded(after) });
      context.out(`${applied ? "Set" : "Queued"} ${object}/${key} ${name}\n`);
    },
  },
  {
    path: ["state", "clear"],
    summary: "Remove one state entry, or all state of an object key",
    details: "Clearing all entries asks for confirmation unless --yes.",
    positionals: [...objectPositionals, { name: "state-key", required: false, description: "only this entry" }],
    options: [waitOption],
    examples: ["cairn state clear Counter alice count", "cairn state clear Counter alice --yes"],
    async run(context, args) {
      const object = args.positional.object ?? "";
      const key = args.positional.key ?? "";
      const only = args.positional["state-key"];
      const waitMs = waitMsOf(args);
      const before = await readState(context, object, key);
      const after = new Map(before);
      if (only === undefined) {
        await confirm(context.terminal, context.errStyle, `Clear all ${before.size} state entr${before.size === 1 ? "y" : "ies"} of ${object}/${key}?`, context.yes);
        after.clear();
      } else if (!after.delete(only)) {
        if (context.json) return context.printJson({ service: object, key, applied: true, state: decoded(after) });
        return context.out(`No entry '${only}' in ${object}/${key}; nothing changed.\n`);
      }
      const applied = await writeState(context, object, key, before, after, waitMs);
      if (context.json) return context.printJson({ service: object, key, applied, state: decoded(after) });
      const verb = applied ? "" : " (queued)";
      context.out(only === undefined ? `Cleared ${object}/${key}${verb}\n` : `Removed ${only} from ${object}/${key}${verb}\n`);
    },
  },
];
