// Admin routes beyond registration and the service views (RESTATE-PROTOCOL.md §7.2, §7.4):
//
//   POST  /query                         SQL introspection: {"query": "..."} → {"rows":[…]} (accept:
//                                        application/json) or an Arrow IPC stream; answered by the
//                                        server's query hook (@cairn/introspection)
//   GET   /openapi                       the admin API's OpenAPI 3.1 document
//   GET   /services/{name}/openapi       the service's ingress API as OpenAPI 3.1
//   POST  /services/{name}/state         {"object_key", "new_state": {k: [bytes]}, "version"?} → 202,
//                                        through the owning partition's log (the server's state hook)
//   PATCH /deployments/{id}              {"uri"?, "additional_headers"?, "use_http_11"?, "dry_run"?} →
//                                        re-discovery at the new address; the services must stay the same
//
// The hooks live in AdminServerOptions so that @cairn/admin depends on neither the partitions nor
// the SQL engine; without a hook its route answers 501.

import type { IncomingHttpHeaders } from "node:http";
import type { Admin } from "./admin.js";
import {
  AdminError,
  BadRequestError,
  ConflictError,
  NotAcceptableError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  RequestTimeoutError,
  UnavailableError,
} from "./errors.js";
import { adminOpenApi, currentService, serviceOpenApi } from "./openapi.js";
import { detailedDeploymentResponse } from "./views.js";

/** Runs one SQL query; `accept` is the request's Accept header. Errors carry an HTTP `status`. */
export type QueryHook = (sql: unknown, accept: string | undefined) => Promise<{ readonly contentType: string; readonly body: Uint8Array }>;

/** A validated `POST /services/{name}/state`. */
export interface StateReplaceRequest {
  readonly service: string;
  readonly key: string;
  /** The new state, whole: every key not listed is cleared. */
  readonly entries: readonly (readonly [string, Uint8Array])[];
  /** The state version the caller read (Restate's StateMutationVersion); a mismatch → 409. */
  readonly version?: string;
}

/** Replaces the state of one key through its partition's log. Errors carry an HTTP `status`. */
export type StateHook = (request: StateReplaceRequest) => Promise<void>;

export interface IntrospectionHooks {
  readonly query?: QueryHook;
  readonly setState?: StateHook;
  readonly serverVersion: string;
}

interface RouteContext {
  readonly apiVersion: number;
  readonly params: readonly string[];
  readonly body: () => Promise<unknown>;
  readonly headers: IncomingHttpHeaders;
  readonly options: IntrospectionHooks;
}

export interface RawAnswer {
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: RawAnswer;
}

type Route = (admin: Admin, context: RouteContext) => Promise<Answer> | Answer;

/** Largest state entry count accepted in one replace (a bound on the log record). */
const stateEntriesMax = 10_000;

export const introspectionRoutes: readonly { readonly pattern: RegExp; readonly methods: Readonly<Record<string, Route>> }[] = [
  {
    pattern: /^\/query$/,
    methods: {
      POST: async (_admin, { body, headers, options }) => {
        if (options.query === undefined) throw new NotImplementedError("SQL introspection is not available on this server");
        const request = await body();
        if (typeof request !== "object" || request === null || Array.isArray(request)) throw new BadRequestError('the body must be {"query": "SELECT …"}');
        const accept = headers.accept;
        try {
          const answer = await options.query((request as Record<string, unknown>).query, accept);
          return { status: 200, raw: { contentType: answer.contentType, bytes: answer.body } };
        } catch (error) {
          throw asAdminError(error);
        }
      },
    },
  },
  { pattern: /^\/openapi$/, methods: { GET: (_admin, { options }) => ({ status: 200, body: adminOpenApi(options.serverVersion) }) } },
  {
    pattern: /^\/services\/([^/]+)\/openapi$/,
    methods: {
      GET: (admin, { params }) => {
        const found = currentService(admin.state, params[0] ?? "");
        if (found === undefined) throw new NotFoundError(`the requested service '${params[0] ?? ""}' does not exist`);
        return { status: 200, body: serviceOpenApi(found.service, found.isPublic) };
      },
    },
  },
  {
    pattern: /^\/services\/([^/]+)\/state$/,
    methods: {
      POST: async (admin, { params, body, options }) => {
        const name = params[0] ?? "";
        const request = parseStateRequest(name, await body());
        const found = currentService(admin.state, name);
        if (found === undefined) throw new NotFoundError(`the requested service '${name}' does not exist`);
        if (found.service.ty === "SERVICE") throw new BadRequestError(`the service '${name}' is not a virtual object or workflow, so it has no state`);
        if (options.setState === undefined) throw new NotImplementedError("changing state is not available on this server");
        try {
          await options.setState(request);
        } catch (error) {
          throw asAdminError(error);
        }
        return { status: 202 };
      },
    },
  },
  {
    pattern: /^\/deployments\/([^/]+)$/,
    methods: {
      PATCH: async (admin, { params, body }) => {
        const record = await admin.updateDeployment(params[0] ?? "", await body());
        return { status: 200, body: detailedDeploymentResponse(record, admin.defaults) };
      },
    },
  },
];

function parseStateRequest(service: string, body: unknown): StateReplaceRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequestError("the body must be a JSON object");
  const fields = body as Record<string, unknown>;
  if (typeof fields.object_key !== "string") throw new BadRequestError("missing field object_key: the key of the object or workflow");
  const version = fields.version;
  if (version !== undefined && version !== null && typeof version !== "string") throw new BadRequestError("field version must be a string");
  const state = fields.new_state;
  if (typeof state !== "object" || state === null || Array.isArray(state)) throw new BadRequestError('missing field new_state: an object {"key": [bytes…]}');
  const entries: [string, Uint8Array][] = [];
  for (const [key, value] of Object.entries(state as Record<string, unknown>)) {
    if (!Array.isArray(value) || !value.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) {
      throw new BadRequestError(`new_state.${key} must be an array of bytes (integers 0–255)`);
    }
    entries.push([key, Uint8Array.from(value as number[])]);
  }
  if (entries.length > stateEntriesMax) throw new BadRequestError(`new_state has more than ${stateEntriesMax} entries`);
  return { service, key: fields.object_key, entries, ...(typeof version === "string" ? { version } : {}) };
}

/** An error from a hook (it carries an HTTP status) as the admin error that answers it. */
function asAdminError(error: unknown): unknown {
  if (error instanceof AdminError) return error;
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  switch (status) {
    case 400:
      return new BadRequestError(message, { cause: error });
    case 404:
      return new NotFoundError(message, { cause: error });
    case 406:
      return new NotAcceptableError(message, { cause: error });
    case 408:
      return new RequestTimeoutError(message, { cause: error });
    case 409:
      return new ConflictError(message, { cause: error });
    case 429:
      return new OverloadedError(message, { cause: error });
    case 503:
      return new UnavailableError(message, { cause: error });
    default:
      return error;
  }
}
