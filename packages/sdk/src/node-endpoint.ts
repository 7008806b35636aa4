// The endpoint builder (`endpoint().bind(...).listen(port)`) and its Node adapters: HTTP/2 (h2c)
// bidirectional streaming, HTTP/1.1 request/response, and a combined handler for both.
import * as http2 from "node:http2";
import type * as http from "node:http";
import { DEFAULT_PORT, MAX_REQUEST_BODY_BYTES } from "./constants.js";
import type { AnyDefinition, ServiceOptions } from "./definitions.js";
import type { ProtocolMode } from "./discovery.js";
import { EndpointCore, type IncomingRequestInfo, jsonResponse, type RouteResult } from "./endpoint.js";
import { fetchHandlerFor, type FetchHandlerOptions } from "./fetch-handler.js";
import { lambdaHandlerFor, type LambdaHandler } from "./lambda-handler.js";
import type { Logger } from "./logger.js";
import { concat, runRequestResponse } from "./request-response.js";

export interface RestateEndpoint {
  bind(definition: AnyDefinition | { name: string; kind: string; handlers: unknown }): RestateEndpoint;
  defaultServiceOptions(options: ServiceOptions): RestateEndpoint;
  /** Accept only requests signed by one of these keys (`publickeyv1_…`). */
  withIdentityV1(...keys: string[]): RestateEndpoint;
  setLogger(logger: Logger): RestateEndpoint;
  /** Serves HTTP/2 cleartext (h2c), bidirectional streaming; resolves with the bound port. */
  listen(port?: number): Promise<number>;
  /** `(req, res)` for `http2.createServer`: bidirectional unless `{bidirectional: false}`. */
  http2Handler(options?: { bidirectional?: boolean }): (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;
  /** `(req, res)` for `http.createServer`: request/response. */
  http1Handler(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** `(req, res)` for a server speaking both: HTTP/2 streams bidirectionally, HTTP/1.1 request/response. */
  handler(): (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;
  /** Fetch-API handler for Deno, Bun, Cloudflare Workers and other fetch runtimes. */
  fetchHandler(options?: FetchHandlerOptions): (request: Request) => Promise<Response>;
  /** AWS Lambda handler (API Gateway proxy event in, proxy result out). */
  lambdaHandler(): LambdaHandler;
}

class EndpointBuilder implements RestateEndpoint {
  private readonly core = new EndpointCore();
  private readonly definitions: AnyDefinition[] = [];
  private defaults: ServiceOptions = {};
  private built = false;

  bind(definition: AnyDefinition | { name: string; kind: string; handlers: unknown }): RestateEndpoint {
    if (this.built) throw new TypeError("bind() after the endpoint started serving");
    this.definitions.push(definition as AnyDefinition);
    return this;
  }

  defaultServiceOptions(options: ServiceOptions): RestateEndpoint {
    this.defaults = options;
    return this;
  }

  withIdentityV1(...keys: string[]): RestateEndpoint {
    this.core.setIdentityKeys(keys);
    return this;
  }

  setLogger(logger: Logger): RestateEndpoint {
    this.core.logger = logger;
    return this;
  }

  private build(): EndpointCore {
    if (!this.built) {
      this.built = true;
      for (const d of this.definitions) this.core.bind(d, this.defaults);
    }
    return this.core;
  }

  async listen(port?: number): Promise<number> {
    const core = this.build();
    const server = http2.createServer();
    server.on("stream", (stream, headers) => serveH2Stream(core, stream, headers, "BIDI_STREAM"));
    const wanted = port ?? (process.env.PORT === undefined ? DEFAULT_PORT : Number(process.env.PORT));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(wanted, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    const bound = typeof address === "object" && address !== null ? address.port : wanted;
    core.logger("info", `listening on port ${bound} (HTTP/2, bidirectional streaming)`);
    return bound;
  }

  http2Handler(options?: { bidirectional?: boolean }): (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void {
    const core = this.build();
    const mode: ProtocolMode = options?.bidirectional === false ? "REQUEST_RESPONSE" : "BIDI_STREAM";
    return (req, res) => serveH2Stream(core, res.stream, req.headers, mode);
  }

  http1Handler(): (req: http.IncomingMessage, res: http.ServerResponse) => void {
    const core = this.build();
    return (req, res) => serveRequestResponse(core, req, res);
  }

  handler(): (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void {
    const core = this.build();
    return (req, res) => {
      if (req.httpVersionMajor === 2) serveH2Stream(core, (res as http2.Http2ServerResponse).stream, (req as http2.Http2ServerRequest).headers, "BIDI_STREAM");
      else serveRequestResponse(core, req as http.IncomingMessage, res as http.ServerResponse);
    };
  }

  fetchHandler(options?: FetchHandlerOptions): (request: Request) => Promise<Response> {
    return fetchHandlerFor(this.build(), options);
  }

  lambdaHandler(): LambdaHandler {
    return lambdaHandlerFor(this.build());
  }
}

/** Creates an endpoint to bind services to. */
export function endpoint(): RestateEndpoint {
  return new EndpointBuilder();
}

export interface ServeOptions {
  services: ReadonlyArray<AnyDefinition | { name: string; kind: string; handlers: unknown }>;
  port?: number;
  identityKeys?: string[];
  defaultServiceOptions?: ServiceOptions;
}

/** Binds services and listens (HTTP/2); resolves with the bound port. */
export function serve(options: ServeOptions): Promise<number> {
  const e = endpoint();
  for (const s of options.services) e.bind(s);
  if (options.identityKeys !== undefined) e.withIdentityV1(...options.identityKeys);
  if (options.defaultServiceOptions !== undefined) e.defaultServiceOptions(options.defaultServiceOptions);
  return e.listen(options.port);
}

function headerMap(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Map<string, string | string[] | undefined> {
  const out = new Map<string, string | string[] | undefined>();
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(":")) out.set(k, v);
  return out;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function serveH2Stream(core: EndpointCore, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, mode: ProtocolMode): void {
  const rawPath = headers[":path"] ?? "/";
  const q = rawPath.indexOf("?");
  let all: Map<string, string | string[] | undefined> | undefined;
  const req: IncomingRequestInfo = {
    method: headers[":method"] ?? "GET",
    path: q < 0 ? rawPath : rawPath.slice(0, q),
    header: (n) => single(headers[n]),
    get allHeaders() {
      return (all ??= headerMap(headers));
    },
  };
  const route = core.route(req, mode);
  stream.on("error", () => undefined);
  if (route.kind === "response") {
    if (stream.destroyed) return;
    stream.respond({ ":status": route.status, ...route.headers });
    stream.end(route.body);
    stream.resume();
    return;
  }
  stream.respond({ ":status": 200, ...route.headers });
  let smClosed = false;
  let inputEnded = false;
  const finish = (): void => {
    if (!stream.destroyed && !stream.writableEnded) stream.end();
  };
  const attempt = route.start({
    write: (bytes) => {
      if (!stream.destroyed && !stream.writableEnded) stream.write(bytes);
    },
    closed: () => {
      smClosed = true;
      // The runtime ends the request once it sees the terminal frame; answer the end then.
      if (inputEnded) finish();
    },
  });
  stream.on("data", (chunk: Buffer) => attempt.push(chunk));
  stream.on("end", () => {
    inputEnded = true;
    attempt.endInput();
    if (smClosed) finish();
  });
  stream.on("close", () => {
    if (!smClosed) attempt.abort();
  });
}

function serveRequestResponse(core: EndpointCore, req: http.IncomingMessage, res: http.ServerResponse): void {
  const rawPath = req.url ?? "/";
  const q = rawPath.indexOf("?");
  const info: IncomingRequestInfo = {
    method: req.method ?? "GET",
    path: q < 0 ? rawPath : rawPath.slice(0, q),
    header: (n) => single(req.headers[n]),
    allHeaders: headerMap(req.headers),
  };
  const route: RouteResult = core.route(info, "REQUEST_RESPONSE");
  if (route.kind === "response") {
    req.resume();
    res.writeHead(route.status, route.headers);
    res.end(route.body);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) {
      tooLarge = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (tooLarge) {
      const r = jsonResponse(413, { message: `request body over ${MAX_REQUEST_BODY_BYTES} bytes` });
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      return;
    }
    void runRequestResponse(route, concat(chunks)).then((body) => {
      res.writeHead(200, { ...route.headers, "content-length": String(body.length) });
      res.end(body);
    });
  });
}
