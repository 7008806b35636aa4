// The cairn command: finds the command named by the leading words of argv, parses its options
// and the global ones, builds the context, runs it, and maps every failure to a message on stderr
// and an exit status (0 ok, 1 server/API/network, 2 usage).

import { readFileSync } from "node:fs";
import { Args, bindPositionals, parseArgs, type OptionSpec } from "./args.js";
import { deploymentCommands } from "./commands/deployments.js";
import { invocationCommands } from "./commands/invocations.js";
import { invokeCommands } from "./commands/invoke.js";
import { serviceCommands } from "./commands/services.js";
import { sqlCommands } from "./commands/sql.js";
import { stateCommands } from "./commands/state.js";
import { defaultAdminUrl, defaultIngressUrl, defaultRequestTimeoutMs } from "./constants.js";
import type { CommandSpec, Context } from "./context.js";
import { CliError, UsageError } from "./errors.js";
import { HttpClient } from "./http-client.js";
import { colorWanted, makeStyle } from "./style.js";
import type { OutStream, Terminal } from "./terminal.js";

export const commands: readonly CommandSpec[] = [...deploymentCommands, ...serviceCommands, ...invocationCommands, ...stateCommands, ...sqlCommands, ...invokeCommands];

const groupSummaries: Readonly<Record<string, string>> = {
  deployments: "Register, list, describe and remove service deployments",
  services: "List and describe services; view and change their settings",
  "services config": "View and change a service's settings",
  invocations: "List, describe, cancel, kill, purge, pause and resume invocations",
  state: "Read and change the K/V state of virtual objects and workflows",
};

export const globalOptions: readonly OptionSpec[] = [
  { name: "admin-url", kind: "string", value: "<url>", description: `admin API (env CAIRN_ADMIN_URL, default ${defaultAdminUrl})` },
  { name: "ingress-url", kind: "string", value: "<url>", description: `ingress (env CAIRN_INGRESS_URL, default ${defaultIngressUrl})` },
  { name: "json", kind: "boolean", description: "print one JSON document on stdout (for scripts)" },
  { name: "yes", kind: "boolean", short: "y", description: "answer yes to confirmations" },
  { name: "color", kind: "boolean", description: "--no-color turns colour off (so does NO_COLOR)" },
  { name: "timeout", kind: "string", value: "<ms>", description: `request timeout in milliseconds (default ${defaultRequestTimeoutMs}; invoke: 300000)` },
  { name: "help", kind: "boolean", short: "h", description: "show help" },
];

export interface Io {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: Terminal["stdin"];
}

export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

function optionLines(options: readonly OptionSpec[]): string {
  const rows = options.map((o) => {
    const names = `${o.short === undefined ? "    " : `-${o.short}, `}--${o.name}${o.value === undefined ? "" : ` ${o.value}`}`;
    return [names, o.description] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join("\n");
}

function listing(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([n]) => n.length));
  return entries.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join("\n");
}

export function mainHelp(): string {
  const entries: [string, string][] = [];
  for (const group of ["deployments", "services", "invocations", "state"]) {
    const subs = [...new Set(commands.filter((c) => c.path[0] === group).map((c) => c.path[1] ?? ""))];
    entries.push([`${group} ${subs.join("|")}`, groupSummaries[group] ?? ""]);
  }
  for (const c of commands.filter((c) => c.path.length === 1)) entries.push([c.path[0] ?? "", c.summary]);
  return [
    `cairn ${cliVersion()}: operate a Cairn (or Restate) server from the command line`,
    "",
    "Usage: cairn <command> [arguments] [options]",
    "",
    "Commands:",
    listing(entries),
    "",
    "Global options:",
    optionLines([...globalOptions, { name: "version", kind: "boolean", short: "V", description: "print the version" }]),
    "",
    "Run 'cairn <command> --help' for a command's arguments, options and examples.",
    "Exit status: 0 success, 1 the server, the network or an operation failed, 2 the command line is wrong.",
    "",
  ].join("\n");
}

function groupHelp(prefix: readonly string[]): string {
  const name = prefix.join(" ");
  const subs = commands.filter((c) => prefix.every((p, i) => c.path[i] === p) && c.path.length > prefix.length);
  return [
    `cairn ${name}: ${groupSummaries[name] ?? ""}`,
    "",
    `Usage: cairn ${name} <command> [arguments] [options]`,
    "",
    "Commands:",
    listing(subs.map((c) => [c.path.slice(prefix.length).join(" "), c.summary])),
    "",
    `Run 'cairn ${name} <command> --help' for details.`,
    "",
  ].join("\n");
}

export function commandHelp(command: CommandSpec): string {
  const name = command.path.join(" ");
  const args = command.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.variadic === true ? "..." : "")).join(" ");
  const parts = [`cairn ${name}: ${command.summary}`, "", `Usage: cairn ${name}${args === "" ? "" : ` ${args}`} [options]`, ""];
  if (command.details !== undefined) parts.push(command.details, "");
  if (command.positionals.length > 0) parts.push("Arguments:", listing(command.positionals.map((p) => [`<${p.name}>`, p.description])), "");
  if (command.options.length > 0) parts.push("Options:", optionLines(command.options), "");
  parts.push("Global options:", optionLines(globalOptions), "");
  if (command.examples.length > 0) parts.push("Examples:", ...command.examples.map((e) => `  ${e}`), "");
  return parts.join("\n");
}

