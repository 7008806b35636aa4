import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests import the package by its public name; it resolves to the sources so that a test and the
  // internals it reaches through src/internal.ts share one copy of every class. The crash test's
  // child process runs the built dist instead.
  resolve: {
    alias: { "@cairn/log": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
