// Runs an official-SDK service fixture (services/<name>.ts) on Node 24 and waits until it listens.
import { join } from "node:path";
import { type ChildHandle, spawnChild } from "./child.js";
import { node24Path, servicesDir, testkitRoot } from "./paths.js";
import { freePort } from "./ports.js";

export interface SdkService {
  /** Base URL to register as a deployment, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly child: ChildHandle;
  close(): Promise<void>;
}

export interface OfficialServiceOptions {
  port?: number;
  /** Serve with the SDK's HTTP/1.1 request/response handler instead of HTTP/2. */
  http1?: boolean;
  env?: Record<string, string>;
  echo?: boolean;
  readyTimeoutMs?: number;
}

/** Start attempts when a port picked by freePort was taken by another process before the bind. */
const portRaceAttempts = 3;

export async function startOfficialService(name: string, options: OfficialServiceOptions = {}): Promise<SdkService> {
  const script = name.includes("/") ? name : join(servicesDir(), `${name}.ts`);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawnChild(node24Path(), ["--disable-warning=ExperimentalWarning", script], {
      cwd: testkitRoot(),
      env: {
        ...options.env,
        CAIRN_SERVICE_PORT: String(port),
        CAIRN_SERVICE_HTTP1: options.http1 === true ? "1" : "0",
      },
      ...(options.echo === undefined ? {} : { echo: options.echo }),
    });
    try {
      await waitForReady(child, name, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await child.stop();
      // freePort releases the port before the service binds it; a parallel test can take it in
      // between, and the service then exits with EADDRINUSE: pick another port (not a given one).
      const raced = options.port === undefined && child.output().includes("EADDRINUSE");
      if (!raced || attempt >= portRaceAttempts) throw error;
      continue;
    }
    const url = `http://127.0.0.1:${port}`;
    return { url, port, child, close: () => child.stop() };
  }
}

async function waitForReady(child: ChildHandle, name: string, timeoutMs: number): Promise<void> {
  const stdout = child.process.stdout;
  if (stdout === null) throw new Error("child has no stdout");
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`service ${name}: not ready after ${timeoutMs} ms\n${child.output()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      if (/^READY \d+$/m.test(chunk.toString("utf8"))) {
        clearTimeout(timer);
        stdout.off("data", onData);
        resolveReady();
      }
    };
    stdout.on("data", onData);
    void child.exited().then((code) => {
      clearTimeout(timer);
      reject(new Error(`service ${name}: exited (${code}) before it was ready\n${child.output()}`));
    });
  });
}
