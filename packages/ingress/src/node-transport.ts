// The ingress on node:http: the fallback where no native uWebSockets.js build loads (Node 22+ with
// the republish we use, or an unsupported platform). Same handler, same answers; slower.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { closeGraceMs, keepAliveTimeoutMs } from "./constants.js";
import { UnavailableError } from "./errors.js";
import type { IngressHandler, PendingRequest } from "./ingress-handler.js";
import { ingressErrorResponse, type Header, type IngressResponse } from "./responses.js";
import type { IngressTransport, TransportOptions } from "./transport.js";

export async function startNodeTransport(handler: IngressHandler, options: TransportOptions): Promise<IngressTransport> {
  const open = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let closing = false;

  const write = (res: ServerResponse, response: IngressResponse, closeConnection = false): void => {
    open.delete(res);
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    if (closeConnection || closing) headers.connection = "close";
    const body = response.body;
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
  };

  const server = createServer({ keepAliveTimeout: keepAliveTimeoutMs }, (req, res) => {
    if (closing) {
      write(res, ingressErrorResponse(new UnavailableError("the server is shutting down")), true);
      req.resume();
      return;
    }
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const headers: Header[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.push([(raw[i] ?? "").toLowerCase(), raw[i + 1] ?? ""]);
    const prepared = handler.prepare({
      method: req.method ?? "GET",
      path: mark === -1 ? url : url.slice(0, mark),
      query: mark === -1 ? "" : url.slice(mark + 1),
      headers,
    });
    if (prepared.kind === "respond") {
      // A body too large to drain closes the connection; any other early answer drains it.
      write(res, prepared.response, prepared.response.status === 413);
      req.resume();
      return;
    }
    open.add(res);
    readBody(handler, req, res, prepared.request, write);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("node:http ingress: could not read the bound port");

  return {
    implementation: "node",
    port: address.port,
    get openRequests() {
      return open.size;
    },
    close: async (graceMs = closeGraceMs) => {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function readBody(
  handler: IngressHandler,
  req: IncomingMessage,
  res: ServerResponse,
  pending: PendingRequest,
  write: (res: ServerResponse, response: IngressResponse, closeConnection?: boolean) => void,
): void {
  let finished = false;
  const chunks: Buffer[] = [];
  let received = 0;

  const fail = (response: IngressResponse): void => {
    finished = true;
    handler.abandon(pending);
    write(res, response, true);
    req.resume();
  };

  if (pending.contentLength !== undefined) {
    const rejection = handler.reserve(pending, pending.contentLength);
    if (rejection !== undefined) {
      fail(rejection);
      return;
    }
  }

  res.once("close", () => {
    if (!finished) {
      finished = true;
      handler.abandon(pending);
    }
  });
  req.on("data", (chunk: Buffer) => {
    if (finished) return;
    if (pending.contentLength === undefined) {
      const rejection = handler.reserve(pending, chunk.length);
      if (rejection !== undefined) {
        fail(rejection);
        return;
      }
    }
    chunks.push(chunk);
    received += chunk.length;
  });
  req.once("end", () => {
    if (finished) return;
    finished = true;
    // One chunk is used as it is (no copy); several are joined into one owned buffer, which the
    // dispatcher may transfer to the worker.
    let body: Uint8Array;
    let transferable = false;
    if (chunks.length === 1 && chunks[0] !== undefined) body = chunks[0];
    else {
      const joined = new Uint8Array(received);
      let offset = 0;
      for (const chunk of chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      body = joined;
      transferable = true;
    }
    void handler
      .execute(pending, body, transferable)
      .then((response) => write(res, response))
      .catch(() => {
        // The connection was closed under us; there is nobody left to answer.
      });
  });
  req.once("error", () => {
    if (finished) return;
    finished = true;
    handler.abandon(pending);
  });
}