/** Leading words of argv (skipping global options and their values) that name a command. */
function commandWords(argv: readonly string[]): { words: string[]; indexes: number[] } {
  const words: string[] = [];
  const indexes: number[] = [];
  const valued = new Set(globalOptions.filter((o) => o.kind !== "boolean").map((o) => `--${o.name}`));
  for (let i = 0; i < argv.length && words.length < 3; i++) {
    const token = argv[i] ?? "";
    if (token === "--") break;
    if (token.startsWith("-")) {
      if (valued.has(token)) i++;
      continue;
    }
    const candidate = [...words, token];
    if (!commands.some((c) => candidate.every((w, j) => c.path[j] === w))) break;
    words.push(token);
    indexes.push(i);
    if (commands.some((c) => c.path.length === candidate.length && candidate.every((w, j) => c.path[j] === w))) break;
  }
  return { words, indexes };
}

function urlOption(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what}: not a URL: '${value}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${what}: expected an http:// or https:// URL, got '${value}'`);
  return value;
}

/** Runs the cairn command line; resolves with the exit status. */
export async function run(io: Io): Promise<number> {
  const errStyle = makeStyle(colorWanted(io.stderr.isTTY === true, io.env, io.argv.includes("--no-color")));
  let command: CommandSpec | undefined;
  try {
    const argv = io.argv;
    if (argv.length === 0) {
      io.stderr.write(mainHelp());
      return 2;
    }
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
      io.stdout.write(`cairn ${cliVersion()}\n`);
      return 0;
    }
    const { words, indexes } = commandWords(argv);
    command = commands.find((c) => c.path.length === words.length && words.every((w, i) => c.path[i] === w));
    const wantsHelp = argv.includes("--help") || argv.includes("-h");
    if (command === undefined) {
      if (words.length === 0) {
        if (wantsHelp) {
          io.stdout.write(mainHelp());
          return 0;
        }
        const first = argv.find((a) => !a.startsWith("-"));
        throw new UsageError(first === undefined ? `unknown option '${argv[0] ?? ""}'` : `unknown command '${first}'`);
      }
      if (wantsHelp) {
        io.stdout.write(groupHelp(words));
        return 0;
      }
      const next = argv.find((a, i) => i > (indexes[indexes.length - 1] ?? -1) && !a.startsWith("-"));
      io.stderr.write(groupHelp(words));
      throw new UsageError(next === undefined ? `'cairn ${words.join(" ")}' needs a command` : `unknown command '${words.join(" ")} ${next}'`);
    }
    const name = `cairn ${command.path.join(" ")}`;
    const rest = argv.filter((_a, i) => !indexes.includes(i));
    const parsed = parseArgs(rest, [...command.options, ...globalOptions], name);
    if (parsed.options.get("help") === true) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const { named, rest: variadic } = bindPositionals(parsed.positionals, command.positionals, name);
    const args = new Args(parsed, named, variadic);

    const adminUrl = urlOption(args.string("admin-url") ?? io.env.CAIRN_ADMIN_URL ?? defaultAdminUrl, "--admin-url");
    const ingressUrl = urlOption(args.string("ingress-url") ?? io.env.CAIRN_INGRESS_URL ?? defaultIngressUrl, "--ingress-url");
    const timeoutText = args.string("timeout");
    let timeoutMs: number | undefined;
    if (timeoutText !== undefined) {
      if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 1) throw new UsageError(`--timeout: expected milliseconds (a positive integer), got '${timeoutText}'`);
      timeoutMs = Number(timeoutText);
    }
    const json = args.flag("json");
    const noColor = args.has("color") && !args.flag("color");
    const style = makeStyle(!json && colorWanted(io.stdout.isTTY === true, io.env, noColor));
    const stderrStyle = makeStyle(colorWanted(io.stderr.isTTY === true, io.env, noColor));
    const context: Context = {
      admin: new HttpClient(adminUrl, "admin API", defaultRequestTimeoutMs),
      ingress: new HttpClient(ingressUrl, "ingress", defaultRequestTimeoutMs),
      json,
      yes: args.flag("yes"),
      style,
      errStyle: stderrStyle,
      terminal: { stdin: io.stdin, stderr: io.stderr },
      stdout: io.stdout,
      progress: io.stderr.isTTY === true,
      timeoutMs,
      out: (text) => io.stdout.write(text),
      note: (text) => io.stderr.write(`${text}\n`),
      printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
    await command.run(context, args);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${errStyle.red("error:")} ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write(`Run '${command === undefined ? "cairn" : `cairn ${command.path.join(" ")}`} --help' for usage.\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`${errStyle.red("internal error:")} ${message}\n`);
    return 1;
  }
}
