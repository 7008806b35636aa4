// Structured log lines of cairn-server: one JSON object per line on stdout,
//   {"time": RFC 3339, "level": "info", "msg": "...", ...fields}
// filtered by the configured level.

import type { Logger } from "@cairn/server";
import type { LogLevel } from "./config.js";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(minimum: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (level, message, fields) => {
    if (rank[level] < rank[minimum]) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, fields: "(not serializable)" });
    }
    write(`${line}\n`);
  };
}
