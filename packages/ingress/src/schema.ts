// The ingress's view of the registered services: what it needs to route a request, validate its
// input and shape its answer. Compiled once per schema change (on the main thread, from the
// admin's metadata) so the hot path does map lookups only.
//
// Owns: input validation rules and output content types per handler (RESTATE-PROTOCOL.md §5.2).
// Does not own: deployments, revisions, timeouts (the admin and the workers hold those).

import { compileMediaRanges, matchesMediaRanges, type MediaRanges } from "./media-type.js";

export type ServiceType = "SERVICE" | "VIRTUAL_OBJECT" | "WORKFLOW";
export type HandlerType = "EXCLUSIVE" | "SHARED" | "WORKFLOW";

/** A handler's input declaration, as in the discovery manifest. */
export interface InputPayload {
  readonly required?: boolean;
  readonly contentType?: string;
  readonly jsonSchema?: unknown;
}

/** A handler's output declaration, as in the discovery manifest. */
export interface OutputPayload {
  readonly contentType?: string;
  readonly setContentTypeIfEmpty?: boolean;
  readonly jsonSchema?: unknown;
}

export interface IngressHandlerDefinition {
  readonly name: string;
  /** Effective type: unset for plain services; EXCLUSIVE/SHARED for objects; WORKFLOW/SHARED for workflows. */
  readonly ty?: HandlerType | undefined;
  /** false when the service or the handler is ingress-private. */
  readonly public: boolean;
  /** Manifest `input`; absent means `{contentType: "*\/*", required: false}`, `{}` means no input. */
  readonly input?: InputPayload | undefined;
  /** Manifest `output`; absent means `{contentType: "application/json"}`, `{}` means no content type. */
  readonly output?: OutputPayload | undefined;
}

export interface IngressServiceDefinition {
  readonly name: string;
  readonly ty: ServiceType;
  readonly public: boolean;
  readonly handlers: readonly IngressHandlerDefinition[];
}

export interface CompiledHandler {
  readonly name: string;
  readonly ty: HandlerType | undefined;
  readonly public: boolean;
  readonly input: InputRules;
  /** Content type of a successful answer, if any. */
  readonly outputContentType: string | undefined;
  readonly outputSetContentTypeIfEmpty: boolean;
}

export interface CompiledService {
  readonly name: string;
  readonly ty: ServiceType;
  readonly keyed: boolean;
  readonly public: boolean;
  readonly handlers: ReadonlyMap<string, CompiledHandler>;
}

/** Immutable; replace it whole on every schema change. */
export interface IngressSchema {
  readonly services: ReadonlyMap<string, CompiledService>;
  /** `GET /restate/health` answer, encoded once. */
  readonly healthBody: Uint8Array;
}

/**
 * Input rules (§5.2): a request passes if any rule matches.
 *   1. input not required → empty body and no content-type;
 *   2. content type declared → a matching content-type (and, with a JSON schema, a non-empty body).
 */
export interface InputRules {
  readonly emptyAllowed: boolean;
  readonly ranges: MediaRanges | undefined;
  readonly nonEmptyWithContentType: boolean;
}

const defaultInput: InputPayload = { contentType: "*/*", required: false };

export function compileIngressSchema(definitions: readonly IngressServiceDefinition[]): IngressSchema {
  const services = new Map<string, CompiledService>();
  for (const service of definitions) {
    const handlers = new Map<string, CompiledHandler>();
    for (const handler of service.handlers) {
      const input = handler.input ?? defaultInput;
      const output = handler.output;
      handlers.set(handler.name, {
        name: handler.name,
        ty: handler.ty,
        public: service.public && handler.public,
        input: {
          emptyAllowed: input.required !== true,
          ranges: input.contentType === undefined ? undefined : compileMediaRanges(input.contentType),
          nonEmptyWithContentType: input.jsonSchema !== undefined,
        },
        outputContentType: output === undefined ? "application/json" : output.contentType,
        outputSetContentTypeIfEmpty: output?.setContentTypeIfEmpty === true,
      });
    }
    services.set(service.name, {
      name: service.name,
      ty: service.ty,
      keyed: service.ty !== "SERVICE",
      public: service.public,
      handlers,
    });
  }
  const names = [...services.keys()].sort();
  return { services, healthBody: new TextEncoder().encode(JSON.stringify({ services: names })) };
}

/** Why the input does not pass, or undefined when it does. */
export function checkInput(rules: InputRules, contentType: string | undefined, bodyBytes: number): string | undefined {
  if (rules.emptyAllowed && bodyBytes === 0 && contentType === undefined) return undefined;
  if (rules.ranges !== undefined && contentType !== undefined && matchesMediaRanges(rules.ranges, contentType)) {
    if (!rules.nonEmptyWithContentType || bodyBytes > 0) return undefined;
    return "the handler requires a non-empty body";
  }
  if (rules.ranges === undefined) {
    return bodyBytes > 0 || contentType !== undefined ? "the handler takes no input" : "the handler requires an input";
  }
  if (contentType === undefined) {
    return rules.emptyAllowed
      ? `a body needs a content-type matching ${JSON.stringify(rules.ranges.source)}`
      : `the handler requires an input with content-type ${JSON.stringify(rules.ranges.source)}`;
  }
  return `content-type ${JSON.stringify(contentType)} does not match ${JSON.stringify(rules.ranges.source)}`;
}

export const emptySchema: IngressSchema = compileIngressSchema([]);
