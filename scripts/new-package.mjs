#!/usr/bin/env node
// Creates packages/<name> from templates/package so that every package starts with the same
// skeleton: src/index.ts (named exports only), test/, tsconfig.json (type-check of src, test and
// bench), tsconfig.build.json (emit of src to dist), vitest.config.ts and a README.
// Usage: node scripts/new-package.mjs <name> "<one-line description>"
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [name, description = ""] = process.argv.slice(2);
if (name === undefined || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs <kebab-case-name> "<description>"');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "packages", name);
if (existsSync(target)) {
  console.error(`packages/${name} exists already`);
  process.exit(1);
}
cpSync(join(root, "templates", "package"), target, { recursive: true });
const fill = (dir) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) fill(path);
    else writeFileSync(path, readFileSync(path, "utf8").replaceAll("__NAME__", name).replaceAll("__DESCRIPTION__", description));
  }
};
fill(target);
console.log(`created packages/${name}; run pnpm install to link it`);
