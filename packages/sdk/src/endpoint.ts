// The endpoint: binds definitions, answers discovery and health, verifies request identity, and
// routes `/invoke/{service}/{handler}` to an attempt. Transport-neutral; the HTTP/2, HTTP/1.1,
// fetch and Lambda adapters sit on top of `EndpointCore.route`.
import type { AnyDefinition, ServiceOptions } from "./definitions.js";
import { buildManifest, buildServiceEntry, negotiateManifestVersion, type ProtocolMode, type ServiceEntry } from "./discovery.js";
import { EndpointRequestError } from "./errors.js";
import { IdentityVerifier } from "./identity.js";
import { type Attempt, type AttemptIo, startAttempt } from "./invocation.js";
import { defaultLogger, type Logger } from "./logger.js";
import { MAX_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION, SDK_SERVER_HEADER } from "./constants.js";

export interface PlainResponse {
  readonly kind: "response";
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export interface InvokeRoute {
  readonly kind: "invoke";
  readonly headers: Record<string, string>;
  /** Starts the attempt; the caller feeds the request body and forwards `io.write`. */
  start(io: AttemptIo): Attempt;
}

export type RouteResult = PlainResponse | InvokeRoute;

export interface IncomingRequestInfo {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  header(name: string): string | undefined;
  /** All headers of this attempt, for `ctx.request().attemptHeaders`. */
  readonly allHeaders: ReadonlyMap<string, string | string[] | undefined>;
}

const encoder = new TextEncoder();

export function jsonResponse(status: number, body: unknown, extra: Record<string, string> = {}): PlainResponse {
  return {
    kind: "response",
    status,
    headers: { "content-type": "application/json", "x-restate-server": SDK_SERVER_HEADER, ...extra },
    body: encoder.encode(JSON.stringify(body)),
  };
}

export class EndpointCore {
  private readonly services = new Map<string, ServiceEntry>();
  private verifier: IdentityVerifier | undefined;
  logger: Logger = defaultLogger();
  private warnedUnverified = false;

  bind(definition: AnyDefinition, defaults: ServiceOptions): void {
    if (this.services.has(definition.name)) throw new TypeError(`service ${definition.name} is bound twice`);
    this.services.set(definition.name, buildServiceEntry(definition, defaults));
  }

  setIdentityKeys(keys: readonly string[]): void {
    this.verifier = keys.length === 0 ? undefined : new IdentityVerifier(keys);
  }

  route(req: IncomingRequestInfo, mode: ProtocolMode): RouteResult {
    try {
      return this.routeInner(req, mode);
    } catch (e) {
      if (e instanceof EndpointRequestError) return jsonResponse(e.status, { message: e.message });
      const message = e instanceof Error ? e.message : String(e);
      this.logger("error", `endpoint request failed: ${message}`, e);
      return jsonResponse(500, { message });
    }
  }

  private routeInner(req: IncomingRequestInfo, mode: ProtocolMode): RouteResult {
    const segments = req.path.split("/").filter((s) => s !== "");
    const last = segments[segments.length - 1];
    if (last === "health") {
      return { kind: "response", status: 200, headers: { "content-type": "application/text", "x-restate-server": SDK_SERVER_HEADER }, body: encoder.encode("OK") };
    }
    if (last === "discover") {
      this.verify("/discover", req);
      const version = negotiateManifestVersion(req.header("accept"));
      const manifest = buildManifest(this.services.values(), mode, version);
      return {
        kind: "response",
        status: 200,
        headers: { "content-type": `application/vnd.restate.endpointmanifest.v${version}+json`, "x-restate-server": SDK_SERVER_HEADER },
        body: encoder.encode(JSON.stringify(manifest)),
      };
    }
    if (segments.length >= 3 && segments[segments.length - 3] === "invoke") {
      const serviceName = decodeURIComponent(segments[segments.length - 2]!);
      const handlerName = decodeURIComponent(last!);
      this.verify(`/invoke/${serviceName}/${handlerName}`, req);
      const service = this.services.get(serviceName);
      const handler = service?.handlers.get(handlerName);
      if (service === undefined || handler === undefined) throw new EndpointRequestError(404, `No service/handler found for ${serviceName}/${handlerName}`);
      if (req.method !== "POST") throw new EndpointRequestError(405, `method ${req.method} not allowed on ${req.path}`);
      const contentType = req.header("content-type");
      if (contentType === undefined) throw new EndpointRequestError(415, "Missing content-type header");
      const match = /^application\/vnd\.restate\.invocation\.v(\d+)$/.exec(contentType);
      const version = match === null ? Number.NaN : Number(match[1]);
      if (!(version >= MIN_PROTOCOL_VERSION && version <= MAX_PROTOCOL_VERSION)) {
        throw new EndpointRequestError(
          415,
          `Unsupported protocol version '${contentType}', not within [V${MIN_PROTOCOL_VERSION} to V${MAX_PROTOCOL_VERSION}]. You might need to rediscover the service.`,
        );
      }
      return {
        kind: "invoke",
        headers: { "content-type": `application/vnd.restate.invocation.v${version}`, "x-restate-server": SDK_SERVER_HEADER },
        start: (io) => startAttempt(service, handler, version, () => req.allHeaders, io, this.logger),
      };
    }
    throw new EndpointRequestError(404, `No route for ${req.path}`);
  }

  private verify(audience: string, req: IncomingRequestInfo): void {
    if (this.verifier === undefined) {
      if (!this.warnedUnverified) {
        this.warnedUnverified = true;
        this.logger("debug", "request identity keys are not configured: requests are accepted without verification");
      }
      return;
    }
    const reason = this.verifier.check(audience, (n) => req.header(n));
    if (reason !== undefined) {
      this.logger("warn", `rejected request to ${audience}: ${reason}`);
      throw new EndpointRequestError(401, "Unauthorized");
    }
  }
}
