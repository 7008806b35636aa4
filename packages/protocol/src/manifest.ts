// Discovery manifest (RESTATE-PROTOCOL.md §5): what `GET {deployment}/discover` answers, as JSON
// with content type `application/vnd.restate.endpointmanifest.vN+json`, N in 2..4.
//
//   v2  base schema + `documentation`, `metadata` on services and handlers
//   v3  + inactivityTimeout, abortTimeout, journalRetention, idempotencyRetention, enableLazyState,
//         ingressPrivate (services and handlers), workflowCompletionRetention (handlers)
//   v4  + lambdaCompression (endpoint), retryPolicy* (services and handlers)
//
// Every object is `additionalProperties: false` in the schema, so a field newer than the
// negotiated version is an error. Durations are integer milliseconds.

import { INVOCATION_PROTOCOL_VERSION_MAX, INVOCATION_PROTOCOL_VERSION_MIN } from "./constants.js";
import type { ManifestVersion, VersionRange } from "./content-type.js";
import { InvalidManifestError } from "./errors.js";

export type ProtocolMode = "BIDI_STREAM" | "REQUEST_RESPONSE";
export type ServiceType = "SERVICE" | "VIRTUAL_OBJECT" | "WORKFLOW";
/** Unset means EXCLUSIVE for a virtual object, WORKFLOW for a workflow; plain services leave it unset. */
export type HandlerType = "WORKFLOW" | "EXCLUSIVE" | "SHARED";
export type RetryPolicyOnMaxAttempts = "PAUSE" | "KILL";

/** Options shared by services and handlers (handler values override service values). */
export interface ManifestInvocationOptions {
  /** v3, ms. */
  readonly inactivityTimeout?: number;
  /** v3, ms. */
  readonly abortTimeout?: number;
  /** v3, ms. */
  readonly journalRetention?: number;
  /** v3, ms; not for WORKFLOW handlers. */
  readonly idempotencyRetention?: number;
  /** v3. */
  readonly enableLazyState?: boolean;
  /** v3: not invocable through the ingress. */
  readonly ingressPrivate?: boolean;
  /** v4, ms. */
  readonly retryPolicyInitialInterval?: number;
  /** v4, ms. */
  readonly retryPolicyMaxInterval?: number;
  /** v4. */
  readonly retryPolicyMaxAttempts?: number;
  /** v4. */
  readonly retryPolicyExponentiationFactor?: number;
  /** v4. */
  readonly retryPolicyOnMaxAttempts?: RetryPolicyOnMaxAttempts;
}

/** Absent means `{contentType: "*\/*", required: false}`; `{}` means "no input allowed". */
export interface InputPayload {
  readonly required?: boolean;
  /** May contain wildcards, like an Accept value. */
  readonly contentType?: string;
  readonly jsonSchema?: unknown;
}

/** Absent means `{contentType: "application/json", setContentTypeIfEmpty: false}`. */
export interface OutputPayload {
  readonly contentType?: string;
  readonly setContentTypeIfEmpty?: boolean;
  readonly jsonSchema?: unknown;
}

export interface ManifestHandler extends ManifestInvocationOptions {
  readonly name: string;
  readonly ty?: HandlerType;
  readonly input?: InputPayload;
  readonly output?: OutputPayload;
  /** v2. */
  readonly documentation?: string;
  /** v2. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** v3, ms; only for WORKFLOW handlers. */
  readonly workflowCompletionRetention?: number;
}

export interface ManifestService extends ManifestInvocationOptions {
  readonly name: string;
  readonly ty: ServiceType;
  readonly handlers: readonly ManifestHandler[];
  /** v2. */
  readonly documentation?: string;
  /** v2. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface EndpointManifest {
  /** Optional in the schema, required by Restate (and by default by validateManifest). */
  readonly protocolMode?: ProtocolMode;
  readonly minProtocolVersion: number;
  readonly maxProtocolVersion: number;
  /** v4; Lambda deployments only. */
  readonly lambdaCompression?: "zstd";
  readonly services: readonly ManifestService[];
}

export interface ValidateManifestOptions {
  /** Reject a manifest without `protocolMode`, as Restate does. Default true. */
  readonly requireProtocolMode?: boolean;
  /** The service-protocol versions the caller speaks; the manifest's range must overlap it. Default [5, 7]. */
  readonly supportedProtocolVersions?: VersionRange;
}

const SERVICE_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9._-]*$/;
const HANDLER_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9_]*$/;
const I32_MAX = 0x7fff_ffff;

/** Whether Restate accepts `name` as a service name (§5.1). */
export function isValidServiceName(name: string): boolean {
  const lower = name.toLowerCase();
  return SERVICE_NAME.test(name) && !lower.startsWith("restate") && lower !== "openapi";
}

/** Whether Restate accepts `name` as a handler name (§5.1). */
export function isValidHandlerName(name: string): boolean {
  return HANDLER_NAME.test(name);
}

