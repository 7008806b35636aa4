// The ingress on uWebSockets.js (a registry republish of its native binaries, installed under the
// alias `uWebSockets.js`). The binary is loaded directly, not through the package's entry: that
// entry silently falls back to a slow JavaScript emulation, and we want to know, and say, which
// implementation serves (node-transport.ts is our fallback).
//
// uWS rules this file follows: the request object is valid only during the route callback (read
// everything from it synchronously); an onAborted handler must be attached before answering
// asynchronously; body chunks are views into a buffer uWS reuses, so they are copied (once, into
// the final body buffer when content-length is known); writes outside the callback are corked.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as Uws from "uWebSockets.js";
import { closeGraceMs } from "./constants.js";
import { ingressErrorResponse, statusLine, type Header, type IngressResponse } from "./responses.js";
import { BadRequestError, UnavailableError } from "./errors.js";
import type { IngressHandler, PendingRequest } from "./ingress-handler.js";
import type { IngressTransport, TransportOptions } from "./transport.js";

type UwsModule = typeof Uws;

export type UwsLoad = { readonly ok: true; readonly uws: UwsModule; readonly binary: string } | { readonly ok: false; readonly reason: string };

let loaded: UwsLoad | undefined;

/** Loads the native uWS binary for this platform and Node ABI, once; never throws. */
export function loadUws(): UwsLoad {
  if (loaded !== undefined) return loaded;
  let binary = "(unresolved)";
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve("uWebSockets.js/package.json");
    binary = join(dirname(manifest), "binaries", `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
    loaded = { ok: true, uws: require(binary) as UwsModule, binary };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    loaded = { ok: false, reason: `no native uWebSockets.js build loads on Node ${process.version} ${process.platform}-${process.arch} (${binary}): ${detail}` };
  }
  return loaded;
}

interface Exchange {
  readonly res: Uws.HttpResponse;
  done: boolean;
  aborted: boolean;
}

export async function startUwsTransport(uws: UwsModule, handler: IngressHandler, options: TransportOptions): Promise<IngressTransport> {
  const app = uws.App();
  const open = new Set<Exchange>();
  let closing = false;

  const write = (exchange: Exchange, response: IngressResponse, closeConnection = false): void => {
    if (exchange.done || exchange.aborted) return;
    exchange.done = true;
    open.delete(exchange);
    const res = exchange.res;
    res.cork(() => {
      res.writeStatus(statusLine(response.status));
      for (const [name, value] of response.headers) res.writeHeader(name, value);
      res.end(response.body, closeConnection || closing);
    });
  };

  app.any("/*", (res, req) => {
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    const query = (req.getQuery() as string | undefined) ?? "";
    const headers: Header[] = [];
    req.forEach((name, value) => headers.push([name, value]));
    const exchange: Exchange = { res, done: false, aborted: false };

    if (closing) {
      write(exchange, ingressErrorResponse(new UnavailableError("the server is shutting down")), true);
      return;
    }
    const prepared = handler.prepare({ method, path, query, headers });
    if (prepared.kind === "respond") {
      write(exchange, prepared.response);
      return;
    }
    open.add(exchange);
    readBody(handler, exchange, prepared.request, write);
  });

  const listenSocket = await new Promise<Uws.us_listen_socket>((resolve, reject) => {
    app.listen(options.host, options.port, (socket) => {
      if (socket === false) reject(new Error(`uWebSockets.js could not listen on ${options.host}:${options.port}`));
      else resolve(socket);
    });
  });
  const port = uws.us_socket_local_port(listenSocket);

  return {
    implementation: "uws",
    port,
    get openRequests() {
      return open.size;
    },
    close: async (graceMs = closeGraceMs) => {
      if (closing) return;
      closing = true;
      uws.us_listen_socket_close(listenSocket);
      const deadline = Date.now() + graceMs;
      while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const exchange of open) {
        if (!exchange.done && !exchange.aborted) exchange.res.close();
      }
      open.clear();
      // Closes every remaining (idle keep-alive) connection of the app. The binary has close()
      // although the bundled typings predate it.
      (app as unknown as { close(): void }).close();
    },
  };
}

function readBody(
  handler: IngressHandler,
  exchange: Exchange,
  pending: PendingRequest,
  write: (exchange: Exchange, response: IngressResponse, closeConnection?: boolean) => void,
): void {
  const { res } = exchange;
  let finished = false;
  res.onAborted(() => {
    exchange.aborted = true;
    if (!finished) handler.abandon(pending);
  });

  const fail = (response: IngressResponse): void => {
    finished = true;
    handler.abandon(pending);
    write(exchange, response, true);
  };

  // With a declared length the body goes straight into one buffer of exactly that size, which
  // the dispatcher may then transfer to the worker instead of copying it again.
  let buffer: Uint8Array | undefined;
  let chunks: Uint8Array[] | undefined;
  let received = 0;
  if (pending.contentLength !== undefined) {
    const rejection = handler.reserve(pending, pending.contentLength);
    if (rejection !== undefined) {
      fail(rejection);
      return;
    }
    buffer = new Uint8Array(pending.contentLength);
  } else {
    chunks = [];
  }

  res.onData((chunk, isLast) => {
    if (finished) return;
    const bytes = new Uint8Array(chunk);
    if (buffer !== undefined) {
      if (received + bytes.length > buffer.length) {
        fail(ingressErrorResponse(new BadRequestError("the request body is longer than its content-length")));
        return;
      }
      buffer.set(bytes, received);
    } else if (bytes.length > 0) {
      const rejection = handler.reserve(pending, bytes.length);
      if (rejection !== undefined) {
        fail(rejection);
        return;
      }
      chunks?.push(bytes.slice());
    }
    received += bytes.length;
    if (!isLast) return;
    finished = true;
    let body: Uint8Array;
    if (buffer !== undefined) body = received === buffer.length ? buffer : buffer.subarray(0, received);
    else body = concat(chunks ?? [], received);
    const transferable = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    void handler
      .execute(pending, body, transferable)
      .then((response) => write(exchange, response))
      .catch(() => {
        // The connection was closed under us; there is nobody left to answer.
      });
  });
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
