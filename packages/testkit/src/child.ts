// A child process for tests: captured output (bounded), readiness polling, and cleanup that
// cannot be forgotten (every child still alive when the test process exits is killed).
import { type ChildProcess, spawn } from "node:child_process";

/** Lines of child output kept for diagnostics; older lines are dropped. */
const outputLinesMax = 400;

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface ChildHandle {
  readonly process: ChildProcess;
  /** The last lines the child printed (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Echo the child's output to this process's stderr (for debugging a test). */
  echo?: boolean;
}

export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildHandle {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString("utf8");
    if (options.echo === true) process.stderr.write(text);
    for (const line of text.split("\n")) {
      if (line.length === 0) continue;
      lines.push(line);
      if (lines.length > outputLinesMax) lines.shift();
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exit = new Promise<number | string>((resolveExit) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolveExit(code ?? signal ?? "unknown");
    });
  });
  const kill = async (signal: NodeJS.Signals = "SIGKILL"): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exit;
  };
  return {
    process: child,
    output: () => lines.join("\n"),
    exited: () => exit,
    kill,
    stop: async (graceMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` until it returns true, the child exits, or `timeoutMs` passes. Throws with the
 * child's recent output on failure, so a broken start explains itself.
 */
export async function waitUntil(
  what: string,
  child: ChildHandle,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited().then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what}: process exited before it was ready\n${child.output()}`);
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms\n${child.output()}`);
}

export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.ok;
}
