// Command-line parsing without a framework: a command declares its options and positionals, and
// `parseArgs` turns argv into typed values or a UsageError that names the offending token.
//
// Grammar accepted:
//   argv     => token*
//   token    => "--" (ends options: every later token is positional)
//             | "--" name "=" value | "--" name [value]      (value for string/list options)
//             | "--no-" name                                (false for a boolean option)
//             | "-" letter [value]                          (short alias)
//             | positional
// A list option may repeat; its values collect in order.

import { UsageError } from "./errors.js";

export type OptionKind = "boolean" | "string" | "list";

export interface OptionSpec {
  readonly name: string;
  readonly kind: OptionKind;
  readonly short?: string;
  /** Placeholder in help, e.g. `<url>`. */
  readonly value?: string;
  readonly description: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly required: boolean;
  /** Takes every remaining positional (only the last positional may). */
  readonly variadic?: boolean;
  readonly description: string;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, boolean | string | readonly string[]>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], commandName: string): ParsedArgs {
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(options.filter((o) => o.short !== undefined).map((o) => [o.short, o]));
  const values = new Map<string, boolean | string | string[]>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (onlyPositionals || token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    if (token === "--") {
      onlyPositionals = true;
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let negated = false;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      if (eq !== -1) inline = token.slice(eq + 1);
      spec = byName.get(name);
      if (spec === undefined && name.startsWith("no-")) {
        const positive = byName.get(name.slice(3));
        if (positive?.kind === "boolean" && inline === undefined) {
          spec = positive;
          negated = true;
        }
      }
      if (spec === undefined) throw new UsageError(`unknown option '--${name}' for '${commandName}'`);
    } else {
      spec = byShort.get(token.slice(1));
      if (spec === undefined || token.length !== 2) throw new UsageError(`unknown option '${token}' for '${commandName}'`);
    }
    if (spec.kind === "boolean") {
      if (inline !== undefined) {
        if (inline !== "true" && inline !== "false") throw new UsageError(`--${spec.name}: expected true or false, got '${inline}'`);
        values.set(spec.name, inline === "true");
      } else values.set(spec.name, !negated);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
        throw new UsageError(`--${spec.name} needs a value${spec.value === undefined ? "" : ` ${spec.value}`}`);
      }
      value = next;
      i++;
    }
    if (spec.kind === "string") {
      if (values.has(spec.name)) throw new UsageError(`--${spec.name} given more than once`);
      values.set(spec.name, value);
    } else {
      const list = values.get(spec.name);
      if (Array.isArray(list)) list.push(value);
      else values.set(spec.name, [value]);
    }
  }
  return { options: values, positionals };
}

/** Typed accessors over a ParsedArgs. */
export class Args {
  constructor(
    private readonly parsed: ParsedArgs,
    readonly positional: Readonly<Record<string, string | undefined>>,
    readonly rest: readonly string[],
  ) {}

  flag(name: string): boolean {
    return this.parsed.options.get(name) === true;
  }

  /** True when the boolean option was given at all (as --x or --no-x). */
  has(name: string): boolean {
    return this.parsed.options.has(name);
  }

  string(name: string): string | undefined {
    const value = this.parsed.options.get(name);
    return typeof value === "string" ? value : undefined;
  }

  list(name: string): readonly string[] {
    const value = this.parsed.options.get(name);
    return Array.isArray(value) ? (value as readonly string[]) : [];
  }

  /** A positive integer option, at most `max`. */
  integer(name: string, fallback: number, max: number): number {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name}: expected a positive integer, got '${text}'`);
    const value = Number(text);
    if (value > max) throw new UsageError(`--${name}: at most ${max}, got ${value}`);
    return value;
  }
}

/** Matches positionals to their specs; too few or too many is a usage error. */
export function bindPositionals(
  values: readonly string[],
  specs: readonly PositionalSpec[],
  commandName: string,
): { named: Record<string, string | undefined>; rest: string[] } {
  const named: Record<string, string | undefined> = {};
  let rest: string[] = [];
  let i = 0;
  for (const spec of specs) {
    if (spec.variadic === true) {
      rest = values.slice(i);
      if (spec.required && rest.length === 0) throw new UsageError(`'${commandName}' needs <${spec.name}>`);
      i = values.length;
      break;
    }
    const value = values[i];
    if (value === undefined) {
      if (spec.required) throw new UsageError(`'${commandName}' needs <${spec.name}>`);
      break;
    }
    named[spec.name] = value;
    i++;
  }
  if (i < values.length) throw new UsageError(`'${commandName}' does not take the argument '${values[i] ?? ""}'`);
  return { named, rest };
}
