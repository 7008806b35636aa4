// Runs the official `restate` CLI (`@restatedev/restate@1.7.12`) against an admin API, as an
// operator would: non-interactive (--yes), no colour, a throwaway config home so no user config
// (~/.config/restate) leaks in, and the admin URL from RESTATE_ADMIN_URL.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { testkitRoot } from "./paths.js";

/** Output kept per stream; a CLI run that prints more is cut (tests only read the start). */
const restateCliOutputBytesMax = 4 * 1024 * 1024;

/** Absolute path of the `restate` CLI binary, from the per-platform optional package. */
export function restateCliPath(): string {
  const require = createRequire(join(testkitRoot(), "package.json"));
  const wrapper = require.resolve("@restatedev/restate/package.json");
  const wrapperRequire = createRequire(wrapper);
  const platformPackage = `@restatedev/restate-${process.platform}-${process.arch}`;
  const manifest = wrapperRequire.resolve(`${platformPackage}/package.json`);
  return join(dirname(manifest), "bin", "restate");
}

export interface RestateCliResult {
  /** Exit status, or the signal's name when it was killed. */
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RestateCliOptions {
  /** Extra environment (e.g. `RESTATE_INGRESS_URL`). */
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Add `--yes` before the arguments (default true): no prompt ever waits for a terminal. */
  yes?: boolean;
}

/** Runs `restate <args>` with `RESTATE_ADMIN_URL=adminUrl`; resolves when it exits. */
export async function runRestateCli(adminUrl: string, args: readonly string[], options: RestateCliOptions = {}): Promise<RestateCliResult> {
  const configHome = mkdtempSync(join(tmpdir(), "restate-cli-"));
  try {
    const child = spawn(restateCliPath(), [...(options.yes === false ? [] : ["--yes"]), ...args], {
      env: {
        ...process.env,
        RESTATE_ADMIN_URL: adminUrl,
        RESTATE_CLI_CONFIG_HOME: configHome,
        NO_COLOR: "1",
        TERM: "dumb",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (stream: NodeJS.ReadableStream | null): (() => string) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream?.on("data", (chunk: Buffer) => {
        if (bytes >= restateCliOutputBytesMax) return;
        bytes += chunk.length;
        chunks.push(chunk);
      });
      return () => Buffer.concat(chunks).toString("utf8");
    };
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    const code = await new Promise<number | string>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode, signal) => resolve(exitCode ?? signal ?? "unknown"));
    });
    clearTimeout(timer);
    return { code, stdout: stdout(), stderr: stderr() };
  } finally {
    rmSync(configHome, { recursive: true, force: true });
  }
}
