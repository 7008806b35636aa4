// Public API of @cairn/sdk: every export is listed by name.
export { VERSION } from "./version.js";
export { service, object, workflow, handlers, rpc, Opts, SendOpts } from "./definitions.js";
export type {
  ServiceDefinition,
  VirtualObjectDefinition,
  WorkflowDefinition,
  AnyDefinition,
  ServiceOptions,
  ObjectOptions,
  WorkflowOptions,
  ServiceHandlerOpts,
  ObjectHandlerOpts,
  WorkflowHandlerOpts,
  RetryPolicy,
  ClientCallOptions,
  ClientSendOptions,
  HandlerKind,
} from "./definitions.js";
export type {
  Context,
  ObjectContext,
  ObjectSharedContext,
  WorkflowContext,
  WorkflowSharedContext,
  KeyValueStore,
  TypedState,
  UntypedState,
  Request,
  RunOptions,
  RunAction,
  ContextDate,
  InvocationHandle,
  InvocationId,
  InvocationReference,
  SignalReference,
  DurablePromise,
  GenericCall,
  GenericSend,
  Client,
  SendClient,
} from "./context.js";
export { RestatePromise, isRestatePromise, InvocationPromise } from "./restate-promise.js";
export {
  RestateError,
  TerminalError,
  RetryableError,
  CancelledError,
  TimeoutError,
  JournalMismatchError,
  ProtocolViolationError,
  UnsupportedFeatureError,
  EndpointRequestError,
  DefinitionError,
} from "./errors.js";
export type { RestateErrorOptions, TerminalErrorOptions, RetryableErrorOptions } from "./errors.js";
export { serde } from "./serde.js";
export type { Serde, StandardSchemaV1 } from "./serde.js";
export type { Duration } from "./duration.js";
export type { Rand } from "./rand.js";
export { endpoint, serve } from "./node-endpoint.js";
export type { RestateEndpoint, ServeOptions } from "./node-endpoint.js";
export type { FetchHandlerOptions } from "./fetch-handler.js";
export type { LambdaEvent, LambdaResult, LambdaHandler } from "./lambda-handler.js";
export type { Logger, LogLevel } from "./logger.js";
