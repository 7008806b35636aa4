// Structured logs: one JSON object per line,
//   {"time": RFC 3339, "level": "info", "msg": "...", ...fields}
// filtered by a minimum level. The server's Logger, the partition workers' (forwarded to the main
// thread) and the binary's all have this one signature.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const logLevels: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error"]);
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Whether a line at `level` passes a logger whose minimum is `minimum`. */
export function levelEnabled(level: LogLevel, minimum: LogLevel): boolean {
  return rank[level] >= rank[minimum];
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(rank, value);
}

/** A logger writing JSON lines (to stdout by default); errors in fields are rendered by message and stack. */
export function jsonLogger(minimum: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (level, message, fields) => {
    if (rank[level] < rank[minimum]) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }, replacer);
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, fields: "(not serializable)" });
    }
    write(`${line}\n`);
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack === undefined ? {} : { stack: value.stack }) };
  return value;
}
