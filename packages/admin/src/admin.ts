// The admin side of the main thread: registrations and the service schema, independent of HTTP
// (admin-server.ts serves it).
//
// Owns: the metadata store, the order in which changes apply, and telling the rest of the server
// (workers, ingress) about every change. Does not own: partitions or invocations.
//
// A1. Changes apply one at a time (a lock), each planned against the state the previous one left.
// A2. A change is durable (M1) before anyone hears of it, and every listener has the new snapshot
//     before the admin call that caused it answers.
// A3. Discovery runs outside the lock (it talks to the network); only planning, saving and
//     notifying run inside it, so a slow deployment delays no other registration's commit.
// A4. At most `pendingRegistrationsMax` registrations wait for the lock; past it → 429 (D5).

import type { SchemaSnapshot } from "@cairn/partition";
import { newDeploymentId } from "@cairn/protocol";
import type { RegisterDeploymentResponse, ServiceMetadata } from "@cairn/protocol";
import { discoveryTimeoutMs as defaultDiscoveryTimeoutMs, pendingRegistrationsMax } from "./constants.js";
import { discover } from "./discovery.js";
import { BadRequestError, ConflictError, NotFoundError, NotImplementedError, OverloadedError } from "./errors.js";
import { MetadataStore, type DeploymentRecord, type MetadataState } from "./metadata-store.js";
import { planDeploymentRemoval, planRegistration } from "./registration.js";
import { buildSchemaSnapshot, registeredServices, type RegisteredService } from "./schema-snapshot.js";
import { currentServiceMetadata, registerResponse, type ViewDefaults } from "./views.js";

export interface SchemaChange {
  readonly snapshot: SchemaSnapshot;
  readonly services: readonly RegisteredService[];
}

export interface AdminOptions {
  /** Directory of the metadata file (created if missing). */
  readonly metadataDir: string;
  readonly defaults: ViewDefaults;
  /** Called after every durable change, before the admin call answers (A2). */
  readonly onSchemaChange?: (change: SchemaChange) => Promise<void>;
  readonly discoveryTimeoutMs?: number;
  readonly nowMs?: () => number;
}

export interface RegistrationOutcome {
  readonly status: 200 | 201;
  readonly deploymentId: string;
  readonly body: RegisterDeploymentResponse;
  readonly dryRun: boolean;
}

/** The parsed body of `POST /deployments` (HTTP deployments). */
export interface RegistrationRequest {
  readonly uri: URL;
  readonly useHttp11: boolean;
  readonly additionalHeaders: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly force: boolean;
  readonly breaking: boolean;
  readonly dryRun: boolean;
}

export class Admin {
  readonly #store: MetadataStore;
  readonly #options: AdminOptions;
  #snapshot: SchemaSnapshot;
  #services: readonly RegisteredService[];
  #lock: Promise<void> = Promise.resolve();
  #waiting = 0;
  #onSchemaChange: ((change: SchemaChange) => Promise<void>) | undefined;

  private constructor(store: MetadataStore, options: AdminOptions) {
    this.#store = store;
    this.#options = options;
    this.#snapshot = buildSchemaSnapshot(store.state);
    this.#services = registeredServices(store.state);
    this.#onSchemaChange = options.onSchemaChange;
  }

  /** Loads the metadata (MetadataCorruptError if it cannot be read back). */
  static async open(options: AdminOptions): Promise<Admin> {
    return new Admin(await MetadataStore.open(options.metadataDir), options);
  }

  get state(): MetadataState {
    return this.#store.state;
  }

  get defaults(): ViewDefaults {
    return this.#options.defaults;
  }

  /** The snapshot workers route by; its version is the metadata version. */
  get snapshot(): SchemaSnapshot {
    return this.#snapshot;
  }

  /** The services as the ingress routes them. */
  get services(): readonly RegisteredService[] {
    return this.#services;
  }

  /** Sets (or replaces) the listener told about every change (A2). */
  setSchemaListener(listener: ((change: SchemaChange) => Promise<void>) | undefined): void {
    this.#onSchemaChange = listener;
  }