type Json = Record<string, unknown>;

const ENDPOINT_FIELDS: Record<string, ManifestVersion> = {
  protocolMode: 2,
  minProtocolVersion: 2,
  maxProtocolVersion: 2,
  services: 2,
  lambdaCompression: 4,
};
const OPTION_FIELDS: Record<string, ManifestVersion> = {
  documentation: 2,
  metadata: 2,
  inactivityTimeout: 3,
  abortTimeout: 3,
  journalRetention: 3,
  idempotencyRetention: 3,
  enableLazyState: 3,
  ingressPrivate: 3,
  retryPolicyInitialInterval: 4,
  retryPolicyMaxInterval: 4,
  retryPolicyMaxAttempts: 4,
  retryPolicyExponentiationFactor: 4,
  retryPolicyOnMaxAttempts: 4,
};
const SERVICE_FIELDS: Record<string, ManifestVersion> = { name: 2, ty: 2, handlers: 2, ...OPTION_FIELDS };
const HANDLER_FIELDS: Record<string, ManifestVersion> = {
  name: 2,
  ty: 2,
  input: 2,
  output: 2,
  workflowCompletionRetention: 3,
  ...OPTION_FIELDS,
};
const INPUT_FIELDS: Record<string, ManifestVersion> = { required: 2, contentType: 2, jsonSchema: 2 };
const OUTPUT_FIELDS: Record<string, ManifestVersion> = { contentType: 2, setContentTypeIfEmpty: 2, jsonSchema: 2 };

/**
 * Checks a parsed manifest body against the schema of `version` and Restate's rules (§5.1) and
 * returns it typed. Throws InvalidManifestError naming the first bad field by its path
 * (`services[0].handlers[1].name`).
 */
export function validateManifest(
  value: unknown,
  version: ManifestVersion,
  options: ValidateManifestOptions = {},
): EndpointManifest {
  const root = object(value, "(root)");
  fields(root, ENDPOINT_FIELDS, version, "");

  if (root.protocolMode === undefined) {
    if (options.requireProtocolMode ?? true) throw new InvalidManifestError("protocolMode", "missing protocol mode");
  } else {
    oneOf(root.protocolMode, ["BIDI_STREAM", "REQUEST_RESPONSE"], "protocolMode");
  }

  const min = integer(root.minProtocolVersion, "minProtocolVersion", 1, I32_MAX);
  const max = integer(root.maxProtocolVersion, "maxProtocolVersion", 1, I32_MAX);
  if (min > max) throw new InvalidManifestError("minProtocolVersion", `${min} is greater than maxProtocolVersion ${max}`);
  const ours = options.supportedProtocolVersions ?? { min: INVOCATION_PROTOCOL_VERSION_MIN, max: INVOCATION_PROTOCOL_VERSION_MAX };
  if (max < ours.min) {
    throw new InvalidManifestError("maxProtocolVersion", `${max} is below the lowest supported service protocol version ${ours.min}`);
  }
  if (min > ours.max) {
    throw new InvalidManifestError("minProtocolVersion", `${min} is above the highest supported service protocol version ${ours.max}`);
  }

  if (root.lambdaCompression !== undefined) oneOf(root.lambdaCompression, ["zstd"], "lambdaCompression");

  const services = array(root.services, "services");
  const serviceNames = new Set<string>();
  services.forEach((item, i) => {
    const path = `services[${i}]`;
    const service = object(item, path);
    fields(service, SERVICE_FIELDS, version, path);
    const name = string(service.name, `${path}.name`);
    if (!isValidServiceName(name)) {
      throw new InvalidManifestError(
        `${path}.name`,
        `${JSON.stringify(name)} must match ${SERVICE_NAME.source} and must not start with "restate" or be "openapi"`,
      );
    }
    if (serviceNames.has(name)) throw new InvalidManifestError(`${path}.name`, `duplicate service ${JSON.stringify(name)}`);
    serviceNames.add(name);
    const ty = oneOf(service.ty, ["SERVICE", "VIRTUAL_OBJECT", "WORKFLOW"], `${path}.ty`);
    invocationOptions(service, path);

    const handlers = array(service.handlers, `${path}.handlers`);
    const handlerNames = new Set<string>();
    handlers.forEach((hItem, j) => {
      const hPath = `${path}.handlers[${j}]`;
      const handler = object(hItem, hPath);
      fields(handler, HANDLER_FIELDS, version, hPath);
      const hName = string(handler.name, `${hPath}.name`);
      if (!isValidHandlerName(hName)) {
        throw new InvalidManifestError(`${hPath}.name`, `${JSON.stringify(hName)} must match ${HANDLER_NAME.source}`);
      }
      if (handlerNames.has(hName)) throw new InvalidManifestError(`${hPath}.name`, `duplicate handler ${JSON.stringify(hName)}`);
      handlerNames.add(hName);
      let hTy: string | undefined;
      if (handler.ty !== undefined) hTy = oneOf(handler.ty, ["WORKFLOW", "EXCLUSIVE", "SHARED"], `${hPath}.ty`);
      const effective = hTy ?? (ty === "WORKFLOW" ? "WORKFLOW" : ty === "VIRTUAL_OBJECT" ? "EXCLUSIVE" : undefined);
      invocationOptions(handler, hPath);
      if (handler.workflowCompletionRetention !== undefined) {
        if (effective !== "WORKFLOW") {
          throw new InvalidManifestError(`${hPath}.workflowCompletionRetention`, "only allowed on WORKFLOW handlers");
        }
        integer(handler.workflowCompletionRetention, `${hPath}.workflowCompletionRetention`, 0, Number.MAX_SAFE_INTEGER);
      }
      if (handler.idempotencyRetention !== undefined && effective === "WORKFLOW") {
        throw new InvalidManifestError(`${hPath}.idempotencyRetention`, "not allowed on WORKFLOW handlers");
      }
      if (handler.input !== undefined) {
        const input = object(handler.input, `${hPath}.input`);
        fields(input, INPUT_FIELDS, version, `${hPath}.input`);
        if (input.required !== undefined) boolean(input.required, `${hPath}.input.required`);
        if (input.contentType !== undefined) string(input.contentType, `${hPath}.input.contentType`);
        if (input.jsonSchema !== undefined) jsonSchema(input.jsonSchema, `${hPath}.input.jsonSchema`);
      }
      if (handler.output !== undefined) {
        const output = object(handler.output, `${hPath}.output`);
        fields(output, OUTPUT_FIELDS, version, `${hPath}.output`);
        if (output.contentType !== undefined) string(output.contentType, `${hPath}.output.contentType`);
        if (output.setContentTypeIfEmpty !== undefined) boolean(output.setContentTypeIfEmpty, `${hPath}.output.setContentTypeIfEmpty`);
        if (output.jsonSchema !== undefined) jsonSchema(output.jsonSchema, `${hPath}.output.jsonSchema`);
      }
    });
  });
  return root as unknown as EndpointManifest;
}

