import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // The end-to-end files each start a server and SDK services: one file at a time on 2 cores.
    fileParallelism: false,
  },
});
