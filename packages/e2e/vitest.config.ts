import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Scenario files start real servers and kill them: one file at a time keeps timings honest
    // on two shared cores (each file already runs its targets one after the other).
    fileParallelism: false,
    // Lists every test, so a skipped target shows with its reason in the run log.
    reporters: ["verbose"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
