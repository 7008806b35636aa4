// Discovery of a deployment (RESTATE-PROTOCOL.md §5.1):
//
//   GET {uri without trailing "/"}/discover{?query of uri}
//   accept: application/vnd.restate.endpointmanifest.v4+json, …v3+json, …v2+json
//   + the deployment's additional headers
//   → 2xx, content-type …endpointmanifest.vN+json (selects N), JSON body, x-restate-server: <sdk>
//
// Transport: HTTP/2 with prior knowledge (h2c) for http:// URIs, HTTP/2 over TLS (ALPN) for
// https://, HTTP/1.1 when the deployment is registered with `use_http_11`. A Node
// `http1Handler()` endpoint therefore needs `use_http_11: true`, as on restate-server.

import { request as http1Request, type IncomingHttpHeaders } from "node:http";
import { connect as http2Connect, constants as http2Constants } from "node:http2";
import { request as https1Request } from "node:https";
import {
  formatManifestAccept,
  parseManifestContentType,
  validateManifest,
  type EndpointManifest,
  type ManifestVersion,
} from "@cairn/protocol";
import { discoveryTimeoutMs, manifestBytesMax } from "./constants.js";
import { DiscoveryError, InvalidDeploymentError } from "./errors.js";

export interface DiscoveryRequest {
  /** Parsed deployment URI (http: or https:). */
  readonly uri: URL;
  readonly useHttp11: boolean;
  readonly additionalHeaders: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface DiscoveryResult {
  readonly manifest: EndpointManifest;
  readonly manifestVersion: ManifestVersion;
  readonly sdkVersion: string | null;
  readonly httpVersion: "HTTP/2.0" | "HTTP/1.1";
}

/** The manifest versions we ask for, highest first. */
const accept = formatManifestAccept([4, 3, 2]);

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The URL of `/discover` under a deployment URI (path prefix and query kept). */
export function discoverUrl(uri: URL): URL {
  const url = new URL(uri.href);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/discover`;
  return url;
}

export async function discover(request: DiscoveryRequest): Promise<DiscoveryResult> {
  const url = discoverUrl(request.uri);
  const timeoutMs = request.timeoutMs ?? discoveryTimeoutMs;
  const headers: Record<string, string> = { ...request.additionalHeaders, accept };
  let answer: RawAnswer;
  try {
    answer = request.useHttp11 ? await getHttp1(url, headers, timeoutMs) : await getHttp2(url, headers, timeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = request.useHttp11
      ? ""
      : "; the deployment is called over HTTP/2 (h2c for http://): if it serves HTTP/1.1 only, register it with use_http_11: true";
    throw new DiscoveryError(`error when calling '${url.href}': ${reason}${hint}`, { cause: error });
  }

  if (answer.status < 200 || answer.status > 299) {
    const snippet = answer.body.subarray(0, 512).toString("utf8");
    const why =
      answer.status === 404
        ? "is this the URI of a Restate service endpoint (with its path prefix, if any)?"
        : answer.status === 415
          ? "the endpoint supports none of the manifest versions v2-v4 this server speaks"
          : "the endpoint refused the discovery request";
    throw new DiscoveryError(`'${url.href}' answered ${answer.status}: ${why} Body: ${snippet}`);
  }

  let version: ManifestVersion;
  try {
    version = parseManifestContentType(headerValue(answer.headers["content-type"]));
  } catch (error) {
    throw new InvalidDeploymentError(`bad discovery answer from '${url.href}': ${(error as Error).message}`, "META0014", { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString("utf8"));
  } catch (error) {
    throw new InvalidDeploymentError(`the discovery manifest from '${url.href}' is not valid JSON: ${(error as Error).message}`, "META0014", { cause: error });
  }
  let manifest: EndpointManifest;
  try {
    manifest = validateManifest(json, version);
  } catch (error) {
    throw new InvalidDeploymentError(`the discovery manifest from '${url.href}' is invalid: ${(error as Error).message}`, "META0014", { cause: error });
  }
  return {
    manifest,
    manifestVersion: version,
    sdkVersion: headerValue(answer.headers["x-restate-server"]) ?? null,
    httpVersion: request.useHttp11 ? "HTTP/1.1" : "HTTP/2.0",
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function getHttp2(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    let settled = false;
    const session = http2Connect(url.origin);
    const finish = (error: Error | undefined, answer?: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      if (error !== undefined) {
        session.destroy();
        reject(error);
      } else if (answer !== undefined) resolve(answer);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    session.once("error", (error: Error) => finish(error));
    session.once("goaway", () => finish(new Error("the deployment closed the HTTP/2 connection")));
    const stream = session.request({
      [http2Constants.HTTP2_HEADER_METHOD]: "GET",
      [http2Constants.HTTP2_HEADER_PATH]: `${url.pathname}${url.search}`,
      ...headers,
    });
    stream.end();
    stream.once("error", (error: Error) => finish(error));
    stream.once("response", (responseHeaders) => {
      const status = Number(responseHeaders[http2Constants.HTTP2_HEADER_STATUS]);
      readBody(stream, (error, body) => {
        if (error !== undefined) finish(error);
        else finish(undefined, { status, headers: responseHeaders, body: body ?? Buffer.alloc(0) });
      });
    });
  });
}

function getHttp1(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    const send = url.protocol === "https:" ? https1Request : http1Request;
    const req = send(url, { method: "GET", headers, timeout: timeoutMs, agent: false }, (res) => {
      readBody(res, (error, body) => {
        if (error !== undefined) reject(error);
        else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body ?? Buffer.alloc(0) });
      });
    });
    req.once("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once("error", reject);
    req.end();
  });
}

function readBody(stream: NodeJS.ReadableStream & { destroy(error?: Error): void }, done: (error: Error | undefined, body?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let finished = false;
  stream.on("data", (chunk: Buffer) => {
    if (finished) return;
    bytes += chunk.length;
    if (bytes > manifestBytesMax) {
      finished = true;
      stream.destroy();
      done(new Error(`the manifest is larger than ${manifestBytesMax} bytes`));
      return;
    }
    chunks.push(chunk);
  });
  stream.once("end", () => {
    if (finished) return;
    finished = true;
    done(undefined, Buffer.concat(chunks));
  });
  stream.once("error", (error: Error) => {
    if (finished) return;
    finished = true;
    done(error);
  });
}
