// What a registration does to the metadata (RESTATE-PROTOCOL.md §5.3), as restate-server 1.7
// answers it (observed): a pure function from the current state and a discovered manifest to the
// next state and the status to answer.
//
//   same URI, same services, not forced      → 200, unchanged (settings like use_http_11 updated in place)
//   same URI, other services, not forced     → 409
//   same URI, forced                         → overwritten in place (same id): 200, or 201 on admin API v2
//   new URI                                  → 201, a new deployment; a service that changes type → 409 unless breaking/force
//
// Every registration that changes a service's definition gives it a new revision and points it at
// the registering deployment; new invocations go there, in-flight ones stay pinned (D6).

import type { ManifestService } from "@cairn/protocol";
import { deploymentsMax } from "./constants.js";
import type { DiscoveryResult } from "./discovery.js";
import { ConflictError } from "./errors.js";
import type { DeploymentRecord, MetadataState, ServiceRecord } from "./metadata-store.js";

export interface RegistrationInput {
  /** Normalized deployment URI. */
  readonly uri: string;
  readonly useHttp11: boolean;
  readonly additionalHeaders: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly force: boolean;
  readonly breaking: boolean;
  /** Admin API version of the request (prefix `/vN`; unprefixed counts as the latest). */
  readonly apiVersion: number;
  readonly discovery: DiscoveryResult;
  readonly nowMs: number;
  readonly newDeploymentId: () => string;
}

export interface RegistrationPlan {
  readonly status: 200 | 201;
  readonly deploymentId: string;
  /** The state to save; undefined when nothing changes. */
  readonly next: MetadataState | undefined;
}

export function planRegistration(state: MetadataState, input: RegistrationInput): RegistrationPlan {
  const { manifest } = input.discovery;
  const existing = Object.values(state.deployments).find((d) => d.uri === input.uri);

  if (existing !== undefined) {
    const sameServices = canonical(existing.services) === canonical(manifest.services);
    if (!input.force) {
      if (!sameServices) {
        throw new ConflictError(
          `deployment ${existing.id} at ${input.uri} is registered with other services (${describeDiff(existing.services, manifest.services)}); ` +
            "register it with force: true to overwrite it, or serve the new version at a new URI",
        );
      }
      const updated = withSettings(existing, input, existing.services, existing.revisions);
      if (canonical(updated) === canonical(existing)) return { status: 200, deploymentId: existing.id, next: undefined };
      return { status: 200, deploymentId: existing.id, next: replaceDeployment(state, updated, state.services) };
    }
    // Forced: overwrite in place, new revisions for the services whose definition changed.
    checkBreaking(state, manifest.services, input, true);
    const services: Record<string, ServiceRecord> = { ...state.services };
    const revisions: Record<string, number> = {};
    const before = new Map(existing.services.map((s) => [s.name, canonical(s)]));
    for (const service of manifest.services) {
      const current = services[service.name];
      const unchanged = before.get(service.name) === canonical(service) && current?.deploymentId === existing.id;
      const revision = unchanged && current !== undefined ? current.revision : (current?.revision ?? 0) + 1;
      revisions[service.name] = revision;
      // An unchanged service keeps its record, overrides included; a new revision starts afresh.
      services[service.name] = unchanged && current !== undefined ? current : { name: service.name, revision, deploymentId: existing.id };
    }
    // A service the deployment no longer serves, and no other deployment serves, is gone.
    for (const old of existing.services) {
      if (revisions[old.name] === undefined && services[old.name]?.deploymentId === existing.id) delete services[old.name];
    }
    const updated = withSettings(existing, input, manifest.services, revisions);
    const status = input.apiVersion <= 2 ? 201 : 200;
    if (canonical(updated) === canonical(existing) && canonical(services) === canonical(state.services)) {
      return { status, deploymentId: existing.id, next: undefined };
    }
    return { status, deploymentId: existing.id, next: replaceDeployment(state, updated, services) };
  }

  if (Object.keys(state.deployments).length >= deploymentsMax) {
    throw new ConflictError(`${deploymentsMax} deployments are registered, the most this server keeps; delete unused ones first`);
  }
  checkBreaking(state, manifest.services, input, false);
  const id = input.newDeploymentId();
  const services: Record<string, ServiceRecord> = { ...state.services };
  const revisions: Record<string, number> = {};
  for (const service of manifest.services) {
    const revision = (services[service.name]?.revision ?? 0) + 1;
    revisions[service.name] = revision;
    services[service.name] = { name: service.name, revision, deploymentId: id };
  }
  const deployment: DeploymentRecord = {
    id,
    uri: input.uri,
    useHttp11: input.useHttp11,
    protocolMode: manifest.protocolMode ?? (input.useHttp11 ? "REQUEST_RESPONSE" : "BIDI_STREAM"),
    additionalHeaders: input.additionalHeaders,
    metadata: input.metadata,
    createdAtMs: input.nowMs,
    minProtocolVersion: manifest.minProtocolVersion,
    maxProtocolVersion: manifest.maxProtocolVersion,
    sdkVersion: input.discovery.sdkVersion,
    manifestVersion: input.discovery.manifestVersion,
    services: manifest.services,
    revisions,
  };
  return {
    status: 201,
    deploymentId: id,
    next: { ...state, version: state.version + 1, deployments: { ...state.deployments, [id]: deployment }, services },
  };
}

