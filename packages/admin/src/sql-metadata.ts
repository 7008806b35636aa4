// The metadata as the SQL introspection tables `sys_service` and `sys_deployment` show it
// (RESTATE-PROTOCOL.md §7.4); structurally @cairn/introspection's MetadataRows.

import type { MetadataState } from "./metadata-store.js";
import { servicePublic } from "./schema-snapshot.js";

export interface SqlMetadataRows {
  readonly version: number;
  readonly services: readonly { name: string; revision: number; public: boolean; ty: string; deployment_id: string }[];
  readonly deployments: readonly {
    id: string;
    ty: string;
    endpoint: string;
    created_at_ms: number;
    min_service_protocol_version: number;
    max_service_protocol_version: number;
    services: readonly string[];
  }[];
}

const serviceTypes = { SERVICE: "service", VIRTUAL_OBJECT: "virtual_object", WORKFLOW: "workflow" } as const;

/** Rows of sys_service (current services) and sys_deployment (every deployment). */
export function sqlMetadataRows(state: MetadataState): SqlMetadataRows {
  const services: SqlMetadataRows["services"][number][] = [];
  for (const [name, entry] of Object.entries(state.services)) {
    const service = state.deployments[entry.deploymentId]?.services.find((s) => s.name === name);
    if (service === undefined) continue;
    services.push({ name, revision: entry.revision, public: servicePublic(entry, service), ty: serviceTypes[service.ty], deployment_id: entry.deploymentId });
  }
  const deployments = Object.values(state.deployments).map((record) => ({
    id: record.id,
    ty: "http",
    endpoint: record.uri,
    created_at_ms: record.createdAtMs,
    min_service_protocol_version: record.minProtocolVersion,
    max_service_protocol_version: record.maxProtocolVersion,
    services: record.services.map((s) => s.name),
  }));
  return { version: state.version, services, deployments };
}
