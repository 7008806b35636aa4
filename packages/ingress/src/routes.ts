// Classifying an ingress path (RESTATE-PROTOCOL.md §6):
//
//   /restate/health                                               GET        health
//   /restate/invocation/{invocationId}/attach|output              GET        by id
//   /restate/invocation/{Service}/{handler}/{idemKey}/attach|output        GET   by idempotency key
//   /restate/invocation/{Object}/{key}/{handler}/{idemKey}/attach|output   GET   by idempotency key, keyed
//   /restate/workflow/{Workflow}/{key}/attach|output              GET        the workflow's run
//   /restate/awakeables/{id}/resolve|reject, /restate/a/{id}/…    POST       complete an awakeable
//   /{Service}/{handler}[/send]                   POST|GET   plain service
//   /{Object|Workflow}/{key}/{handler}[/send]     POST|GET   keyed service; key is percent-decoded
//
// Whether the second segment is a key depends on the service's type, so classification looks the
// service up first. Statuses follow restate-server 1.7: a malformed path is 400, an unknown
// service or handler 404, a method other than POST/GET 405.

import { pathSegmentsMax } from "./constants.js";
import { parseAwakeableId, parseInvocationId } from "@cairn/protocol";
import { BadRequestError, MethodNotAllowedError, NotFoundError } from "./errors.js";
import type { CompiledHandler, CompiledService, IngressSchema } from "./schema.js";

/** What an attach/output request reads the result of. */
export type AttachRouteTarget =
  | { readonly kind: "invocation"; readonly invocationId: string; readonly raw: Uint8Array }
  | { readonly kind: "workflow"; readonly service: CompiledService; readonly handler: CompiledHandler; readonly key: string }
  | {
      readonly kind: "idempotent";
      readonly service: CompiledService;
      readonly handler: CompiledHandler;
      readonly key: string | undefined;
      readonly idempotencyKey: string;
    };

export type Route =
  | { readonly kind: "health" }
  | { readonly kind: "attach"; readonly wait: boolean; readonly target: AttachRouteTarget }
  | { readonly kind: "signal"; readonly invocationId: Uint8Array; readonly signalIndex: number; readonly resolve: boolean }
  | {
      readonly kind: "invoke";
      readonly service: CompiledService;
      readonly handler: CompiledHandler;
      readonly key: string | undefined;
      readonly send: boolean;
    };

/** The route of `path` (no query string), or an IngressError saying why there is none. */
export function resolveRoute(schema: IngressSchema, method: string, path: string): Route {
  if (path.length === 0 || path.charCodeAt(0) !== 0x2f /* / */) throw new BadRequestError(`bad path: ${path}`);
  const segments = path.slice(1).split("/");
  // One trailing slash is tolerated, as Restate does: /Greeter/greet/ is /Greeter/greet.
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  if (segments.length > pathSegmentsMax) throw new BadRequestError(`bad path: ${path} has too many segments`);
  const first = segments[0] ?? "";

  if (first === "restate") return restateRoute(schema, method, path, segments);
  if (segments.length < 2) throw new BadRequestError(`bad path: ${path}`);

  const service = schema.services.get(first);
  if (service === undefined) {
    throw new NotFoundError(`service ${JSON.stringify(first)} not found; register a deployment that serves it before calling it`);
  }

  let key: string | undefined;
  let rest: string[];
  if (service.keyed) {
    key = decodeKey(segments[1] ?? "");
    rest = segments.slice(2);
  } else {
    rest = segments.slice(1);
  }
  const handlerName = rest[0];
  let send = false;
  if (rest.length === 2 && rest[1] === "send") send = true;
  else if (rest.length !== 1 || handlerName === undefined || handlerName.length === 0) {
    throw new BadRequestError(
      `bad path ${path}: ${service.name} is ${service.keyed ? "keyed, expected /{service}/{key}/{handler}[/send]" : "a plain service, expected /{service}/{handler}[/send]"}`,
    );
  }
  const handler = service.handlers.get(handlerName ?? "");
  if (handler === undefined) {
    throw new NotFoundError(`service ${service.name} has no handler ${JSON.stringify(handlerName)} in its latest registered revision`);
  }
  if (method !== "POST" && method !== "GET") throw new MethodNotAllowedError(`method ${method} not allowed; invoke with POST (or GET)`);
  return { kind: "invoke", service, handler, key, send };
}