/** A deployment removed; services it was the latest for are removed with it. */
export function planDeploymentRemoval(state: MetadataState, deploymentId: string): MetadataState {
  const deployments = { ...state.deployments };
  delete deployments[deploymentId];
  const services: Record<string, ServiceRecord> = {};
  for (const [name, service] of Object.entries(state.services)) {
    if (service.deploymentId !== deploymentId) services[name] = service;
  }
  return { ...state, version: state.version + 1, deployments, services };
}

function withSettings(
  existing: DeploymentRecord,
  input: RegistrationInput,
  services: readonly ManifestService[],
  revisions: Readonly<Record<string, number>>,
): DeploymentRecord {
  const { manifest } = input.discovery;
  return {
    ...existing,
    useHttp11: input.useHttp11,
    protocolMode: manifest.protocolMode ?? existing.protocolMode,
    additionalHeaders: input.additionalHeaders,
    metadata: input.metadata,
    minProtocolVersion: manifest.minProtocolVersion,
    maxProtocolVersion: manifest.maxProtocolVersion,
    sdkVersion: input.discovery.sdkVersion,
    manifestVersion: input.discovery.manifestVersion,
    services,
    revisions,
  };
}

function replaceDeployment(state: MetadataState, deployment: DeploymentRecord, services: Readonly<Record<string, ServiceRecord>>): MetadataState {
  return { ...state, version: state.version + 1, deployments: { ...state.deployments, [deployment.id]: deployment }, services };
}

/** A service changing its type breaks every caller and every stored invocation of it. */
function checkBreaking(state: MetadataState, services: readonly ManifestService[], input: RegistrationInput, forced: boolean): void {
  if (input.breaking || forced) return;
  for (const service of services) {
    const current = state.services[service.name];
    if (current === undefined) continue;
    const currentDefinition = state.deployments[current.deploymentId]?.services.find((s) => s.name === service.name);
    if (currentDefinition !== undefined && currentDefinition.ty !== service.ty) {
      throw new ConflictError(
        `service ${service.name} would change type from ${currentDefinition.ty} to ${service.ty}, a breaking change; ` +
          "register with breaking: true (or force: true) to accept it",
      );
    }
  }
}

function describeDiff(before: readonly ManifestService[], after: readonly ManifestService[]): string {
  const was = new Map(before.map((s) => [s.name, canonical(s)]));
  const now = new Map(after.map((s) => [s.name, canonical(s)]));
  const added = [...now.keys()].filter((n) => !was.has(n));
  const removed = [...was.keys()].filter((n) => !now.has(n));
  const changed = [...now.keys()].filter((n) => was.has(n) && was.get(n) !== now.get(n));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`added ${added.join(", ")}`);
  if (removed.length > 0) parts.push(`removed ${removed.join(", ")}`);
  if (changed.length > 0) parts.push(`changed ${changed.join(", ")}`);
  return parts.join("; ") || "different definitions";
}

/** JSON with object keys sorted, so equal values compare equal as strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
