// Public API of @cairn/admin: every export is listed by name.
export { Admin } from "./admin.js";
export type { AdminOptions, RegistrationOutcome, RegistrationRequest, SchemaChange, ViewDefaults } from "./admin.js";
export { startAdminServer } from "./admin-server.js";
export type { AdminServer, AdminServerOptions } from "./admin-server.js";
export type { MetricsSource } from "./metrics-route.js";
export { discover, discoverUrl } from "./discovery.js";
export type { DiscoveryRequest, DiscoveryResult } from "./discovery.js";
export { MetadataStore, emptyMetadata } from "./metadata-store.js";
export type { DeploymentRecord, MetadataState, ServiceOptionOverrides, ServiceRecord } from "./metadata-store.js";
export { planRegistration, planDeploymentRemoval, canonical } from "./registration.js";
export type { RegistrationInput, RegistrationPlan } from "./registration.js";
export { buildSchemaSnapshot, registeredServices, effectiveHandlerType, invocationBaseUri } from "./schema-snapshot.js";
export type { RegisteredHandler, RegisteredService } from "./schema-snapshot.js";
export { formatDurationMs } from "./durations.js";
export { sqlMetadataRows } from "./sql-metadata.js";
export type { SqlMetadataRows } from "./sql-metadata.js";
export { adminOpenApi, serviceOpenApi } from "./openapi.js";
export type { QueryHook, StateHook, StateReplaceRequest } from "./introspection-routes.js";
export { setInvocationControl, routeInvocation } from "./invocation-routes.js";
export type { InvocationControl, InvocationAnswer } from "./invocation-routes.js";
export {
  AdminError,
  BadRequestError,
  UnsupportedApiVersionError,
  InvalidDeploymentError,
  NotFoundError,
  MethodNotAllowedError,
  ConflictError,
  NotStartedError,
  UnprocessableEntityError,
  PayloadTooLargeError,
  OverloadedError,
  DiscoveryError,
  NotImplementedError,
  MetadataCorruptError,
  NotAcceptableError,
  RequestTimeoutError,
  UnavailableError,
} from "./errors.js";
export {
  adminApiVersionMin,
  adminApiVersionMax,
  adminRequestBodyBytesMax,
  manifestBytesMax,
  discoveryTimeoutMs,
  pendingRegistrationsMax,
  deploymentsMax,
} from "./constants.js";
