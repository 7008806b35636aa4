// Public API of @cairn/server: every export is listed by name.
export { startServer } from "./server.js";
export type { CairnServer, ServerOptions } from "./server.js";
export type { Logger, LogLevel } from "./logger.js";
export { silentLogger } from "./logger.js";
export { ServerError, InvalidOptionsError, DataDirError, PartitionCountMismatchError, DataDirLockedError, WorkerStartError } from "./errors.js";
export {
  serverVersion,
  defaultDataDir,
  defaultIngressPort,
  defaultAdminPort,
  defaultBind,
  defaultPartitions,
  partitionsMax,
  defaultWorkers,
  defaultInactivityTimeoutMs,
  defaultAbortTimeoutMs,
  defaultRetryPolicy,
  defaultInflightInvocationsMax,
  defaultInboxLengthMax,
  defaultWorkerQueueMax,
  defaultCloseGraceMs,
} from "./constants.js";
