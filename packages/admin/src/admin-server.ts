// The admin API over HTTP (node:http; default port 9070; RESTATE-PROTOCOL.md §5.3, §7):
//
//   GET  /health                      200, empty
//   GET  /metrics                     Prometheus text, when the server passes `metrics` (metrics-route.ts)
//   GET  /version                     {"version","min_admin_api_version","max_admin_api_version","ingress_endpoint","features"}
//   GET  /deployments                 {"deployments":[…]}
//   POST /deployments                 201 created | 200 unchanged/overwritten | 409 conflict; Location: deployments/{id}
//   GET  /deployments/{id}            detailed deployment
//   DELETE /deployments/{id}[?force=true]   202 | 409 while services point at it (without force)
//   GET  /services                    {"services":[…]}
//   GET  /services/{name}             service metadata
//   PATCH /services/{name}            {"public": bool} → service metadata (other fields: 501)
//   GET  /services/{name}/handlers[/{handler}]
//   POST /query, GET /openapi, GET /services/{name}/openapi, POST /services/{name}/state,
//   PATCH /deployments/{id}           introspection-routes.ts
//   PATCH /invocations/{id}/{cancel|kill|purge|purge-journal|pause|resume}, DELETE /invocations/{id}
//                                     invocation-routes.ts
//
// Every route is also served under /v2, /v3 and /v4 (the prefix only changes the default of
// `force`); /v1 is 400. Errors: {"message", "restate_code"}.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Admin } from "./admin.js";
import { adminApiVersionMax, adminApiVersionMin, adminRequestBodyBytesMax } from "./constants.js";
import {
  AdminError,
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  UnsupportedApiVersionError,
} from "./errors.js";
import { introspectionRoutes, type QueryHook, type RawAnswer, type StateHook } from "./introspection-routes.js";
import { routeInvocation } from "./invocation-routes.js";
import { currentServiceMetadata, deploymentResponse, detailedDeploymentResponse } from "./views.js";
import { type MetricsSource, serveMetrics } from "./metrics-route.js";

export interface AdminServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default 9070. */
  readonly port?: number;
  /** Shown by GET /version, e.g. `http://127.0.0.1:8080/`. */
  readonly ingressUrl?: string;
  /** Server version shown by GET /version. */
  readonly serverVersion: string;
  /** Renders GET /metrics (Prometheus text); without it /metrics is 404. */
  readonly metrics?: MetricsSource;
  /** Answers `POST /query` (SQL introspection); without it the route answers 501. */
  readonly query?: QueryHook;
  /** Applies `POST /services/{name}/state` through the owning partition; without it 501. */
  readonly setState?: StateHook;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body that is not JSON (an Arrow stream), written as is. */
  readonly raw?: RawAnswer;
}

type Route = (admin: Admin, context: RouteContext) => Promise<Answer> | Answer;

interface RouteContext {
  readonly apiVersion: number;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: () => Promise<unknown>;
  readonly headers: IncomingHttpHeaders;
  readonly options: AdminServerOptions;
}

const routes: readonly { readonly pattern: RegExp; readonly methods: Readonly<Record<string, Route>> }[] = [
  ...introspectionRoutes,
  { pattern: /^\/health$/, methods: { GET: () => ({ status: 200 }) } },
  {
    pattern: /^\/version$/,
    methods: {
      GET: (_admin, { options }) => ({
        status: 200,
        body: {
          version: options.serverVersion,
          min_admin_api_version: adminApiVersionMin,
          max_admin_api_version: adminApiVersionMax,
          ...(options.ingressUrl === undefined ? {} : { ingress_endpoint: options.ingressUrl }),
          features: {},
        },
      }),
    },
  },
  {
    pattern: /^\/deployments$/,
    methods: {
      GET: (admin) => ({
        status: 200,
        body: { deployments: Object.values(admin.state.deployments).sort((a, b) => a.createdAtMs - b.createdAtMs).map(deploymentResponse) },
      }),
      POST: async (admin, { body, apiVersion }) => {
        const request = admin.parseRegistration(await body(), apiVersion);
        const outcome = await admin.register(request, apiVersion);
        return { status: outcome.status, body: outcome.body, headers: { location: `deployments/${outcome.deploymentId}` } };
      },
    },
  },
  {
    pattern: /^\/deployments\/([^/]+)$/,
    methods: {
      GET: (admin, { params }) => ({ status: 200, body: detailedDeploymentResponse(admin.deployment(params[0] ?? ""), admin.defaults) }),
      DELETE: async (admin, { params, query }) => {
        await admin.removeDeployment(params[0] ?? "", query.get("force") === "true");
        return { status: 202 };
      },
    },
  },
  {
    pattern: /^\/services$/,
    methods: { GET: (admin) => ({ status: 200, body: { services: currentServiceMetadata(admin.state, admin.defaults) } }) },
  },
  {
    pattern: /^\/services\/([^/]+)$/,
    methods: {
      GET: (admin, { params }) => ({ status: 200, body: service(admin, params[0] ?? "") }),
      PATCH: async (admin, { params, body }) => ({ status: 200, body: await admin.modifyService(params[0] ?? "", await body()) }),
    },
  },
  {
    pattern: /^\/services\/([^/]+)\/handlers$/,
    methods: { GET: (admin, { params }) => ({ status: 200, body: { handlers: service(admin, params[0] ?? "").handlers } }) },
  },
  {
    pattern: /^\/services\/([^/]+)\/handlers\/([^/]+)$/,
    methods: {
      GET: (admin, { params }) => {
        const found = service(admin, params[0] ?? "").handlers.find((h) => h.name === params[1]);
        if (found === undefined) throw new NotFoundError(`the requested handler '${params[1] ?? ""}' does not exist on service '${params[0] ?? ""}'`);
        return { status: 200, body: found };
      },
    },
  },
];

