// cairn state get|set|clear <object> <key>: the K/V state of one virtual object or workflow key.
//
// Reading uses `SELECT key, value FROM state` (POST /query). Writing uses
// `POST /services/{name}/state` with {object_key, new_state}, which REPLACES the key's whole
// state; set and clear of one entry therefore read the current state first and send it back with
// the one entry changed. That read-modify-write is not atomic with handlers running on the same
// key: change state while the object is idle (the server applies the new state in order with the
// key's invocations, but a handler that ran in between is overwritten).

import { timeout, type CommandSpec, type Context } from "../context.js";
import { UsageError } from "../errors.js";
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

async function writeState(context: Context, object: string, key: string, state: ReadonlyMap<string, Buffer>): Promise<void> {
  const newState: Record<string, number[]> = {};
  for (const [name, bytes] of state) newState[name] = [...bytes];
  await context.admin.json("POST", `/services/${encodeURIComponent(object)}/state`, { body: { object_key: key, new_state: newState }, ...timeout(context) });
}

function decoded(state: ReadonlyMap<string, Buffer>): Record<string, unknown> {
  return Object.fromEntries([...state].map(([name, bytes]) => [name, decodeValue(bytes)]));
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
    options: [{ name: "raw", kind: "boolean", description: "store the value text as is, not as JSON" }],
    examples: ["cairn state set Counter alice count 42", `cairn state set Profile bob name '"Bob"'`],
    async run(context, args) {
      const object = args.positional.object ?? "";
      const key = args.positional.key ?? "";
      const name = args.positional["state-key"] ?? "";
      const text = args.positional.value ?? "";
      if (!args.flag("raw")) {
        try {
          JSON.parse(text);
        } catch (error) {
          throw new UsageError(`<value> is not JSON (${(error as Error).message}); quote strings ('"text"') or pass --raw`);
        }
      }
      const state = await readState(context, object, key);
      state.set(name, Buffer.from(text, "utf8"));
      await writeState(context, object, key, state);
      if (context.json) return context.printJson({ service: object, key, state: decoded(state) });
      context.out(`Set ${object}/${key} ${name}\n`);
    },
  },
  {
    path: ["state", "clear"],
    summary: "Remove one state entry, or all state of an object key",
    details: "Clearing all entries asks for confirmation unless --yes.",
    positionals: [...objectPositionals, { name: "state-key", required: false, description: "only this entry" }],
    options: [],
    examples: ["cairn state clear Counter alice count", "cairn state clear Counter alice --yes"],
    async run(context, args) {
      const object = args.positional.object ?? "";
      const key = args.positional.key ?? "";
      const only = args.positional["state-key"];
      const state = await readState(context, object, key);
      if (only === undefined) {
        await confirm(context.terminal, context.errStyle, `Clear all ${state.size} state entr${state.size === 1 ? "y" : "ies"} of ${object}/${key}?`, context.yes);
        state.clear();
      } else if (!state.delete(only)) {
        if (context.json) return context.printJson({ service: object, key, state: decoded(state) });
        return context.out(`No entry '${only}' in ${object}/${key}; nothing changed.\n`);
      }
      await writeState(context, object, key, state);
      if (context.json) return context.printJson({ service: object, key, state: decoded(state) });
      context.out(only === undefined ? `Cleared ${object}/${key}\n` : `Removed ${only} from ${object}/${key}\n`);
    },
  },
];
