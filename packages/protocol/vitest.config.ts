import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests import the public name; point it at the sources so they never run a stale dist/.
    alias: { "@cairn/protocol": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
  bench: {
    include: ["bench/**/*.bench.ts"],
  },
});
