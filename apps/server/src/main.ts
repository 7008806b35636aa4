#!/usr/bin/env node
// cairn-server: flags, environment and config file → @cairn/server; clean shutdown on SIGTERM
// and SIGINT. Exit codes: 0 stopped cleanly, 1 failed to start or crashed, 2 bad configuration.

import { readFileSync } from "node:fs";
import { serverVersion, startServer, type CairnServer } from "@cairn/server";
import { helpText, resolveCommand, UsageError, type Command } from "./config.js";
import { jsonLogger } from "./json-log.js";

async function main(): Promise<number> {
  let command: Command;
  try {
    command = resolveCommand({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), readFile: (path) => readFileSync(path, "utf8") });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cairn-server: ${error.message}\nRun cairn-server --help for the options.\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === "help") {
    process.stdout.write(helpText(serverVersion));
    return 0;
  }
  if (command.kind === "version") {
    process.stdout.write(`cairn-server ${serverVersion}\n`);
    return 0;
  }

  const logger = jsonLogger(command.logLevel);
  if (command.configFile !== undefined) logger("info", "config file read", { path: command.configFile });

  // Signals are handled from the start: one that arrives while the server is starting stops it as
  // soon as it has started (its partitions opened), instead of killing it half-way.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const handle = (signal: NodeJS.Signals): void => {
    if (onSignal !== undefined) onSignal(signal);
    else if (signalled === undefined) {
      signalled = signal;
      logger("info", `${signal} received while starting: stopping once started`, {});
    } else {
      logger("warn", `second ${signal}: exiting without waiting`, {});
      process.exit(1);
    }
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);

  let server: CairnServer;
  try {
    server = await startServer({ ...command.options, logger, logLevel: command.logLevel });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    logger("error", "cairn server failed to start", { error: (error as Error).message, ...(typeof code === "string" ? { code } : {}) });
    return 1;
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    onSignal = (signal) => {
      if (stopping) {
        logger("warn", `second ${signal}: exiting without waiting`, {});
        resolveExit(1);
        return;
      }
      stopping = true;
      logger("info", `${signal} received: stopping`, {});
      server.close().then(
        () => resolveExit(0),
        (error: unknown) => {
          logger("error", "cairn server did not stop cleanly", { error: (error as Error).message });
          resolveExit(1);
        },
      );
    };
    if (signalled !== undefined) onSignal(signalled);
  });
}

process.on("uncaughtException", (error) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "uncaught exception", error: error.stack ?? error.message })}\n`);
  process.exit(1);
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "cairn server crashed", error: String(error) })}\n`);
    process.exit(1);
  },
);