  /** Parses a `POST /deployments` body; `apiVersion` sets the default of `force` (§5.3). */
  parseRegistration(body: unknown, apiVersion: number): RegistrationRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequestError("the request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    if (fields.arn !== undefined) throw new NotImplementedError("Lambda deployments (arn) are not supported by this server; register an HTTP uri");
    if (typeof fields.uri !== "string" || fields.uri.length === 0) throw new BadRequestError("missing field uri: the deployment's HTTP URI, e.g. http://localhost:9080");
    let uri: URL;
    try {
      uri = new URL(fields.uri);
    } catch {
      throw new BadRequestError(`invalid uri ${JSON.stringify(fields.uri)}: not an absolute URI`);
    }
    if (uri.protocol !== "http:" && uri.protocol !== "https:") {
      throw new BadRequestError(`invalid uri ${JSON.stringify(fields.uri)}: the scheme must be http or https`);
    }
    if (uri.username !== "" || uri.password !== "") throw new BadRequestError("the uri must not carry credentials; use additional_headers");
    if (uri.hash !== "") throw new BadRequestError("the uri must not have a fragment");
    return {
      uri,
      useHttp11: optionalBoolean(fields, "use_http_11") ?? false,
      additionalHeaders: stringMap(fields, "additional_headers"),
      metadata: stringMap(fields, "metadata"),
      force: optionalBoolean(fields, "force") ?? apiVersion <= 2,
      breaking: optionalBoolean(fields, "breaking") ?? false,
      dryRun: optionalBoolean(fields, "dry_run") ?? false,
    };
  }

  /** Discovers and registers a deployment (§5.3). */
  async register(request: RegistrationRequest, apiVersion: number): Promise<RegistrationOutcome> {
    if (this.#waiting >= pendingRegistrationsMax) {
      throw new OverloadedError(`${pendingRegistrationsMax} registrations are already waiting; retry later`);
    }
    this.#waiting += 1;
    try {
      const discovery = await discover({
        uri: request.uri,
        useHttp11: request.useHttp11,
        additionalHeaders: request.additionalHeaders,
        timeoutMs: this.#options.discoveryTimeoutMs ?? defaultDiscoveryTimeoutMs,
      });
      return await this.#exclusive(async () => {
        const plan = planRegistration(this.#store.state, {
          uri: request.uri.href,
          useHttp11: request.useHttp11,
          additionalHeaders: request.additionalHeaders,
          metadata: request.metadata,
          force: request.force,
          breaking: request.breaking,
          apiVersion,
          discovery,
          nowMs: (this.#options.nowMs ?? Date.now)(),
          newDeploymentId: () => newDeploymentId(),
        });
        const state = plan.next ?? this.#store.state;
        const record = state.deployments[plan.deploymentId];
        if (record === undefined) throw new Error(`registration planned deployment ${plan.deploymentId} but it is missing`);
        if (!request.dryRun && plan.next !== undefined) await this.#commit(plan.next);
        return { status: plan.status, deploymentId: plan.deploymentId, body: registerResponse(record, this.#options.defaults), dryRun: request.dryRun };
      });
    } finally {
      this.#waiting -= 1;
    }
  }

  /**
   * Removes a deployment (`DELETE /deployments/{id}`). While services still point at it (it is
   * the latest for them) only `force` removes it, and those services go with it; otherwise 409.
   */
  async removeDeployment(id: string, force = true): Promise<void> {
    await this.#exclusive(async () => {
      if (this.#store.state.deployments[id] === undefined) throw new NotFoundError(`the deployment '${id}' does not exist`);
      const pointing = Object.values(this.#store.state.services).filter((s) => s.deploymentId === id).map((s) => s.name).sort();
      if (!force && pointing.length > 0) {
        throw new ConflictError(
          `the deployment '${id}' is still the latest for ${pointing.map((n) => `'${n}'`).join(", ")}; register a newer deployment of them first, or remove it with force=true (the services go with it)`,
        );
      }
      await this.#commit(planDeploymentRemoval(this.#store.state, id));
    });
  }

