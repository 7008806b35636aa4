// The discovery manifest (`GET /discover`): services, handlers and their options, in the JSON
// shape of Restate's endpoint manifest v2–v4, negotiated from the `Accept` header.
import { type AnyDefinition, getHandlerMeta, type HandlerKind, type ObjectHandlerOpts, type RetryPolicy, type ServiceOptions } from "./definitions.js";
import { durationToMs } from "./duration.js";
import { EndpointRequestError } from "./errors.js";
import { MANIFEST_VERSIONS, MAX_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION } from "./constants.js";
import { serde as serdes, type Serde } from "./serde.js";

export type ProtocolMode = "BIDI_STREAM" | "REQUEST_RESPONSE";

export interface HandlerEntry {
  readonly name: string;
  readonly kind: HandlerKind;
  readonly fn: (...args: unknown[]) => unknown;
  readonly options: ObjectHandlerOpts<unknown, unknown>;
  readonly inputSerde: Serde<unknown>;
  readonly outputSerde: Serde<unknown>;
}

export interface ServiceEntry {
  readonly definition: AnyDefinition;
  readonly handlers: ReadonlyMap<string, HandlerEntry>;
  readonly options: ServiceOptions & { enableLazyState?: boolean; workflowRetention?: number | object };
}

const SERVICE_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9._-]*$/;
const HANDLER_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9_]*$/;

/** Validates a definition and resolves each handler's kind, options and serdes. */
export function buildServiceEntry(definition: AnyDefinition, defaults: ServiceOptions): ServiceEntry {
  if (!SERVICE_NAME.test(definition.name) || /^restate/i.test(definition.name) || definition.name === "openapi") {
    throw new TypeError(`invalid service name '${definition.name}'`);
  }
  const options = { ...defaults, ...(definition.options ?? {}) };
  const handlers = new Map<string, HandlerEntry>();
  for (const [name, fn] of Object.entries(definition.handlers as Record<string, unknown>)) {
    if (typeof fn !== "function") continue;
    if (!HANDLER_NAME.test(name)) throw new TypeError(`invalid handler name '${definition.name}.${name}'`);
    const meta = getHandlerMeta(fn);
    let kind: HandlerKind;
    if (definition.kind === "service") kind = "service";
    else if (definition.kind === "object") kind = meta?.kind === "shared" ? "shared" : "exclusive";
    else kind = name === "run" ? "workflow" : "shared";
    if (definition.kind === "workflow" && name !== "run" && meta?.kind === "workflow") {
      throw new TypeError(`workflow ${definition.name}: only the handler named 'run' can be a workflow handler`);
    }
    const hopts = meta?.options ?? {};
    const base = (hopts.serde ?? options.serde ?? serdes.json) as Serde<unknown>;
    handlers.set(name, {
      name,
      kind,
      fn: fn as (...args: unknown[]) => unknown,
      options: hopts,
      inputSerde: (hopts.input ?? base),
      outputSerde: (hopts.output ?? base),
    });
  }
  if (definition.kind === "workflow" && !handlers.has("run")) throw new TypeError(`workflow ${definition.name} has no 'run' handler`);
  return { definition, handlers, options };
}

/** Picks the manifest version from `Accept` (highest of v4, v3, v2 present). */
export function negotiateManifestVersion(accept: string | undefined): number {
  if (accept === undefined || accept === "") throw new EndpointRequestError(415, "Missing accept header");
  for (const v of MANIFEST_VERSIONS) {
    if (accept.includes(`application/vnd.restate.endpointmanifest.v${v}+json`)) return v;
  }
  throw new EndpointRequestError(415, `Unsupported service discovery protocol version '${accept}'`);
}

const KIND_TY: Record<HandlerKind, string | undefined> = { service: undefined, exclusive: "EXCLUSIVE", shared: "SHARED", workflow: "WORKFLOW" };
const SERVICE_TY = { service: "SERVICE", object: "VIRTUAL_OBJECT", workflow: "WORKFLOW" } as const;

type Json = Record<string, unknown>;

