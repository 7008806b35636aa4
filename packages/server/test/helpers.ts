// Shared pieces of the server tests: temp data dirs removed after the run, a collecting logger.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@cairn/server";

const dirs: string[] = [];

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-server-"));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface LogEntry {
  level: string;
  message: string;
  fields: Record<string, unknown> | undefined;
}

export function collectingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { logger: (level, message, fields) => entries.push({ level, message, fields }), entries };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** A string whose xxh3 partition key lands on `partition` of `partitionCount` (for keys and idempotency keys). */
export async function keyOnPartition(prefix: string, partition: number, partitionCount: number): Promise<string> {
  const { partitionKeyOf } = await import("@cairn/protocol");
  const { partitionOf } = await import("@cairn/partition");
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`;
    if (partitionOf(partitionKeyOf(key), partitionCount) === partition) return key;
  }
}
