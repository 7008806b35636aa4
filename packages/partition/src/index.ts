// Public API of @cairn/partition.
export { channelTaskKinds, partitionOf, workerOf } from "./contract.js";
export type {
  AnswerBatch,
  AttachTaskResult,
  ChannelTask,
  ControlTaskOp,
  ControlTaskResult,
  DeploymentInfo,
  HandlerInfo,
  HandlerType,
  InvocationFailure,
  InvocationOutcome,
  InvokeRequest,
  InvokeResult,
  MainEvent,
  MetricsTaskResult,
  OpenResult,
  OutboxMessage,
  PartitionConfig,
  RetryPolicy,
  SchemaSnapshot,
  ServiceInfo,
  ServiceType,
  SignalTaskResult,
  SetStateTaskResult,
  TaskBatch,
  WireError,
  WorkerEvent,
  WorkerTask,
} from "./contract.js";
export { workerEntryPath, workerEntryUrl } from "./worker-entry.js";
export {
  BadRequestError,
  CommandDecodeError,
  InboxFullError,
  PartitionClosedError,
  PartitionError,
  PartitionNotOwnedError,
  PartitionQueueFullError,
  ServiceNotFoundError,
  StoreCorruptError,
  StateConflictError,
  WorkerStateError,
  WrongPartitionError,
  partitionErrorClasses,
  partitionErrorFromWire,
  toWireError,
} from "./errors.js";
export type { PartitionErrorCode } from "./errors.js";
export {
  defaultInboxLengthMax,
  defaultInflightInvocationsMax,
  defaultIdempotencyRetentionMs,
  defaultOutboxLengthMax,
  defaultWorkflowRetentionMs,
  requestBodyBytesLimit,
} from "./constants.js";
export { idempotentServicePartitionKey } from "./idempotency.js";
export { stateVersion } from "./state-version.js";