function restateRoute(schema: IngressSchema, method: string, path: string, segments: readonly string[]): Route {
  const second = segments[1] ?? "";
  const last = segments[segments.length - 1] ?? "";
  if (second === "health" && segments.length === 2) {
    if (method !== "GET") throw new MethodNotAllowedError(`method ${method} not allowed on /restate/health; use GET`);
    return { kind: "health" };
  }
  if ((second === "invocation" || second === "workflow") && (last === "attach" || last === "output")) {
    const target = attachTarget(schema, path, second, segments.slice(2, -1));
    if (method !== "GET") throw new MethodNotAllowedError(`method ${method} not allowed on ${path}; use GET`);
    return { kind: "attach", wait: last === "attach", target };
  }
  if ((second === "awakeables" || second === "a") && segments.length === 4 && (last === "resolve" || last === "reject")) {
    if (method !== "POST") throw new MethodNotAllowedError(`method ${method} not allowed on ${path}; use POST`);
    const text = decodeSegment(segments[2] ?? "", "awakeable id");
    let parsed: ReturnType<typeof parseAwakeableId>;
    try {
      parsed = parseAwakeableId(text);
    } catch (error) {
      throw new BadRequestError(`bad awakeable id '${text}': ${(error as Error).message}`);
    }
    if (parsed.kind !== "signal") {
      throw new BadRequestError(`awakeable id '${text}' is a legacy prom_1 id (service protocol V1-V3), which this server does not run`);
    }
    return { kind: "signal", invocationId: parsed.invocationId, signalIndex: parsed.signalIndex, resolve: last === "resolve" };
  }
  throw new NotFoundError(`no route for ${JSON.stringify(path)}`);
}

function attachTarget(schema: IngressSchema, path: string, kind: "invocation" | "workflow", parts: readonly string[]): AttachRouteTarget {
  if (kind === "workflow") {
    if (parts.length !== 2) throw new NotFoundError(`no route for ${JSON.stringify(path)}: expected /restate/workflow/{workflow}/{key}/attach|output`);
    const service = schema.services.get(parts[0] ?? "");
    if (service === undefined || service.ty !== "WORKFLOW") throw new NotFoundError(`workflow ${JSON.stringify(parts[0])} not found`);
    const handler = [...service.handlers.values()].find((h) => h.ty === "WORKFLOW");
    if (handler === undefined) throw new NotFoundError(`workflow ${service.name} has no run handler`);
    return { kind: "workflow", service, handler, key: decodeKey(parts[1] ?? "") };
  }
  if (parts.length === 1) {
    const invocationId = decodeSegment(parts[0] ?? "", "invocation id");
    try {
      return { kind: "invocation", invocationId, raw: parseInvocationId(invocationId) };
    } catch (error) {
      throw new BadRequestError(`bad invocation id '${invocationId}': ${(error as Error).message}`);
    }
  }
  if (parts.length === 3 || parts.length === 4) {
    const service = schema.services.get(parts[0] ?? "");
    if (service === undefined) throw new NotFoundError(`service ${JSON.stringify(parts[0])} not found`);
    if (service.keyed !== (parts.length === 4)) {
      throw new NotFoundError(
        `no route for ${JSON.stringify(path)}: expected /restate/invocation/${service.name}${service.keyed ? "/{key}" : ""}/{handler}/{idempotencyKey}/attach|output`,
      );
    }
    const key = parts.length === 4 ? decodeKey(parts[1] ?? "") : undefined;
    const handlerName = parts[parts.length - 2] ?? "";
    const handler = service.handlers.get(handlerName);
    if (handler === undefined) throw new NotFoundError(`service ${service.name} has no handler ${JSON.stringify(handlerName)}`);
    return { kind: "idempotent", service, handler, key, idempotencyKey: decodeSegment(parts[parts.length - 1] ?? "", "idempotency key") };
  }
  throw new NotFoundError(`no route for ${JSON.stringify(path)}`);
}

function decodeSegment(raw: string, what: string): string {
  if (raw.indexOf("%") === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(`the ${what} ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`);
  }
}

function decodeKey(raw: string): string {
  return decodeSegment(raw, "key");
}
