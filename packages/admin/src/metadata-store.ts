// Durable metadata of the server: deployments, the services they registered (with revisions) and
// the schema version. One JSON file, replaced atomically on every change.
//
//   {dir}/schema.json => {"format": 1, "version": u32, "deployments": {id: DeploymentRecord},
//                         "services": {name: ServiceRecord}}
//
// Owns: the file and its in-memory copy. Does not own: what a registration means (registration.ts)
// or how the state is shown (views.ts) or sent to workers (schema-snapshot.ts).
//
// M1. The file on disk is always one whole state: written to a temporary file, fsynced, renamed
//     over the old one, and the directory fsynced, so a crash leaves the old or the new state.
// M2. `version` strictly increases with every saved change (C4: workers ignore older snapshots).
// M3. After save() resolves the in-memory state is the state on disk; save() calls run one at a time.

import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ManifestService, ProtocolMode } from "@cairn/protocol";
import { metadataFileName, metadataFormatVersion } from "./constants.js";
import { MetadataCorruptError } from "./errors.js";

export interface DeploymentRecord {
  readonly id: string;
  /** Normalized (`new URL(uri).href`), as restate-server shows it. */
  readonly uri: string;
  readonly useHttp11: boolean;
  readonly protocolMode: ProtocolMode;
  readonly additionalHeaders: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAtMs: number;
  readonly minProtocolVersion: number;
  readonly maxProtocolVersion: number;
  /** `x-restate-server` of the discovery answer. */
  readonly sdkVersion: string | null;
  readonly manifestVersion: number;
  /** The services as discovered (validated manifest entries). */
  readonly services: readonly ManifestService[];
  /** The revision of each of its services this deployment registered. */
  readonly revisions: Readonly<Record<string, number>>;
}

export interface ServiceRecord {
  readonly name: string;
  /** Latest revision; each registration that changes the service increments it. */
  readonly revision: number;
  /** The deployment new invocations of the service go to. */
  readonly deploymentId: string;
  /**
   * `PATCH /services/{name}` override of the manifest's ingress visibility. It belongs to the
   * revision: a registration that gives the service a new revision drops it, as on restate-server.
   */
  readonly public?: boolean;
  /**
   * `PATCH /services/{name}` overrides of the manifest's service-level options (milliseconds).
   * Like `public`, they belong to the revision and a new revision drops them.
   */
  readonly options?: ServiceOptionOverrides;
}

export interface ServiceOptionOverrides {
  readonly idempotencyRetentionMs?: number;
  readonly workflowCompletionRetentionMs?: number;
  readonly journalRetentionMs?: number;
  readonly inactivityTimeoutMs?: number;
  readonly abortTimeoutMs?: number;
}

export interface MetadataState {
  readonly format: number;
  readonly version: number;
  readonly deployments: Readonly<Record<string, DeploymentRecord>>;
  readonly services: Readonly<Record<string, ServiceRecord>>;
}

export const emptyMetadata: MetadataState = Object.freeze({ format: metadataFormatVersion, version: 0, deployments: {}, services: {} });

export class MetadataStore {
  readonly #dir: string;
  readonly #path: string;
  #state: MetadataState;
  #saving: Promise<void> = Promise.resolve();

  private constructor(dir: string, state: MetadataState) {
    this.#dir = dir;
    this.#path = join(dir, metadataFileName);
    this.#state = state;
  }

  /** Opens (creating the directory if needed) and loads the metadata; throws MetadataCorruptError on a bad file. */
  static async open(dir: string): Promise<MetadataStore> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, metadataFileName);
    // A temporary file left by a crash mid-save is garbage: the rename never happened (M1).
    await rm(`${path}.tmp`, { force: true });
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new MetadataStore(dir, emptyMetadata);
      throw error;
    }
    return new MetadataStore(dir, parseState(path, text));
  }

  get state(): MetadataState {
    return this.#state;
  }

  get path(): string {
    return this.#path;
  }

  /** Makes `next` durable, then current. `next.version` must be greater than the current one (M2). */
  save(next: MetadataState): Promise<void> {
    const run = this.#saving.then(() => this.#write(next));
    this.#saving = run.catch(() => undefined);
    return run;
  }

  async #write(next: MetadataState): Promise<void> {
    if (!(next.version > this.#state.version)) {
      throw new RangeError(`metadata version must increase: ${next.version} after ${this.#state.version}`);
    }
    const temporary = `${this.#path}.tmp`;
    const file = await open(temporary, "w", 0o644);
    try {
      await file.writeFile(`${JSON.stringify(next, null, 1)}\n`, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.#path);
    const dir = await open(this.#dir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#state = next;
  }
}

function parseState(path: string, text: string): MetadataState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MetadataCorruptError(`metadata file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const state = value as Partial<MetadataState> | null;
  if (state === null || typeof state !== "object") throw new MetadataCorruptError(`metadata file ${path} does not hold an object`);
  if (state.format !== metadataFormatVersion) {
    throw new MetadataCorruptError(`metadata file ${path} has format ${String(state.format)}; this server reads format ${metadataFormatVersion}`);
  }
  if (typeof state.version !== "number" || !Number.isSafeInteger(state.version) || state.version < 0) {
    throw new MetadataCorruptError(`metadata file ${path} has no valid version`);
  }
  if (typeof state.deployments !== "object" || state.deployments === null || typeof state.services !== "object" || state.services === null) {
    throw new MetadataCorruptError(`metadata file ${path} lacks deployments or services`);
  }
  for (const service of Object.values(state.services)) {
    if (state.deployments[service.deploymentId] === undefined) {
      throw new MetadataCorruptError(`metadata file ${path}: service ${service.name} points at unknown deployment ${service.deploymentId}`);
    }
  }
  return state as MetadataState;
}
