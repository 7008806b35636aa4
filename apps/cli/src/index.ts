// Public API of cairn-cli: the command line as a function (the `cairn` binary is dist/main.js).
export { run, commands, globalOptions, cliVersion, mainHelp, commandHelp } from "./cli.js";
export type { Io } from "./cli.js";
export type { CommandSpec, Context } from "./context.js";
export { CliError, UsageError, ApiError, UnreachableError, BadResponseError, NotFoundError, AbortedError, PartialFailureError, StateConflictError } from "./errors.js";
export { ingressPath } from "./commands/invoke.js";
export { invocationStatuses } from "./commands/invocations.js";
