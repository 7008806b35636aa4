// Public API of @cairn/ingress: every export is listed by name.
export { IngressHandler, PendingRequest } from "./ingress-handler.js";
export type {
  AttachCall,
  AttachOutcome,
  Dispatcher,
  DispatchCall,
  IngressHandlerOptions,
  PendingAction,
  Prepared,
  RequestHead,
  SignalCall,
} from "./ingress-handler.js";
export { startIngress, uwsAvailability } from "./ingress-server.js";
export type { IngressServer, StartIngressOptions } from "./ingress-server.js";
export type { IngressImplementation, IngressTransport } from "./transport.js";
export { compileIngressSchema, checkInput, emptySchema } from "./schema.js";
export type {
  CompiledHandler,
  CompiledService,
  HandlerType,
  IngressHandlerDefinition,
  IngressSchema,
  IngressServiceDefinition,
  InputPayload,
  InputRules,
  OutputPayload,
  ServiceType,
} from "./schema.js";
export type { Header, IngressResponse } from "./responses.js";
export { parseDurationMs, DurationSyntaxError } from "./duration.js";
export {
  IngressError,
  BadRequestError,
  InvalidInputError,
  InvalidDelayError,
  PrivateServiceError,
  NotFoundError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  OverloadedError,
  NotImplementedError,
  UnavailableError,
  InternalError,
  UnsupportedImplementationError,
} from "./errors.js";
export {
  requestBodyBytesMax,
  inflightRequestsMax,
  bufferedBodyBytesMax,
  delayMsMax,
  idempotencyKeyLengthMax,
} from "./constants.js";
