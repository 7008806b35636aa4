// Logging of the server: one function, structured fields. The library never prints; the binary
// (apps/server) writes JSON lines, tests collect entries.

export type LogLevel = "debug" | "info" | "warn" | "error";

export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const silentLogger: Logger = () => undefined;
