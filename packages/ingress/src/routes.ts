// Classifying an ingress path (RESTATE-PROTOCOL.md §6):
//
//   /restate/health                               GET        health
//   /restate/…                                               reserved: attach, output, awakeables (not yet served → 501)
//   /{Service}/{handler}[/send]                   POST|GET   plain service
//   /{Object|Workflow}/{key}/{handler}[/send]     POST|GET   keyed service; key is percent-decoded
//
// Whether the second segment is a key depends on the service's type, so classification looks the
// service up first. Statuses follow restate-server 1.7: a malformed path is 400, an unknown
// service or handler 404, a method other than POST/GET 405.

import { pathSegmentsMax } from "./constants.js";
import { BadRequestError, MethodNotAllowedError, NotFoundError, NotImplementedError } from "./errors.js";
import type { CompiledHandler, CompiledService, IngressSchema } from "./schema.js";

export type Route =
  | { readonly kind: "health" }
  | {
      readonly kind: "invoke";
      readonly service: CompiledService;
      readonly handler: CompiledHandler;
      readonly key: string | undefined;
      readonly send: boolean;
    };

const reservedRestateRoutes = new Set(["invocation", "workflow", "awakeables", "a", "call", "send", "attach", "output", "lookup", "scope"]);

/** The route of `path` (no query string), or an IngressError saying why there is none. */
export function resolveRoute(schema: IngressSchema, method: string, path: string): Route {
  if (path.length === 0 || path.charCodeAt(0) !== 0x2f /* / */) throw new BadRequestError(`bad path: ${path}`);
  const segments = path.slice(1).split("/");
  // One trailing slash is tolerated, as Restate does: /Greeter/greet/ is /Greeter/greet.
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  if (segments.length > pathSegmentsMax) throw new BadRequestError(`bad path: ${path} has too many segments`);
  const first = segments[0] ?? "";

  if (first === "restate") return restateRoute(method, path, segments);
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

function restateRoute(method: string, path: string, segments: readonly string[]): Route {
  const second = segments[1] ?? "";
  if (second === "health" && segments.length === 2) {
    if (method !== "GET") throw new MethodNotAllowedError(`method ${method} not allowed on /restate/health; use GET`);
    return { kind: "health" };
  }
  if (reservedRestateRoutes.has(second)) throw new NotImplementedError(`${path} is not supported by this server yet`);
  throw new NotFoundError(`no route for ${JSON.stringify(path)}`);
}

function decodeKey(raw: string): string {
  if (raw.indexOf("%") === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(`the key ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`);
  }
}
