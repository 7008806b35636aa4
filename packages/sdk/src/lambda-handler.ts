// AWS Lambda adapter: the runtime invokes the function with an API-Gateway-proxy-shaped event
// and expects a proxy result; bodies are base64. Request/response mode.
import type { EndpointCore } from "./endpoint.js";
import { runRequestResponse } from "./request-response.js";

export interface LambdaEvent {
  path?: string;
  rawPath?: string;
  httpMethod?: string;
  requestContext?: { http?: { method?: string } };
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export type LambdaHandler = (event: LambdaEvent, context?: unknown) => Promise<LambdaResult>;

export function lambdaHandlerFor(core: EndpointCore): LambdaHandler {
  return async (event) => {
    const headers = new Map<string, string | string[] | undefined>();
    for (const [k, v] of Object.entries(event.headers ?? {})) headers.set(k.toLowerCase(), v);
    const route = core.route(
      {
        method: event.httpMethod ?? event.requestContext?.http?.method ?? "POST",
        path: event.path ?? event.rawPath ?? "/",
        header: (n) => {
          const v = headers.get(n);
          return Array.isArray(v) ? v[0] : v;
        },
        allHeaders: headers,
      },
      "REQUEST_RESPONSE",
    );
    if (route.kind === "response") {
      return { statusCode: route.status, headers: route.headers, body: Buffer.from(route.body).toString("base64"), isBase64Encoded: true };
    }
    const raw = event.body ?? "";
    const body = event.isBase64Encoded === false ? Buffer.from(raw, "utf8") : Buffer.from(raw, "base64");
    const out = await runRequestResponse(route, new Uint8Array(body.buffer, body.byteOffset, body.length));
    return { statusCode: 200, headers: route.headers, body: Buffer.from(out).toString("base64"), isBase64Encoded: true };
  };
}
