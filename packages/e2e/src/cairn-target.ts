// The target under development: cairn-server (apps/server), spawned on this machine's Node
// (the server must run on Node ≥ 20) with `--data-dir --ingress-port --admin-port --bind
// --partitions`, ready once `GET {admin}/health` and `GET {ingress}/restate/health` answer 200.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, httpOk, spawnChild, waitUntil } from "@cairn/testkit";
import { partitionCount, serverEntryEnvVar, serverReadyTimeoutMs } from "./constants.js";
import { TargetUnavailableError } from "./errors.js";
import { type Launched, ProcessTarget, type Target } from "./target.js";

/** Repository root, from this module's place in packages/e2e/{src,dist}/. */
function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

/**
 * The script that starts cairn-server: `CAIRN_E2E_SERVER_ENTRY` if set, else the `cairn-server`
 * bin of apps/server/package.json, else apps/server/dist/main.js.
 */
export function cairnServerEntry(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[serverEntryEnvVar];
  if (override !== undefined && override !== "") return resolve(override);
  const appDir = join(repoRoot(), "apps", "server");
  const manifestPath = join(appDir, "package.json");
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.["cairn-server"];
    if (bin !== undefined) return join(appDir, bin);
  }
  return join(appDir, "dist", "main.js");
}

/** Why cairn-server cannot run here, or undefined when its entry script exists. */
export function cairnUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const entry = cairnServerEntry(env);
  if (existsSync(entry)) return undefined;
  return `cairn-server is not built (no ${entry}); build apps/server, or run CAIRN_E2E_TARGETS=restate`;
}

export function cairnTarget(env: NodeJS.ProcessEnv = process.env): Target {
  return new ProcessTarget("cairn", async (dataDir: string): Promise<Launched> => {
    const reason = cairnUnavailableReason(env);
    if (reason !== undefined) throw new TargetUnavailableError("cairn", reason);
    const [ingressPort, adminPort] = [await freePort(), await freePort()];
    const child = spawnChild(process.execPath, [
      cairnServerEntry(env),
      "--data-dir",
      dataDir,
      "--ingress-port",
      String(ingressPort),
      "--admin-port",
      String(adminPort),
      "--bind",
      "127.0.0.1",
      "--partitions",
      String(partitionCount),
    ]);
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    try {
      await waitUntil("cairn-server admin", child, () => httpOk(`${adminUrl}/health`), serverReadyTimeoutMs);
      await waitUntil("cairn-server ingress", child, () => httpOk(`${ingressUrl}/restate/health`), serverReadyTimeoutMs);
    } catch (error) {
      await child.kill("SIGKILL");
      throw error;
    }
    return { ingressUrl, adminUrl, child };
  });
}
