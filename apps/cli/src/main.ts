#!/usr/bin/env node
// The cairn binary: runs the command line on this process's argv, environment and terminal.

import { run } from "./cli.js";

// A closed pipe (`cairn … | head`) is not an error of the command.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await run({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
process.exitCode = code;
