// Regenerates src/gen from proto/ with buf and protoc-gen-es (config: buf.gen.yaml).
//
// buf is taken from its per-platform npm package (@bufbuild/buf-<os>-<arch>, an optional
// dependency, so only the matching one is installed) instead of the `@bufbuild/buf` wrapper: the
// wrapper has an install script, which the workspace's build-script policy refuses, and all it
// does is locate the same binary.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as process from "node:process";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** @type {Record<string, [string, string]>} */
const platforms = {
  "darwin arm64": ["@bufbuild/buf-darwin-arm64", "buf"],
  "darwin x64": ["@bufbuild/buf-darwin-x64", "buf"],
  "linux arm64": ["@bufbuild/buf-linux-aarch64", "buf"],
  "linux arm": ["@bufbuild/buf-linux-armv7", "buf"],
  "linux x64": ["@bufbuild/buf-linux-x64", "buf"],
  "win32 arm64": ["@bufbuild/buf-win32-arm64", "buf.exe"],
  "win32 x64": ["@bufbuild/buf-win32-x64", "buf.exe"],
};

const platform = `${process.platform} ${process.arch}`;
const entry = Object.hasOwn(platforms, platform) ? platforms[platform] : undefined;
if (entry === undefined) {
  process.stderr.write(`generate: no buf binary is published for ${platform}\n`);
  process.exit(1);
}
const [pkg, exe] = entry;
/** @type {string} */
let buf;
try {
  buf = join(dirname(require.resolve(`${pkg}/package.json`)), "bin", exe);
} catch {
  process.stderr.write(`generate: ${pkg} is not installed; run the workspace install first\n`);
  process.exit(1);
}

// protoc-gen-es is found on PATH by buf, so put this package's node_modules/.bin first.
const env = { ...process.env, PATH: [join(packageDir, "node_modules", ".bin"), process.env.PATH].join(delimiter) };
const result = spawnSync(buf, ["generate"], { cwd: packageDir, env, stdio: "inherit" });
if (result.error !== undefined) {
  process.stderr.write(`generate: cannot run ${buf}: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
