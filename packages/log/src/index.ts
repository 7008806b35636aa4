// Public API of @cairn/log: every export is listed by name.
export { openLog } from "./log.js";
export type { Log, LogStats, LogTail, ReadOptions } from "./log.js";
export type { LogRecord } from "./reader.js";
export type { RecoveryReport } from "./recovery.js";
export { defaultLogOptions } from "./options.js";
export type { LogOptions } from "./options.js";
export {
  LogBackpressureError,
  LogBatchTooLargeError,
  LogClosedError,
  LogCorruptionError,
  LogError,
  LogInvalidArgumentError,
  LogIoError,
  LogLockedError,
  LogRecordTooLargeError,
  LogSealedError,
  LogTrimmedError,
  logErrorClasses,
  logErrorFromWire,
} from "./errors.js";
export type { LogErrorCode, LogErrorWire } from "./errors.js";
