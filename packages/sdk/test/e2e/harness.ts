// End-to-end harness: starts the runtime under test (the real restate-server, or Cairn's server
// in-process), serves @cairn/sdk services in this process over HTTP/2 or HTTP/1.1, and registers
// them. The suites run once per target; env CAIRN_SDK_E2E_TARGETS=restate|cairn|restate,cairn
// (default both) narrows them.
import { mkdtemp, rm } from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endpoint, type AnyDefinition } from "@cairn/sdk";
import { registerDeployment, startRestateServer } from "@cairn/testkit";

export type Target = "restate" | "cairn";

function parseTargets(raw: string | undefined): Target[] {
  const names = (raw ?? "restate,cairn").split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  for (const n of names) if (n !== "restate" && n !== "cairn") throw new Error(`CAIRN_SDK_E2E_TARGETS: unknown target '${n}' (restate, cairn)`);
  return names as Target[];
}

export const targets: readonly Target[] = parseTargets(process.env.CAIRN_SDK_E2E_TARGETS);

export interface Runtime {
  ingressUrl: string;
  adminUrl: string;
  close(): Promise<void>;
}

export async function startRuntime(target: Target, options: { protocolV7: boolean }): Promise<Runtime> {
  if (target === "cairn") {
    // Cairn always negotiates the highest version both sides speak (V7 with this SDK).
    const { startServer } = await import("@cairn/server");
    const dataDir = await mkdtemp(join(tmpdir(), "cairn-sdk-e2e-"));
    const cairn = await startServer({ dataDir, ingressPort: 0, adminPort: 0, partitions: 2 });
    return {
      ingressUrl: cairn.ingressUrl,
      adminUrl: cairn.adminUrl,
      close: async () => {
        await cairn.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const server = await startRestateServer({ protocolV7: options.protocolV7 });
  return { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, close: () => server.close() };
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves definitions in-process: HTTP/2 bidirectional (`listen`) or HTTP/1.1 request/response. */
export async function serveServices(definitions: readonly AnyDefinition[], transport: "h2" | "h1"): Promise<Served> {
  const e = endpoint();
  for (const d of definitions) e.bind(d);
  if (transport === "h2") {
    const port = await e.listen(0);
    // listen() keeps its server for the process lifetime, like the official SDK's listen().
    return { url: `http://127.0.0.1:${port}`, close: () => Promise.resolve() };
  }
  return listenHttp1(http.createServer(e.http1Handler()));
}

/** Listens on a free loopback port; close() drops open connections and stops the server. */
export async function listenHttp1(server: http.Server): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function register(adminUrl: string, url: string, transport: "h2" | "h1"): Promise<void> {
  await registerDeployment(adminUrl, url, { useHttp11: transport === "h1" });
}

export async function adminPatch(adminUrl: string, path: string): Promise<number> {
  const res = await fetch(`${adminUrl}${path}`, { method: "PATCH" });
  await res.arrayBuffer();
  return res.status;
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
