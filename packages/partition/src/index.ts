// Public API of @cairn/partition.
export { partitionOf, workerOf } from "./contract.js";
export type {
  DeploymentInfo,
  HandlerInfo,
  HandlerType,
  InvocationFailure,
  InvocationOutcome,
  InvokeRequest,
  InvokeResult,
  MainEvent,
  OpenResult,
  OutboxMessage,
  PartitionConfig,
  RetryPolicy,
  SchemaSnapshot,
  ServiceInfo,
  ServiceType,
  WireError,
  WorkerEvent,
  WorkerTask,
} from "./contract.js";