/** Parts of restate-server's admin API not served yet: a clear 501 instead of a bare 404. */
const notYet = /^\/(invocations|subscriptions)(\/|$)/;

function service(admin: Admin, name: string) {
  const found = currentServiceMetadata(admin.state, admin.defaults, name)[0];
  if (found === undefined) throw new NotFoundError(`the requested service '${name}' does not exist`);
  return found;
}

export async function startAdminServer(admin: Admin, options: AdminServerOptions): Promise<AdminServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(admin, options, req, res);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9070, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("admin: could not read the bound port");
  return {
    port: address.port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function handle(admin: Admin, options: AdminServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (await serveMetrics(options.metrics, req, res)) return;
  let answer: Answer;
  try {
    answer = await route(admin, options, req);
  } catch (error) {
    answer = errorAnswer(error);
  }
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers };
  let payload: string | Uint8Array = "";
  if (answer.raw !== undefined) {
    payload = answer.raw.bytes;
    headers["content-type"] = answer.raw.contentType;
  } else if (answer.body !== undefined) {
    payload = JSON.stringify(answer.body);
    headers["content-type"] = "application/json";
  }
  headers["content-length"] = String(typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength);
  res.writeHead(answer.status, headers);
  res.end(payload);
}

async function route(admin: Admin, options: AdminServerOptions, req: IncomingMessage): Promise<Answer> {
  const url = new URL(req.url ?? "/", "http://admin");
  let path = url.pathname;
  let apiVersion = adminApiVersionMax;
  const prefix = /^\/v(\d+)(\/.*)?$/.exec(path);
  if (prefix !== null) {
    const version = Number(prefix[1]);
    if (version < adminApiVersionMin) {
      throw new UnsupportedApiVersionError(
        `Unsupported Admin API version V${version}. This server supports versions between V${adminApiVersionMin} and V${adminApiVersionMax}.`,
      );
    }
    if (version > adminApiVersionMax) throw new NotFoundError(`no admin route ${path}: API version V${version} is not served`);
    apiVersion = version;
    path = prefix[2] ?? "/";
  }
  const method = req.method ?? "GET";
  // Several entries may serve one path (each file adds its methods); the first with the method wins.
  const allowed: string[] = [];
  for (const { pattern, methods } of routes) {
    const match = pattern.exec(path);
    if (match === null) continue;
    const handler = methods[method];
    if (handler === undefined) {
      allowed.push(...Object.keys(methods));
      continue;
    }
    const params = match.slice(1).map((p) => decodeURIComponent(p));
    return handler(admin, { apiVersion, params, query: url.searchParams, body: () => readJson(req), headers: req.headers, options });
  }
  const invocation = await routeInvocation(admin, method, path, url.searchParams);
  if (invocation !== undefined) {
    req.resume();
    return invocation;
  }
  req.resume();
  if (allowed.length > 0) throw new MethodNotAllowedError(`method ${method} not allowed on ${path}`, [...new Set(allowed)]);
  if (notYet.test(path)) throw new NotImplementedError(`${method} ${path} is not supported by this server yet`);
  throw new NotFoundError(`no admin route ${method} ${path}`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > adminRequestBodyBytesMax) {
    req.resume();
    throw new PayloadTooLargeError(`the request body is over ${adminRequestBodyBytesMax} bytes`);
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > adminRequestBodyBytesMax) throw new PayloadTooLargeError(`the request body is over ${adminRequestBodyBytesMax} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequestError(`failed to parse the request body as JSON: ${(error as Error).message}`);
  }
}

function errorAnswer(error: unknown): Answer {
  if (error instanceof AdminError) {
    const headers: Record<string, string> = {};
    if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(",");
    return { status: error.status, body: { message: error.message, restate_code: error.restateCode }, headers };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { message: `internal error: ${message}`, restate_code: null } };
}
