// The admin API's JSON views of the metadata (RESTATE-PROTOCOL.md §5.3, §7.2), shaped like
// restate-server 1.7's answers (snake_case; durations in the friendly form; empty maps left out).

import type { RetryPolicy } from "@cairn/partition";
import type {
  AdminHandlerType,
  AdminServiceType,
  DetailedDeploymentResponse,
  HandlerMetadata,
  HttpDeploymentResponse,
  InputPayload,
  ManifestHandler,
  ManifestService,
  OutputPayload,
  RegisterDeploymentResponse,
  ServiceMetadata,
} from "@cairn/protocol";
import { defaultIdempotencyRetentionMs, defaultJournalRetentionMs, defaultWorkflowCompletionRetentionMs } from "./constants.js";
import { formatDurationMs } from "./durations.js";
import type { DeploymentRecord, MetadataState } from "./metadata-store.js";
import { effectiveHandlerType, servicePublic, withOverrides } from "./schema-snapshot.js";

/** Server-wide defaults shown for services that do not set their own. */
export interface ViewDefaults {
  readonly inactivityTimeoutMs: number;
  readonly abortTimeoutMs: number;
  readonly retryPolicy: RetryPolicy;
}

const serviceTypes: Record<ManifestService["ty"], AdminServiceType> = {
  SERVICE: "Service",
  VIRTUAL_OBJECT: "VirtualObject",
  WORKFLOW: "Workflow",
};
const handlerTypes: Record<NonNullable<ManifestHandler["ty"]>, AdminHandlerType> = {
  EXCLUSIVE: "Exclusive",
  SHARED: "Shared",
  WORKFLOW: "Workflow",
};

export function serviceMetadata(
  service: ManifestService,
  deploymentId: string,
  revision: number,
  defaults: ViewDefaults,
  isPublic: boolean = service.ingressPrivate !== true,
): ServiceMetadata {
  const retry = defaults.retryPolicy;
  const view: Record<string, unknown> = {
    name: service.name,
    ty: serviceTypes[service.ty],
    handlers: service.handlers.map((handler) => handlerMetadata(service, handler, isPublic)),
  };
  if (service.documentation !== undefined) view.documentation = service.documentation;
  if (service.metadata !== undefined && Object.keys(service.metadata).length > 0) view.metadata = service.metadata;
  Object.assign(view, {
    deployment_id: deploymentId,
    revision,
    public: isPublic,
    idempotency_retention: formatDurationMs(service.idempotencyRetention ?? defaultIdempotencyRetentionMs),
  });
  if (service.ty === "WORKFLOW") {
    const run = service.handlers.find((h) => effectiveHandlerType(service, h) === "WORKFLOW");
    view.workflow_completion_retention = formatDurationMs(run?.workflowCompletionRetention ?? defaultWorkflowCompletionRetentionMs);
  }
  Object.assign(view, {
    journal_retention: formatDurationMs(service.journalRetention ?? defaultJournalRetentionMs),
    inactivity_timeout: formatDurationMs(service.inactivityTimeout ?? defaults.inactivityTimeoutMs),
    abort_timeout: formatDurationMs(service.abortTimeout ?? defaults.abortTimeoutMs),
    enable_lazy_state: service.enableLazyState ?? false,
    retry_policy: {
      initial_interval: formatDurationMs(service.retryPolicyInitialInterval ?? retry.initialIntervalMs),
      exponentiation_factor: service.retryPolicyExponentiationFactor ?? retry.exponentiationFactor,
      max_attempts: service.retryPolicyMaxAttempts ?? retry.maxAttempts,
      max_interval: formatDurationMs(service.retryPolicyMaxInterval ?? retry.maxIntervalMs),
      on_max_attempts: (service.retryPolicyOnMaxAttempts ?? retry.onMaxAttempts) === "KILL" ? "Kill" : "Pause",
    },
  });
  return view as unknown as ServiceMetadata;
}

