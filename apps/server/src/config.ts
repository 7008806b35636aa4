// cairn-server's configuration: command-line flags, CAIRN_* environment variables and an optional
// JSON config file, resolved into @cairn/server options. Precedence, per setting:
//
//   flag  >  environment variable  >  config file  >  built-in default
//
// Config file (`--config <path>` / CAIRN_CONFIG), JSON:
//
//   { "dataDir": string, "ingressPort": int, "adminPort": int, "bind": string, "partitions": int,
//     "workers": int, "inactivityTimeout": duration, "abortTimeout": duration,
//     "retryPolicy": { "initialInterval": duration, "maxInterval": duration, "maxAttempts": int,
//                      "exponentiationFactor": number, "onMaxAttempts": "pause" | "kill" },
//     "inflightInvocationsMax": int, "inboxLengthMax": int, "workerQueueMax": int,
//     "ingressImplementation": "auto" | "uws" | "node", "logLevel": "debug" | "info" | "warn" | "error",
//     "tracingEndpoint": url, "tracingServiceName": string }
//
//   duration => a number of milliseconds, or a string such as "60s", "500ms", "10m", "1h 30m", "PT10S"
//
// A relative dataDir in the config file is relative to the file's directory; on the command line
// and in the environment, to the working directory. Unknown keys and flags are errors.

import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDurationMs } from "@cairn/ingress";
import {
  defaultAdminPort,
  defaultBind,
  defaultDataDir,
  defaultIngressPort,
  defaultPartitions,
  type ServerOptions,
} from "@cairn/server";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** A configuration problem: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type Command =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly options: ServerOptions & { dataDir: string }; readonly logLevel: LogLevel; readonly configFile: string | undefined };

type Kind = "string" | "port" | "count" | "duration" | "number" | "choice";

interface Setting {
  /** Key in the config file (dotted for nested keys). */
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly choices?: readonly string[];
  readonly help: string;
  readonly defaultText: string;
}

export const settings: readonly Setting[] = [
  { key: "dataDir", flag: "data-dir", env: "CAIRN_DATA_DIR", kind: "string", help: "data directory (created if missing)", defaultText: defaultDataDir },
  { key: "ingressPort", flag: "ingress-port", env: "CAIRN_INGRESS_PORT", kind: "port", help: "ingress HTTP port (0 = any free port)", defaultText: String(defaultIngressPort) },
  { key: "adminPort", flag: "admin-port", env: "CAIRN_ADMIN_PORT", kind: "port", help: "admin API port (0 = any free port)", defaultText: String(defaultAdminPort) },
  { key: "bind", flag: "bind", env: "CAIRN_BIND", kind: "string", help: "address both ports bind", defaultText: defaultBind },
  {
    key: "partitions",
    flag: "partitions",
    env: "CAIRN_PARTITIONS",
    kind: "count",
    help: "partitions of a NEW data directory (fixed for its life; must match an existing one)",
    defaultText: `${defaultPartitions} for a new directory, else the stored count`,
  },
  { key: "workers", flag: "workers", env: "CAIRN_WORKERS", kind: "count", help: "partition worker threads (at most partitions)", defaultText: "min(partitions, cores)" },
  { key: "inactivityTimeout", flag: "inactivity-timeout", env: "CAIRN_INACTIVITY_TIMEOUT", kind: "duration", help: "idle time after which an attempt's request stream is ended", defaultText: "60s" },
  { key: "abortTimeout", flag: "abort-timeout", env: "CAIRN_ABORT_TIMEOUT", kind: "duration", help: "time an attempt may take after that before it is aborted", defaultText: "10m" },
  { key: "retryPolicy.initialInterval", flag: "retry-initial-interval", env: "CAIRN_RETRY_INITIAL_INTERVAL", kind: "duration", help: "first retry delay of a failed attempt", defaultText: "500ms" },
  { key: "retryPolicy.maxInterval", flag: "retry-max-interval", env: "CAIRN_RETRY_MAX_INTERVAL", kind: "duration", help: "longest retry delay", defaultText: "60s" },
  { key: "retryPolicy.maxAttempts", flag: "retry-max-attempts", env: "CAIRN_RETRY_MAX_ATTEMPTS", kind: "count", help: "attempts (counting the first) before on-max-attempts", defaultText: "70" },
  { key: "retryPolicy.exponentiationFactor", flag: "retry-exponentiation-factor", env: "CAIRN_RETRY_EXPONENTIATION_FACTOR", kind: "number", help: "growth of the retry delay", defaultText: "2" },
  {
    key: "retryPolicy.onMaxAttempts",
    flag: "retry-on-max-attempts",
    env: "CAIRN_RETRY_ON_MAX_ATTEMPTS",
    kind: "choice",
    choices: ["pause", "kill"],
    help: "what happens after the last attempt",
    defaultText: "pause",
  },
  { key: "inflightInvocationsMax", flag: "inflight-invocations-max", env: "CAIRN_INFLIGHT_INVOCATIONS_MAX", kind: "count", help: "invocations in flight per partition (past it: 429)", defaultText: "10000" },
  { key: "inboxLengthMax", flag: "inbox-length-max", env: "CAIRN_INBOX_LENGTH_MAX", kind: "count", help: "invocations queued per virtual-object key (past it: 429)", defaultText: "1000" },
  { key: "workerQueueMax", flag: "worker-queue-max", env: "CAIRN_WORKER_QUEUE_MAX", kind: "count", help: "tasks queued per worker thread (past it: 429)", defaultText: "1000" },
  {
    key: "ingressImplementation",
    flag: "ingress-implementation",
    env: "CAIRN_INGRESS_IMPLEMENTATION",
    kind: "choice",
    choices: ["auto", "uws", "node"],
    help: "uWebSockets.js, node:http, or auto (uWS where it loads)",
    defaultText: "auto",
  },
  { key: "logLevel", flag: "log-level", env: "CAIRN_LOG_LEVEL", kind: "choice", choices: ["debug", "info", "warn", "error"], help: "least severe level logged", defaultText: "info" },
  {
    key: "tracingEndpoint",
    flag: "tracing-endpoint",
    env: "CAIRN_TRACING_ENDPOINT",
    kind: "string",
    help: "base URL of an OTLP/HTTP receiver (spans go to {url}/v1/traces, protobuf); unset = tracing off",
    defaultText: "off",
  },
  { key: "tracingServiceName", flag: "tracing-service-name", env: "CAIRN_TRACING_SERVICE_NAME", kind: "string", help: "service.name of the exported spans", defaultText: "cairn-server" },
];

