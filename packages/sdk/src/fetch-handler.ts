// Fetch-API adapter (Deno, Bun, Cloudflare Workers, Vercel): request/response mode.
import { MAX_REQUEST_BODY_BYTES } from "./constants.js";
import type { EndpointCore } from "./endpoint.js";
import { runRequestResponse } from "./request-response.js";

export interface FetchHandlerOptions {
  /** Bidirectional streaming over fetch is not offered: runtimes differ too much in full duplex. */
  bidirectional?: false;
}

export function fetchHandlerFor(core: EndpointCore, options?: FetchHandlerOptions): (request: Request) => Promise<Response> {
  if ((options as { bidirectional?: boolean } | undefined)?.bidirectional === true) {
    throw new TypeError("the fetch handler serves request/response mode only");
  }
  return async (request) => {
    const url = new URL(request.url);
    const headers = new Map<string, string | string[] | undefined>();
    request.headers.forEach((v, k) => headers.set(k, v));
    const route = core.route(
      { method: request.method, path: url.pathname, header: (n) => request.headers.get(n) ?? undefined, allHeaders: headers },
      "REQUEST_RESPONSE",
    );
    if (route.kind === "response") return new Response(route.body, { status: route.status, headers: route.headers });
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > MAX_REQUEST_BODY_BYTES) {
      return new Response(JSON.stringify({ message: `request body over ${MAX_REQUEST_BODY_BYTES} bytes` }), { status: 413, headers: { "content-type": "application/json" } });
    }
    const out = await runRequestResponse(route, body);
    return new Response(out, { status: 200, headers: route.headers });
  };
}