  /**
   * `PATCH /deployments/{id}`: moves a deployment to another address (or other headers, or
   * HTTP/1.1) and re-runs discovery there. The endpoint must serve the same services; their
   * definitions and revisions are kept (a changed service needs a new registration). Body:
   * `{"uri"?, "additional_headers"?, "use_http_11"?, "dry_run"?}`.
   */
  async updateDeployment(id: string, body: unknown): Promise<DeploymentRecord> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequestError("the request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    if (fields.arn !== undefined) throw new NotImplementedError("Lambda deployments (arn) are not supported by this server");
    const current = this.deployment(id);
    const parsed = this.parseRegistration(
      {
        uri: fields.uri ?? current.uri,
        use_http_11: fields.use_http_11 ?? current.useHttp11,
        additional_headers: fields.additional_headers ?? current.additionalHeaders,
      },
      4,
    );
    const dryRun = optionalBoolean(fields, "dry_run") ?? false;
    const discovery = await discover({
      uri: parsed.uri,
      useHttp11: parsed.useHttp11,
      additionalHeaders: parsed.additionalHeaders,
      timeoutMs: this.#options.discoveryTimeoutMs ?? defaultDiscoveryTimeoutMs,
    });
    return this.#exclusive(async () => {
      const state = this.#store.state;
      const record = state.deployments[id];
      if (record === undefined) throw new NotFoundError(`the deployment '${id}' does not exist`);
      const uri = parsed.uri.href;
      const other = Object.values(state.deployments).find((d) => d.id !== id && d.uri === uri);
      if (other !== undefined) throw new ConflictError(`the deployment '${other.id}' is already registered at ${uri}`);
      const before = record.services.map((s) => s.name).sort();
      const after = discovery.manifest.services.map((s) => s.name).sort();
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        throw new BadRequestError(
          `the endpoint at ${uri} serves [${after.join(", ")}], but deployment '${id}' serves [${before.join(", ")}]; an update must serve the same services (register a new deployment instead)`,
        );
      }
      const next: DeploymentRecord = {
        ...record,
        uri,
        useHttp11: parsed.useHttp11,
        additionalHeaders: parsed.additionalHeaders,
        protocolMode: discovery.manifest.protocolMode ?? record.protocolMode,
        minProtocolVersion: discovery.manifest.minProtocolVersion,
        maxProtocolVersion: discovery.manifest.maxProtocolVersion,
        sdkVersion: discovery.sdkVersion,
      };
      if (!dryRun) await this.#commit({ ...state, version: state.version + 1, deployments: { ...state.deployments, [id]: next } });
      return next;
    });
  }

  /**
   * `PATCH /services/{name}`: changes what restate-server lets an operator change on a service.
   * Served: `public` (reachability through the ingress). The retention and timeout fields are
   * refused with 501 rather than ignored; unknown fields are ignored, as on restate-server.
   */
  async modifyService(name: string, body: unknown): Promise<ServiceMetadata> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequestError("the request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    for (const field of ["idempotency_retention", "workflow_completion_retention", "journal_retention", "inactivity_timeout", "abort_timeout"]) {
      if (fields[field] !== undefined && fields[field] !== null) throw new NotImplementedError(`changing ${field} is not supported by this server yet; only public is`);
    }
    const visibility = optionalBoolean(fields, "public");
    return this.#exclusive(async () => {
      const entry = this.#store.state.services[name];
      if (entry === undefined) throw new NotFoundError(`the requested service '${name}' does not exist`);
      if (visibility !== undefined && visibility !== entry.public) {
        const state = this.#store.state;
        await this.#commit({ ...state, version: state.version + 1, services: { ...state.services, [name]: { ...entry, public: visibility } } });
      }
      const view = currentServiceMetadata(this.#store.state, this.#options.defaults, name)[0];
      if (view === undefined) throw new NotFoundError(`the requested service '${name}' does not exist`);
      return view;
    });
  }

  deployment(id: string): DeploymentRecord {
    const record = this.#store.state.deployments[id];
    if (record === undefined) throw new NotFoundError(`the deployment '${id}' does not exist`);
    return record;
  }

  async #commit(next: MetadataState): Promise<void> {
    await this.#store.save(next);
    this.#snapshot = buildSchemaSnapshot(next);
    this.#services = registeredServices(next);
    await this.#onSchemaChange?.({ snapshot: this.#snapshot, services: this.#services });
  }

  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.#lock;
    let release!: () => void;
    this.#lock = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function optionalBoolean(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new BadRequestError(`field ${name} must be a boolean`);
  return value;
}

function stringMap(fields: Record<string, unknown>, name: string): Record<string, string> {
  const value = fields[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new BadRequestError(`field ${name} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== "string") throw new BadRequestError(`field ${name}.${key} must be a string`);
    out[key] = item;
  }
  return out;
}

export type { ViewDefaults };