export interface Sources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Reads the config file (utf8); throws if it cannot. */
  readonly readFile: (path: string) => string;
}

export function resolveCommand(sources: Sources): Command {
  const flagOptions: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
    config: { type: "string" },
  };
  for (const setting of settings) flagOptions[setting.flag] = { type: "string" };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...sources.argv], options: flagOptions, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help === true) return { kind: "help" };
  if (flags.version === true) return { kind: "version" };

  const configPath = stringOf(flags.config) ?? nonEmpty(sources.env.CAIRN_CONFIG);
  let file: Record<string, unknown> = {};
  let fileDir = sources.cwd;
  let configFile: string | undefined;
  if (configPath !== undefined) {
    configFile = resolve(sources.cwd, configPath);
    fileDir = dirname(configFile);
    let text: string;
    try {
      text = sources.readFile(configFile);
    } catch (error) {
      throw new UsageError(`cannot read the config file ${configFile}: ${(error as Error).message}`);
    }
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("the top level must be an object");
      file = value as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`the config file ${configFile} is not valid: ${(error as Error).message}`);
    }
    checkKeys(file, configFile);
  }

  const values = new Map<string, number | string>();
  for (const setting of settings) {
    const fromFlag = stringOf(flags[setting.flag]);
    const fromEnv = nonEmpty(sources.env[setting.env]);
    const fromFile = lookup(file, setting.key);
    let value: number | string | undefined;
    if (fromFlag !== undefined) value = convert(setting, fromFlag, `--${setting.flag}`);
    else if (fromEnv !== undefined) value = convert(setting, fromEnv, setting.env);
    else if (fromFile !== undefined) value = convert(setting, fromFile, `${setting.key} in ${configFile ?? "the config file"}`);
    if (value === undefined) continue;
    if (setting.key === "dataDir") value = resolve(fromFlag !== undefined || fromEnv !== undefined ? sources.cwd : fileDir, String(value));
    values.set(setting.key, value);
  }

  const num = (key: string): number | undefined => values.get(key) as number | undefined;
  const str = (key: string): string | undefined => values.get(key) as string | undefined;
  const options: Record<string, unknown> = { dataDir: str("dataDir") ?? resolve(sources.cwd, defaultDataDir) };
  const assign = (name: keyof ServerOptions, value: unknown): void => {
    if (value !== undefined) options[name] = value;
  };
  assign("ingressPort", num("ingressPort"));
  assign("adminPort", num("adminPort"));
  assign("bind", str("bind"));
  assign("partitions", num("partitions"));
  assign("workers", num("workers"));
  assign("inactivityTimeoutMs", num("inactivityTimeout"));
  assign("abortTimeoutMs", num("abortTimeout"));
  assign("inflightInvocationsMax", num("inflightInvocationsMax"));
  assign("inboxLengthMax", num("inboxLengthMax"));
  assign("workerQueueMax", num("workerQueueMax"));
  assign("ingressImplementation", str("ingressImplementation"));
  assign("tracingEndpoint", str("tracingEndpoint"));
  assign("tracingServiceName", str("tracingServiceName"));
  const retry: Record<string, unknown> = {};
  if (num("retryPolicy.initialInterval") !== undefined) retry.initialIntervalMs = num("retryPolicy.initialInterval");
  if (num("retryPolicy.maxInterval") !== undefined) retry.maxIntervalMs = num("retryPolicy.maxInterval");
  if (num("retryPolicy.maxAttempts") !== undefined) retry.maxAttempts = num("retryPolicy.maxAttempts");
  if (num("retryPolicy.exponentiationFactor") !== undefined) retry.exponentiationFactor = num("retryPolicy.exponentiationFactor");
  const onMax = str("retryPolicy.onMaxAttempts");
  if (onMax !== undefined) retry.onMaxAttempts = onMax === "kill" ? "KILL" : "PAUSE";
  if (Object.keys(retry).length > 0) options.retryPolicy = retry;

  return { kind: "run", options: options as unknown as ServerOptions & { dataDir: string }, logLevel: (str("logLevel") ?? "info") as LogLevel, configFile };
}

