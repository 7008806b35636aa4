// GET /metrics on the admin port: the server's metrics in the Prometheus text format 0.0.4.
// The admin package does not know what is measured; the server passes a `metrics` function in
// AdminServerOptions that renders the exposition (it scrapes its worker threads).
//
//   GET /metrics   200 text/plain; version=0.0.4 | 404 when no metrics function is configured
//                  | 503 {"message"} when collecting failed
import type { IncomingMessage, ServerResponse } from "node:http";

export type MetricsSource = () => Promise<string>;

/** Answers `GET /metrics` (and `HEAD`); returns false for any other request, which routes as before. */
export async function serveMetrics(source: MetricsSource | undefined, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/metrics" || source === undefined) return false;
  req.resume();
  if (req.method !== "GET" && req.method !== "HEAD") {
    const body = JSON.stringify({ message: `method ${req.method ?? ""} not allowed on /metrics`, restate_code: null });
    res.writeHead(405, { allow: "GET,HEAD", "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
    return true;
  }
  let text: string;
  try {
    text = await source();
  } catch (error) {
    const body = JSON.stringify({ message: `metrics could not be collected: ${error instanceof Error ? error.message : String(error)}`, restate_code: null });
    if (!res.destroyed) {
      res.writeHead(503, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
    }
    return true;
  }
  if (res.destroyed) return true;
  res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(req.method === "HEAD" ? undefined : text);
  return true;
}
