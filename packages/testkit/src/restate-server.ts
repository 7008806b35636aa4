// Runs the real Restate server (`@restatedev/restate-server@1.7.12`) on loopback ports with a
// fresh data directory, for compatibility tests and side-by-side benchmarks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildHandle, httpOk, spawnChild, waitUntil } from "./child.js";
import { restateServerPath } from "./paths.js";
import { freePort } from "./ports.js";

export interface RestateServer {
  readonly ingressUrl: string;
  readonly adminUrl: string;
  readonly dataDir: string;
  readonly child: ChildHandle;
  /** Stops the server (SIGTERM) and, unless `keepData`, removes its data directory. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface RestateServerOptions {
  dataDir?: string;
  /** Negotiate service protocol V7 (Restate 1.7 uses V6 unless this experimental flag is on). */
  protocolV7?: boolean;
  partitions?: number;
  /** Extra `RESTATE_*` environment overrides. */
  env?: Record<string, string>;
  echo?: boolean;
  readyTimeoutMs?: number;
}

/** Start attempts when a port picked by freePort was taken by another process before the bind. */
const portRaceAttempts = 3;

export async function startRestateServer(options: RestateServerOptions = {}): Promise<RestateServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "restate-data-"));
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options, dataDir);
    } catch (error) {
      // freePort releases the port before restate-server binds it; a parallel test can take it
      // in between. The server then exits at once with "Address in use": pick new ports.
      const raced = error instanceof PortRaceError;
      if (!raced || attempt >= portRaceAttempts) {
        if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
        throw raced ? error.cause : error;
      }
    }
  }
}

class PortRaceError extends Error {}

async function launch(options: RestateServerOptions, dataDir: string): Promise<RestateServer> {
  const scratch = mkdtempSync(join(tmpdir(), "restate-tmp-"));
  const removeScratch = (): void => rmSync(scratch, { recursive: true, force: true });
  const [ingressPort, adminPort, fabricPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawnChild(
    restateServerPath(),
    ["--no-logo", "--listen-mode", "tcp", "--base-dir", dataDir, "--log-format", "compact"],
    {
      env: {
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
        RESTATE_BIND_ADDRESS: `127.0.0.1:${fabricPort}`,
        RESTATE_DEFAULT_NUM_PARTITIONS: String(options.partitions ?? 4),
        RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7: options.protocolV7 === true ? "true" : "false",
        RESTATE_LOG_DISABLE_ANSI_CODES: "true",
        // restate-server's invoker leaves an empty `invoker-<id>` directory in the temp dir per
        // start: give it a temp dir of its own, which stop removes (not inside the data
        // directory: restate-server reads every directory there as a node's data).
        TMPDIR: scratch,
        NO_COLOR: "1",
        ...options.env,
      },
      ...(options.echo === undefined ? {} : { echo: options.echo }),
    },
  );
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  try {
    await waitUntil("restate-server admin", child, () => httpOk(`${adminUrl}/health`), timeoutMs);
    await waitUntil("restate-server ingress", child, () => httpOk(`${ingressUrl}/restate/health`), timeoutMs);
  } catch (error) {
    await child.stop(10_000);
    removeScratch();
    if (child.output().includes("Address in use")) throw new PortRaceError("port taken before bind", { cause: error });
    throw error;
  }
  return {
    ingressUrl,
    adminUrl,
    dataDir,
    child,
    close: async (closeOptions = {}) => {
      await child.stop(10_000);
      removeScratch();
      if (closeOptions.keepData !== true && options.dataDir === undefined) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
