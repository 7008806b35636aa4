// Public API of @cairn/client: every export is listed by name.
export { VERSION } from "./version.js";
export { connect, rpc, Opts, SendOpts } from "./ingress.js";
export type {
  ConnectionOpts,
  CallOptions,
  SendCallOptions,
  Send,
  Output,
  Ingress,
  IngressClient,
  IngressSendClient,
  IngressWorkflowClient,
  DefinitionLike,
} from "./ingress.js";
export { ClientError, HttpCallError, ConnectionError, ResponseFormatError, UnsafeRetryError } from "./errors.js";
export { serde } from "./serde.js";
export type { Serde } from "./serde.js";
export type { RetryOptions } from "./retry.js";