export function buildManifest(services: Iterable<ServiceEntry>, mode: ProtocolMode, version: number): Json {
  const out: Json[] = [];
  for (const s of services) {
    const svc: Json = { name: s.definition.name, ty: SERVICE_TY[s.definition.kind] };
    if (s.definition.description !== undefined) svc.documentation = s.definition.description;
    if (s.definition.metadata !== undefined) svc.metadata = s.definition.metadata;
    addOptions(svc, s.options, version, `service ${s.definition.name}`);
    if (s.options.enableLazyState !== undefined) setV3(svc, "enableLazyState", s.options.enableLazyState, version, `service ${s.definition.name}`);
    svc.handlers = [...s.handlers.values()].map((h) => handlerJson(s, h, version));
    out.push(svc);
  }
  return { protocolMode: mode, minProtocolVersion: MIN_PROTOCOL_VERSION, maxProtocolVersion: MAX_PROTOCOL_VERSION, services: out };
}

function handlerJson(s: ServiceEntry, h: HandlerEntry, version: number): Json {
  const where = `handler ${s.definition.name}.${h.name}`;
  const j: Json = { name: h.name };
  const ty = KIND_TY[h.kind];
  if (ty !== undefined) j.ty = ty;
  if (h.options.description !== undefined) j.documentation = h.options.description;
  if (h.options.metadata !== undefined) j.metadata = h.options.metadata;
  const inSerde = h.inputSerde;
  if (inSerde.contentType === undefined) {
    j.input = {};
  } else {
    const input: Json = { required: false, contentType: h.options.accept ?? inSerde.contentType };
    if (inSerde.jsonSchema !== undefined) input.jsonSchema = inSerde.jsonSchema;
    j.input = input;
  }
  const outSerde = h.outputSerde;
  if (outSerde.contentType === undefined) {
    j.output = { setContentTypeIfEmpty: false };
  } else {
    const output: Json = { setContentTypeIfEmpty: h.options.setOutputContentTypeIfEmpty ?? false, contentType: outSerde.contentType };
    if (outSerde.jsonSchema !== undefined) output.jsonSchema = outSerde.jsonSchema;
    j.output = output;
  }
  addOptions(j, h.options, version, where);
  if (h.options.enableLazyState !== undefined) setV3(j, "enableLazyState", h.options.enableLazyState, version, where);
  const wfRetention = s.options.workflowRetention;
  if (h.kind === "workflow" && wfRetention !== undefined) {
    setV3(j, "workflowCompletionRetention", durationToMs(wfRetention), version, where);
  }
  return j;
}

interface CommonOptions {
  idempotencyRetention?: number | object | undefined;
  journalRetention?: number | object | undefined;
  inactivityTimeout?: number | object | undefined;
  abortTimeout?: number | object | undefined;
  ingressPrivate?: boolean | undefined;
  retryPolicy?: RetryPolicy | undefined;
}

function addOptions(j: Json, o: CommonOptions, version: number, where: string): void {
  const ms = (d: number | object): number => durationToMs(d);
  if (o.inactivityTimeout !== undefined) setV3(j, "inactivityTimeout", ms(o.inactivityTimeout), version, where);
  if (o.abortTimeout !== undefined) setV3(j, "abortTimeout", ms(o.abortTimeout), version, where);
  if (o.journalRetention !== undefined) setV3(j, "journalRetention", ms(o.journalRetention), version, where);
  if (o.idempotencyRetention !== undefined) setV3(j, "idempotencyRetention", ms(o.idempotencyRetention), version, where);
  if (o.ingressPrivate !== undefined) setV3(j, "ingressPrivate", o.ingressPrivate, version, where);
  const r = o.retryPolicy;
  if (r !== undefined) {
    if (version < 4) {
      throw new EndpointRequestError(500, `${where} uses retryPolicy, which needs discovery manifest v4; upgrade the Restate runtime`);
    }
    if (r.initialInterval !== undefined) j.retryPolicyInitialInterval = ms(r.initialInterval);
    if (r.maxInterval !== undefined) j.retryPolicyMaxInterval = ms(r.maxInterval);
    if (r.maxAttempts !== undefined) j.retryPolicyMaxAttempts = r.maxAttempts;
    if (r.exponentiationFactor !== undefined) j.retryPolicyExponentiationFactor = r.exponentiationFactor;
    if (r.onMaxAttempts !== undefined) j.retryPolicyOnMaxAttempts = r.onMaxAttempts === "kill" ? "KILL" : "PAUSE";
  }
}

function setV3(j: Json, key: string, value: unknown, version: number, where: string): void {
  if (version < 3) {
    throw new EndpointRequestError(500, `${where} uses '${key}', which needs discovery manifest v3 or newer; upgrade the Restate runtime`);
  }
  j[key] = value;
}