function invocationOptions(target: Json, path: string): void {
  if (target.documentation !== undefined) string(target.documentation, `${path}.documentation`);
  if (target.metadata !== undefined) {
    const metadata = object(target.metadata, `${path}.metadata`);
    for (const [key, value] of Object.entries(metadata)) string(value, `${path}.metadata.${key}`);
  }
  for (const key of ["inactivityTimeout", "abortTimeout", "journalRetention", "idempotencyRetention", "retryPolicyInitialInterval", "retryPolicyMaxInterval"]) {
    if (target[key] !== undefined) integer(target[key], `${path}.${key}`, 0, Number.MAX_SAFE_INTEGER);
  }
  if (target.enableLazyState !== undefined) boolean(target.enableLazyState, `${path}.enableLazyState`);
  if (target.ingressPrivate !== undefined) boolean(target.ingressPrivate, `${path}.ingressPrivate`);
  if (target.retryPolicyMaxAttempts !== undefined) {
    integer(target.retryPolicyMaxAttempts, `${path}.retryPolicyMaxAttempts`, 0, Number.MAX_SAFE_INTEGER);
  }
  if (target.retryPolicyExponentiationFactor !== undefined) {
    const factor = target.retryPolicyExponentiationFactor;
    if (typeof factor !== "number" || !Number.isFinite(factor) || factor <= 0) {
      throw new InvalidManifestError(`${path}.retryPolicyExponentiationFactor`, "must be a positive number");
    }
  }
  if (target.retryPolicyOnMaxAttempts !== undefined) {
    oneOf(target.retryPolicyOnMaxAttempts, ["PAUSE", "KILL"], `${path}.retryPolicyOnMaxAttempts`);
  }
}

function fields(target: Json, allowed: Record<string, ManifestVersion>, version: ManifestVersion, path: string): void {
  for (const key of Object.keys(target)) {
    const since = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
    const where = path === "" ? key : `${path}.${key}`;
    if (since === undefined) throw new InvalidManifestError(where, "unknown field");
    if (since > version) throw new InvalidManifestError(where, `needs manifest v${since}, the negotiated version is v${version}`);
  }
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidManifestError(path, "must be an object");
  return value as Json;
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new InvalidManifestError(path, value === undefined ? "missing" : "must be an array");
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== "string") throw new InvalidManifestError(path, value === undefined ? "missing" : "must be a string");
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") throw new InvalidManifestError(path, "must be a boolean");
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidManifestError(path, value === undefined ? "missing" : `must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidManifestError(path, value === undefined ? "missing" : `must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** A JSON Schema is an object or a boolean; compiling it is left to whoever validates payloads. */
function jsonSchema(value: unknown, path: string): void {
  if (typeof value !== "boolean" && (typeof value !== "object" || value === null || Array.isArray(value))) {
    throw new InvalidManifestError(path, "must be a JSON Schema (an object or a boolean)");
  }
}
