// Where the real peers live on disk: the Node 24 binary from the registry's `node` package
// (the official SDK needs Node ≥ 22), the restate-server binary, and our service fixtures.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(packageRoot, "package.json"));

/** Absolute path of the Node ≥ 22 binary that runs official-SDK services. */
export function node24Path(): string {
  // `node-runtime` is an alias of the registry's `node@24` package; its bin is a real binary.
  const manifest = require.resolve("node-runtime/package.json");
  const candidate = join(dirname(manifest), "bin", "node");
  if (existsSync(candidate)) return candidate;
  const fallback = join(packageRoot, "node_modules", ".bin", "node");
  if (existsSync(fallback)) return fallback;
  throw new Error(`no Node 24 binary found (looked at ${candidate} and ${fallback}); run pnpm install`);
}

/** Absolute path of the real restate-server binary (`@restatedev/restate-server@1.7.12`). */
export function restateServerPath(): string {
  const wrapper = require.resolve("@restatedev/restate-server/package.json");
  const wrapperRequire = createRequire(wrapper);
  const platformPackage = `@restatedev/restate-server-${process.platform}-${process.arch === "x64" ? "x64" : process.arch}`;
  const manifest = wrapperRequire.resolve(`${platformPackage}/package.json`);
  const binary = join(dirname(manifest), "bin", "restate-server");
  if (!existsSync(binary)) throw new Error(`restate-server binary missing at ${binary}`);
  return binary;
}

/** Folder of the official-SDK service fixtures (`services/<name>.ts`). */
export function servicesDir(): string {
  return join(packageRoot, "services");
}

/** Root of this package (its node_modules hold the official SDK and clients). */
export function testkitRoot(): string {
  return packageRoot;
}