function convert(setting: Setting, raw: unknown, where: string): number | string {
  const fail = (why: string): never => {
    throw new UsageError(`${where}: ${why} (got ${JSON.stringify(raw)})`);
  };
  switch (setting.kind) {
    case "string":
      if (typeof raw !== "string" || raw.length === 0) fail("expected a non-empty string");
      return raw as string;
    case "choice": {
      const text = typeof raw === "string" ? raw.toLowerCase() : fail(`expected one of ${setting.choices?.join(", ") ?? ""}`);
      if (!(setting.choices ?? []).includes(text)) fail(`expected one of ${setting.choices?.join(", ") ?? ""}`);
      return text;
    }
    case "port": {
      const port = integerOf(raw) ?? fail("expected a port number");
      if (port < 0 || port > 65_535) fail("expected a port number in [0, 65535]");
      return port;
    }
    case "count": {
      const count = integerOf(raw) ?? fail("expected a positive integer");
      if (count < 1) fail("expected a positive integer");
      return count;
    }
    case "number": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value) || value <= 0) fail("expected a positive number");
      return value;
    }
    case "duration": {
      let ms: number;
      if (typeof raw === "number") ms = raw;
      else if (typeof raw === "string" && /^\d+$/.test(raw.trim())) ms = Number(raw);
      else if (typeof raw === "string") {
        try {
          ms = parseDurationMs(raw);
        } catch (error) {
          return fail((error as Error).message);
        }
      } else return fail("expected a duration such as 60s, 500ms or 10m, or a number of milliseconds");
      if (!Number.isFinite(ms) || ms <= 0) fail("expected a positive duration");
      return ms;
    }
  }
}

function integerOf(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === "string" && /^\s*\d+\s*$/.test(raw)) return Number(raw);
  return undefined;
}

function checkKeys(file: Record<string, unknown>, path: string): void {
  const known = new Set(settings.map((s) => s.key));
  for (const [key, value] of Object.entries(file)) {
    if (key === "retryPolicy") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${path}: retryPolicy must be an object`);
      for (const inner of Object.keys(value)) {
        if (!known.has(`retryPolicy.${inner}`)) throw new UsageError(`${path}: unknown key retryPolicy.${inner}`);
      }
      continue;
    }
    if (!known.has(key)) throw new UsageError(`${path}: unknown key ${key}`);
  }
}

function lookup(file: Record<string, unknown>, key: string): unknown {
  let value: unknown = file;
  for (const part of key.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringOf(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

export function helpText(version: string): string {
  const lines = [
    `cairn-server ${version}: a durable-execution server speaking Restate's protocols`,
    "",
    "Usage: cairn-server [options]",
    "",
    "Each option is a flag, an environment variable, or a key of the JSON config file.",
    "Precedence: flag > environment variable > config file > default.",
    "",
    "  --config <path>  (CAIRN_CONFIG)",
    "      JSON config file; its keys are listed in the README of apps/server",
  ];
  for (const setting of settings) {
    const value = setting.kind === "choice" ? (setting.choices ?? []).join("|") : setting.kind === "string" ? "value" : setting.kind;
    lines.push(`  --${setting.flag} <${value}>  (${setting.env}; config: ${setting.key})`, `      ${setting.help}. Default: ${setting.defaultText}`);
  }
  lines.push("  -h, --help", "      print this help", "  -v, --version", "      print the version", "");
  lines.push("Durations: milliseconds, or 500ms, 60s, 10m, 1h 30m, PT10S.");
  lines.push("Signals: SIGTERM or SIGINT stop the server cleanly (a second one exits at once).");
  lines.push("Exit codes: 0 stopped cleanly, 1 failed to start or crashed, 2 bad flags, environment or config file.");
  return `${lines.join("\n")}\n`;
}
