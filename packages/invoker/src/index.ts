// Public API of @cairn/invoker: every export is listed by name.
export { Attempt, decodeError, decodeSuspension, encodeStart, invocationContentType, invokeUrl } from "./attempt.js";
export type {
  AttemptDeployment,
  AttemptListener,
  AttemptOutcome,
  AttemptRequest,
  JournalFrame,
  SdkError,
  StartFields,
  Terminal,
} from "./attempt.js";
export { Invoker, chooseProtocolVersion } from "./invoker.js";
export type { InvokerOptions } from "./invoker.js";
export { H2cPool } from "./h2c/pool.js";
export type { H2cPoolOptions } from "./h2c/pool.js";
export type { H2cRequest, H2cStreamHandler } from "./h2c/connection.js";
export { SessionPool } from "./session-pool.js";
export { FrameReader, frame } from "./frame-reader.js";
export type { RawFrame } from "./frame-reader.js";
export { defaultRetryPolicy, nextRetry, resolveRetryPolicy } from "./retry-policy.js";
export type { RetryDecision, RetryPolicySpec } from "./retry-policy.js";
export {
  AbortTimeoutError,
  AttemptAbortedError,
  ConnectError,
  ContentTypeError,
  H2cConnectionError,
  H2cStreamError,
  HttpStatusError,
  InvokerError,
  MissingTerminalError,
  ProtocolViolationError,
  UnsupportedProtocolVersionError,
} from "./errors.js";
export {
  defaultAbortTimeoutMs,
  defaultInactivityTimeoutMs,
  framePayloadBytesMax,
  protocolVersionMax,
  protocolVersionMin,
} from "./constants.js";
