// Errors of the end-to-end harness. Each has a stable string code; test/errors.test.ts covers
// every class.

export class E2eError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** `CAIRN_E2E_TARGETS` names a target that does not exist. */
export class UnknownTargetError extends E2eError {
  constructor(name: string) {
    super("ERR_E2E_UNKNOWN_TARGET", `unknown e2e target "${name}" (expected restate or cairn)`);
  }
}

/** A target was asked for explicitly but cannot run here (e.g. cairn-server is not built). */
export class TargetUnavailableError extends E2eError {
  constructor(name: string, reason: string) {
    super("ERR_E2E_TARGET_UNAVAILABLE", `e2e target ${name} is unavailable: ${reason}`);
  }
}

/** A target method was called in a state that does not allow it (e.g. restart before start). */
export class TargetStateError extends E2eError {
  constructor(name: string, action: string, state: string) {
    super("ERR_E2E_TARGET_STATE", `e2e target ${name}: cannot ${action} while ${state}`);
  }
}

/** A string that should be an `inv_1…` invocation id is not one. */
export class InvalidInvocationIdError extends E2eError {
  constructor(id: string) {
    super("ERR_E2E_INVALID_INVOCATION_ID", `not an invocation id: ${JSON.stringify(id)}`);
  }
}
