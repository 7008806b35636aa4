// Every way a cairn command fails, each with a stable code and the process exit status it maps
// to: 2 for a usage error (the command line itself is wrong), 1 for everything the server or the
// network answered (the command was fine, the world was not).

export abstract class CliError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: 1 | 2;
}

/** Bad flags, a missing argument, a malformed value: nothing was sent. */
export class UsageError extends CliError {
  readonly code = "ERR_CLI_USAGE";
  readonly exitCode = 2;
  override readonly name = "UsageError";
}

/** The server answered with a non-2xx status; `message` carries its own message. */
export class ApiError extends CliError {
  readonly code = "ERR_CLI_API";
  readonly exitCode = 1;
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly restateCode: string | undefined,
  ) {
    super(message);
  }
}

/** The server could not be reached (refused, DNS, reset) or did not answer in time. */
export class UnreachableError extends CliError {
  readonly code = "ERR_CLI_UNREACHABLE";
  readonly exitCode = 1;
  override readonly name = "UnreachableError";
}

/** The server answered 2xx, but not with what the command expects (wrong shape, not JSON). */
export class BadResponseError extends CliError {
  readonly code = "ERR_CLI_BAD_RESPONSE";
  readonly exitCode = 1;
  override readonly name = "BadResponseError";
}

/** A thing named on the command line does not exist (an invocation id no query returns). */
export class NotFoundError extends CliError {
  readonly code = "ERR_CLI_NOT_FOUND";
  readonly exitCode = 1;
  override readonly name = "NotFoundError";
}

/** The user answered no to a confirmation prompt; nothing was changed. */
export class AbortedError extends CliError {
  readonly code = "ERR_CLI_ABORTED";
  readonly exitCode = 1;
  override readonly name = "AbortedError";
}

/** Some operations of a bulk command failed; the others were applied. */
export class PartialFailureError extends CliError {
  readonly code = "ERR_CLI_PARTIAL_FAILURE";
  readonly exitCode = 1;
  override readonly name = "PartialFailureError";
}

/** A state change was dropped: the key's state changed between the read and the write. */
export class StateConflictError extends CliError {
  readonly code = "ERR_CLI_STATE_CONFLICT";
  readonly exitCode = 1;
  override readonly name = "StateConflictError";
}