export function handlerMetadata(service: ManifestService, handler: ManifestHandler, servicePublic: boolean = service.ingressPrivate !== true): HandlerMetadata {
  const view: Record<string, unknown> = { name: handler.name };
  if (service.ty !== "SERVICE") {
    const ty = effectiveHandlerType(service, handler);
    if (ty !== undefined) view.ty = handlerTypes[ty];
  }
  if (handler.documentation !== undefined) view.documentation = handler.documentation;
  if (handler.metadata !== undefined && Object.keys(handler.metadata).length > 0) view.metadata = handler.metadata;
  if (handler.idempotencyRetention !== undefined) view.idempotency_retention = formatDurationMs(handler.idempotencyRetention);
  if (handler.journalRetention !== undefined) view.journal_retention = formatDurationMs(handler.journalRetention);
  if (handler.inactivityTimeout !== undefined) view.inactivity_timeout = formatDurationMs(handler.inactivityTimeout);
  if (handler.abortTimeout !== undefined) view.abort_timeout = formatDurationMs(handler.abortTimeout);
  if (handler.enableLazyState !== undefined) view.enable_lazy_state = handler.enableLazyState;
  view.public = servicePublic && handler.ingressPrivate !== true;
  view.input_description = describeInput(handler.input);
  view.output_description = describeOutput(handler.output);
  if (handler.input?.jsonSchema !== undefined) view.input_json_schema = handler.input.jsonSchema;
  if (handler.output?.jsonSchema !== undefined) view.output_json_schema = handler.output.jsonSchema;
  const retry: Record<string, unknown> = {};
  if (handler.retryPolicyInitialInterval !== undefined) retry.initial_interval = formatDurationMs(handler.retryPolicyInitialInterval);
  if (handler.retryPolicyExponentiationFactor !== undefined) retry.exponentiation_factor = handler.retryPolicyExponentiationFactor;
  retry.max_attempts = handler.retryPolicyMaxAttempts ?? null;
  if (handler.retryPolicyMaxInterval !== undefined) retry.max_interval = formatDurationMs(handler.retryPolicyMaxInterval);
  if (handler.retryPolicyOnMaxAttempts !== undefined) retry.on_max_attempts = handler.retryPolicyOnMaxAttempts === "KILL" ? "Kill" : "Pause";
  view.retry_policy = retry;
  return view as unknown as HandlerMetadata;
}

function describeInput(input: InputPayload | undefined): string {
  if (input === undefined) return "one of [\"none\", \"value of content-type */*\"]";
  if (input.contentType === undefined) return "none";
  return input.required === true ? `value of content-type '${input.contentType}'` : input.contentType;
}

function describeOutput(output: OutputPayload | undefined): string {
  if (output === undefined) return "application/json";
  return output.contentType ?? "none";
}

export function deploymentResponse(record: DeploymentRecord): HttpDeploymentResponse {
  const view: Record<string, unknown> = {
    id: record.id,
    uri: record.uri,
    protocol_type: record.protocolMode === "REQUEST_RESPONSE" ? "RequestResponse" : "BidiStream",
    http_version: record.useHttp11 ? "HTTP/1.1" : "HTTP/2.0",
  };
  if (Object.keys(record.additionalHeaders).length > 0) view.additional_headers = record.additionalHeaders;
  if (Object.keys(record.metadata).length > 0) view.metadata = record.metadata;
  Object.assign(view, {
    created_at: new Date(record.createdAtMs).toISOString(),
    min_protocol_version: record.minProtocolVersion,
    max_protocol_version: record.maxProtocolVersion,
    sdk_version: record.sdkVersion,
    services: record.services.map((s) => ({ name: s.name, revision: record.revisions[s.name] ?? 0 })),
  });
  return view as unknown as HttpDeploymentResponse;
}

export function deploymentServices(record: DeploymentRecord, defaults: ViewDefaults): ServiceMetadata[] {
  return record.services.map((service) => serviceMetadata(service, record.id, record.revisions[service.name] ?? 0, defaults));
}

export function detailedDeploymentResponse(record: DeploymentRecord, defaults: ViewDefaults): DetailedDeploymentResponse {
  return { ...deploymentResponse(record), services: deploymentServices(record, defaults) };
}

export function registerResponse(record: DeploymentRecord, defaults: ViewDefaults): RegisterDeploymentResponse {
  return {
    id: record.id,
    services: deploymentServices(record, defaults),
    min_protocol_version: record.minProtocolVersion,
    max_protocol_version: record.maxProtocolVersion,
    sdk_version: record.sdkVersion,
  };
}

/** The current definition of every service (or one), from the deployment each points at. */
export function currentServiceMetadata(state: MetadataState, defaults: ViewDefaults, only?: string): ServiceMetadata[] {
  const out: ServiceMetadata[] = [];
  for (const name of Object.keys(state.services).sort()) {
    if (only !== undefined && name !== only) continue;
    const entry = state.services[name];
    const record = entry === undefined ? undefined : state.deployments[entry.deploymentId];
    const service = record?.services.find((s) => s.name === name);
    if (entry === undefined || record === undefined || service === undefined) continue;
    out.push(serviceMetadata(withOverrides(service, entry), record.id, entry.revision, defaults, servicePublic(entry, service)));
  }
  return out;
}
