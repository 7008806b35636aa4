// The servers under test, started the same way: a fresh data directory on 127.0.0.1, the
// official-SDK bench endpoint registered, and the time from launch to the first successful call.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freePort,
  httpOk,
  registerDeployment,
  spawnChild,
  startRestateServer,
  waitUntil,
  type ChildHandle,
  type SdkService,
} from "@cairn/testkit";

export type ServerName = "cairn" | "restate";

export interface RunningServer {
  readonly name: ServerName;
  readonly ingressUrl: string;
  readonly pid: number;
  /** Launch → first successful greet call through the ingress, in ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cairnServerMain = join(repositoryRoot, "apps", "server", "dist", "main.js");

export function cairnServerBuilt(): boolean {
  return existsSync(cairnServerMain);
}

/** `extraArgs`: more cairn-server flags (e.g. `--tracing-endpoint <url>`). */
export async function startServer(name: ServerName, serviceUrl: string, extraArgs: readonly string[] = []): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const launchedAt = performance.now();
  const launched = name === "restate" ? await launchRestate(dataDir) : await launchCairn(dataDir, extraArgs);
  const { ingressUrl, adminUrl, child } = launched;
  try {
    await registerDeployment(adminUrl, serviceUrl);
    await firstSuccessfulCall(ingressUrl, child);
  } catch (error) {
    await launched.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const startupMs = performance.now() - launchedAt;
  const pid = child.process.pid;
  if (pid === undefined) throw new Error(`${name}: no pid`);
  return {
    name,
    ingressUrl,
    pid,
    startupMs,
    stop: async () => {
      await launched.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Launched {
  ingressUrl: string;
  adminUrl: string;
  child: ChildHandle;
  close(): Promise<void>;
}

async function launchRestate(dataDir: string): Promise<Launched> {
  const server = await startRestateServer({ dataDir });
  return { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, child: server.child, close: () => server.close() };
}

async function launchCairn(dataDir: string, extraArgs: readonly string[]): Promise<Launched> {
  const [ingressPort, adminPort] = [await freePort(), await freePort()];
  const child = spawnChild(process.execPath, [
    cairnServerMain,
    "--data-dir",
    dataDir,
    "--ingress-port",
    String(ingressPort),
    "--admin-port",
    String(adminPort),
    "--bind",
    "127.0.0.1",
    ...extraArgs,
  ]);
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil("cairn-server admin", child, () => httpOk(`${adminUrl}/health`), 30_000);
  await waitUntil("cairn-server ingress", child, () => httpOk(`${ingressUrl}/restate/health`), 30_000);
  return { ingressUrl, adminUrl, child, close: () => child.stop(10_000) };
}

async function firstSuccessfulCall(ingressUrl: string, child: ChildHandle): Promise<void> {
  await waitUntil(
    "first successful call",
    child,
    async () => {
      const response = await fetch(`${ingressUrl}/BenchGreeter/greet`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '"warmup"',
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.status === 200;
    },
    30_000,
  );
}

const cairnSdkServiceMain = join(repositoryRoot, "bench", "dist", "cairn-sdk-service.js");

/** The bench handlers written with @cairn/sdk, on this Node, in a child process. */
export async function startCairnSdkService(): Promise<SdkService> {
  const port = await freePort();
  const child = spawnChild(process.execPath, [cairnSdkServiceMain], { env: { CAIRN_SERVICE_PORT: String(port) } });
  const stdout = child.process.stdout;
  if (stdout === null) throw new Error("no stdout");
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`@cairn/sdk bench service not ready\n${child.output()}`)), 30_000);
    stdout.on("data", (chunk: Buffer) => {
      if (/^READY \d+$/m.test(chunk.toString("utf8"))) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    void child.exited().then((code) => {
      clearTimeout(timer);
      reject(new Error(`@cairn/sdk bench service exited (${code})\n${child.output()}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, port, child, close: () => child.stop() };
}
