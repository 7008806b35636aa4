// Test helpers: run the built cairn binary as a child process (plain pipes, or a pseudo-terminal
// through util-linux `script`), and poll for an eventually-true condition.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@cairn/server";
import { startRestateServer } from "@cairn/testkit";

export const mainJs = resolve(fileURLToPath(new URL("../dist/main.js", import.meta.url)));

export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(command: string, args: readonly string[], env: Record<string, string | undefined>, input: string | undefined, timeoutMs: number): Promise<CliResult> {
  const child = spawn(command, args, { env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => err.push(c));
  if (input !== undefined) child.stdin.write(input);
  child.stdin.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolveResult, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code: code ?? signal ?? "unknown", stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** `cairn <args>` with stdin, stdout and stderr as pipes (not a terminal). */
export function cairn(args: readonly string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return collect(process.execPath, [mainJs, ...args], env, input, 60_000);
}

/** `cairn --json <args>`, expecting exit 0; returns the parsed stdout. */
export async function cairnJson<T>(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<T> {
  const result = await cairn([...args, "--json"], env);
  if (result.code !== 0) throw new Error(`cairn ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `cairn <args>` in a pseudo-terminal (stdin, stdout and stderr are one tty), typing `input`.
 * Output comes back as the terminal saw it: CRLF line ends, stdout and stderr interleaved.
 */
export function cairnInPty(args: readonly string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const command = [process.execPath, mainJs, ...args].map(shellQuote).join(" ");
  return collect("script", ["-qfec", command, "/dev/null"], { TERM: "xterm", ...env }, input, 60_000);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`);
}

// eslint-disable-next-line no-control-regex
export const ansi = /\u001b\[[0-9;]*m/;

/** A server the tests point the CLIs at. */
export interface Target {
  readonly adminUrl: string;
  readonly ingressUrl: string;
  close(): Promise<void>;
}

/** Cairn in-process on a temporary data directory (removed on close), two partitions. */
export async function startCairn(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-cli-test-"));
  const server = await startServer({ dataDir, ingressPort: 0, adminPort: 0, partitions: 2 });
  return {
    adminUrl: server.adminUrl,
    ingressUrl: server.ingressUrl,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The reference restate-server, two partitions. */
export async function startRestate(): Promise<Target> {
  const server = await startRestateServer({ partitions: 2 });
  return { adminUrl: server.adminUrl, ingressUrl: server.ingressUrl, close: () => server.close() };
}
