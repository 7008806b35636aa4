// Logging of the SDK and of handler code (`ctx.console`): a small level-filtered logger writing to
// stderr by default, replaceable per endpoint. Handler logs are muted while replaying, so a
// message is printed once per invocation, not once per attempt.

export type LogLevel = "debug" | "info" | "warn" | "error";

export type Logger = (level: LogLevel, message: string, error?: unknown) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function defaultLogger(minimum: LogLevel = (process.env.CAIRN_LOG_LEVEL as LogLevel | undefined) ?? "info"): Logger {
  const min = LEVELS[minimum] ?? LEVELS.info;
  return (level, message, error) => {
    if (LEVELS[level] < min) return;
    const detail = error instanceof Error ? ` ${error.stack ?? error.message}` : error === undefined ? "" : ` ${safeString(error)}`;
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} [cairn-sdk] ${message}${detail}\n`);
  };
}

/** The `console` handed to handlers: same methods as the global one, silent during replay. */
export function replayAwareConsole(logger: Logger, isReplaying: () => boolean, prefix: string): Console {
  const emit = (level: LogLevel) => (...args: unknown[]): void => {
    if (isReplaying()) return;
    logger(level, `${prefix} ${args.map((a) => (typeof a === "string" ? a : safeString(a))).join(" ")}`);
  };
  const base = {
    log: emit("info"),
    info: emit("info"),
    debug: emit("debug"),
    trace: emit("debug"),
    warn: emit("warn"),
    error: emit("error"),
  };
  return new Proxy(base, {
    get(target, prop) {
      return (target as Record<string | symbol, unknown>)[prop] ?? ((): void => undefined);
    },
  }) as unknown as Console;
}

function safeString(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
