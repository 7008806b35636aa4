// What every command receives: the two HTTP clients, the output mode, and the terminal.

import type { Args, OptionSpec, PositionalSpec } from "./args.js";
import type { HttpClient } from "./http-client.js";
import type { Style } from "./style.js";
import type { OutStream, Terminal } from "./terminal.js";

export interface Context {
  readonly admin: HttpClient;
  readonly ingress: HttpClient;
  /** --json: one JSON document on stdout, nothing else there. */
  readonly json: boolean;
  /** --yes: confirmations answer themselves. */
  readonly yes: boolean;
  /** Styling for stdout. */
  readonly style: Style;
  /** Styling for stderr (prompts, progress, notes). */
  readonly errStyle: Style;
  readonly terminal: Terminal;
  readonly stdout: OutStream;
  /** Progress bars are drawn (stderr is a terminal). */
  readonly progress: boolean;
  /** --timeout, when given: overrides each command's own default. */
  readonly timeoutMs: number | undefined;
  out(text: string): void;
  /** A note for humans on stderr (never part of --json output). */
  note(text: string): void;
  printJson(value: unknown): void;
}

export interface CommandSpec {
  /** e.g. ["invocations", "list"] or ["services", "config", "view"]. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Extra paragraphs shown by --help. */
  readonly details?: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  run(context: Context, args: Args): Promise<void>;
}

/** The --timeout override as request options (empty when not given). */
export function timeout(context: Context): { timeoutMs?: number } {
  return context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs };
}
