// From the metadata to what the rest of the server routes by:
//   - the SchemaSnapshot the partition workers get (contract.ts), whole, on every change (C4);
//   - the service definitions the ingress compiles its routing and validation from.
// Both are derived state: rebuilt from the metadata, never stored.

import type { DeploymentInfo, HandlerInfo, HandlerType, RetryPolicy, SchemaSnapshot, ServiceInfo } from "@cairn/partition";
import type { InputPayload, ManifestHandler, ManifestInvocationOptions, ManifestService, OutputPayload, ServiceType } from "@cairn/protocol";
import type { DeploymentRecord, MetadataState, ServiceRecord } from "./metadata-store.js";

/** A registered service as the ingress needs it (structurally an ingress service definition). */
export interface RegisteredService {
  readonly name: string;
  readonly ty: ServiceType;
  readonly public: boolean;
  readonly handlers: readonly RegisteredHandler[];
}

export interface RegisteredHandler {
  readonly name: string;
  /** Effective type: unset for plain services, the default filled in for objects and workflows. */
  readonly ty: HandlerType | undefined;
  readonly public: boolean;
  readonly input: InputPayload | undefined;
  readonly output: OutputPayload | undefined;
}

/** The handler type in force: the manifest's, or the default of the service type. */
export function effectiveHandlerType(service: ManifestService, handler: ManifestHandler): HandlerType | undefined {
  if (handler.ty !== undefined) return handler.ty;
  if (service.ty === "WORKFLOW") return "WORKFLOW";
  if (service.ty === "VIRTUAL_OBJECT") return "EXCLUSIVE";
  return undefined;
}

/** Base URI for invocations: no trailing slash on the path, query kept (§1.1). */
export function invocationBaseUri(uri: string): string {
  const url = new URL(uri);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}${url.search}`;
}

/** Whether a service is reachable through the ingress: the admin override, else the manifest. */
export function servicePublic(entry: ServiceRecord | undefined, service: ManifestService): boolean {
  return entry?.public ?? service.ingressPrivate !== true;
}

/**
 * The manifest's service definition with the `PATCH /services/{name}` overrides applied: the
 * service-level options, and the workflow completion retention of its workflow handler.
 */
export function withOverrides(service: ManifestService, entry: ServiceRecord | undefined): ManifestService {
  const o = entry?.options;
  if (o === undefined) return service;
  const out: { -readonly [K in keyof ManifestService]: ManifestService[K] } = { ...service };
  if (o.idempotencyRetentionMs !== undefined) out.idempotencyRetention = o.idempotencyRetentionMs;
  if (o.journalRetentionMs !== undefined) out.journalRetention = o.journalRetentionMs;
  if (o.inactivityTimeoutMs !== undefined) out.inactivityTimeout = o.inactivityTimeoutMs;
  if (o.abortTimeoutMs !== undefined) out.abortTimeout = o.abortTimeoutMs;
  const retention = o.workflowCompletionRetentionMs;
  if (retention !== undefined) {
    out.handlers = service.handlers.map((h) => (effectiveHandlerType(service, h) === "WORKFLOW" ? { ...h, workflowCompletionRetention: retention } : h));
  }
  return out;
}

/** The definition of each current service, from the deployment it points at. */
export function currentServices(state: MetadataState): { record: DeploymentRecord; service: ManifestService; revision: number; entry: ServiceRecord }[] {
  const out: { record: DeploymentRecord; service: ManifestService; revision: number; entry: ServiceRecord }[] = [];
  for (const name of Object.keys(state.services).sort()) {
    const entry = state.services[name];
    if (entry === undefined) continue;
    const record = state.deployments[entry.deploymentId];
    const found = record?.services.find((s) => s.name === name);
    if (record === undefined || found === undefined) continue;
    out.push({ record, service: withOverrides(found, entry), revision: entry.revision, entry });
  }
  return out;
}

export function buildSchemaSnapshot(state: MetadataState): SchemaSnapshot {
  const deployments: Record<string, DeploymentInfo> = {};
  for (const record of Object.values(state.deployments)) {
    deployments[record.id] = {
      id: record.id,
      uri: invocationBaseUri(record.uri),
      useHttp11: record.useHttp11,
      additionalHeaders: { ...record.additionalHeaders },
      minProtocolVersion: record.minProtocolVersion,
      maxProtocolVersion: record.maxProtocolVersion,
    };
  }
  const services: Record<string, ServiceInfo> = {};
  for (const { record, service, revision, entry } of currentServices(state)) {
    const isPublic = servicePublic(entry, service);
    const handlers: Record<string, HandlerInfo> = {};
    for (const handler of service.handlers) {
      const info: HandlerInfo = {
        name: handler.name,
        ty: effectiveHandlerType(service, handler),
        public: isPublic && handler.ingressPrivate !== true,
        inputEmptyAllowed: handler.input?.required !== true,
        ...options(handler),
      };
      const contentType = handler.input === undefined ? undefined : handler.input.contentType;
      if (contentType !== undefined) info.inputContentType = contentType;
      if (handler.workflowCompletionRetention !== undefined) info.workflowCompletionRetentionMs = handler.workflowCompletionRetention;
      handlers[handler.name] = info;
    }
    services[service.name] = {
      name: service.name,
      ty: service.ty,
      deploymentId: record.id,
      revision,
      public: isPublic,
      handlers,
      ...options(service),
    };
  }
  return { version: state.version, deployments, services };
}

export function registeredServices(state: MetadataState): RegisteredService[] {
  return currentServices(state).map(({ service, entry }) => ({
    name: service.name,
    ty: service.ty,
    public: servicePublic(entry, service),
    handlers: service.handlers.map((handler) => ({
      name: handler.name,
      ty: effectiveHandlerType(service, handler),
      public: handler.ingressPrivate !== true,
      input: handler.input,
      output: handler.output,
    })),
  }));
}

type InfoOptions = Pick<
  ServiceInfo,
  "inactivityTimeoutMs" | "abortTimeoutMs" | "journalRetentionMs" | "idempotencyRetentionMs" | "enableLazyState" | "retryPolicy"
>;

function options(source: ManifestInvocationOptions): InfoOptions {
  const out: InfoOptions = {};
  if (source.inactivityTimeout !== undefined) out.inactivityTimeoutMs = source.inactivityTimeout;
  if (source.abortTimeout !== undefined) out.abortTimeoutMs = source.abortTimeout;
  if (source.journalRetention !== undefined) out.journalRetentionMs = source.journalRetention;
  if (source.idempotencyRetention !== undefined) out.idempotencyRetentionMs = source.idempotencyRetention;
  if (source.enableLazyState !== undefined) out.enableLazyState = source.enableLazyState;
  const retry: Partial<RetryPolicy> = {};
  if (source.retryPolicyInitialInterval !== undefined) retry.initialIntervalMs = source.retryPolicyInitialInterval;
  if (source.retryPolicyMaxInterval !== undefined) retry.maxIntervalMs = source.retryPolicyMaxInterval;
  if (source.retryPolicyMaxAttempts !== undefined) retry.maxAttempts = source.retryPolicyMaxAttempts;
  if (source.retryPolicyExponentiationFactor !== undefined) retry.exponentiationFactor = source.retryPolicyExponentiationFactor;
  if (source.retryPolicyOnMaxAttempts !== undefined) retry.onMaxAttempts = source.retryPolicyOnMaxAttempts;
  if (Object.keys(retry).length > 0) out.retryPolicy = retry;
  return out;
}
