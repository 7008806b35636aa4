// Goal: the h2c client is a correct HTTP/2 client under concurrency, flow control, GOAWAY, resets and broken sockets — every stream ends or fails, none hangs; method: H2cPool against a real node:http2 server in the test.
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { H2cConnectionError, H2cPool, H2cStreamError, type H2cRequest, type InvokerError } from "@cairn/invoker";

interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Call {
  request: H2cRequest;
  result: Promise<Response>;
  /** Resolves on the first response DATA. */
  firstData: Promise<void>;
}

function call(pool: H2cPool, origin: string, path: string, headers: string[] = []): Call {
  let resolve!: (r: Response) => void;
  let reject!: (e: InvokerError) => void;
  let dataSeen!: () => void;
  const result = new Promise<Response>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const firstData = new Promise<void>((res) => {
    dataSeen = res;
  });
  const chunks: Buffer[] = [];
  let status = 0;
  const head: Record<string, string> = {};
  let ends = 0;
  const request = pool.request(origin, "POST", path, headers, {
    onHeaders(s, list) {
      status = s;
      for (let i = 0; i + 1 < list.length; i += 2) head[list[i] ?? ""] = list[i + 1] ?? "";
    },
    onData(chunk) {
      chunks.push(chunk);
      dataSeen();
    },
    onEnd() {
      ends += 1;
      if (ends > 1) throw new Error("onEnd twice");
      resolve({ status, headers: head, body: Buffer.concat(chunks) });
    },
    onError(error) {
      ends += 1;
      if (ends > 1) throw new Error("onError after the end");
      reject(error);
    },
  });
  return { request, result, firstData };
}

interface TestServer {
  origin: string;
  server: http2.Http2Server;
  sessions: http2.ServerHttp2Session[];
  sockets: net.Socket[];
  close(): Promise<void>;
}

async function startServer(
  handler: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  settings?: http2.Settings,
  serverOptions: http2.ServerOptions = {},
): Promise<TestServer> {
  const server = http2.createServer({ ...serverOptions, ...(settings !== undefined ? { settings } : {}) });
  const sessions: http2.ServerHttp2Session[] = [];
  const sockets: net.Socket[] = [];
  server.on("session", (session) => sessions.push(session));
  server.on("connection", (socket: net.Socket) => sockets.push(socket));
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    handler(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    sessions,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echo: the response head at once, then every request chunk back as it arrives. */
function echo(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.respond({ ":status": 200, "content-type": "application/octet-stream", "x-path": String(headers[":path"]), "x-method": String(headers[":method"]) });
  stream.pipe(stream);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  handler: Parameters<typeof startServer>[0],
  settings?: http2.Settings,
  poolOptions?: ConstructorParameters<typeof H2cPool>[0],
  serverOptions?: http2.ServerOptions,
): Promise<{ server: TestServer; pool: H2cPool }> {
  const server = await startServer(handler, settings, serverOptions);
  const pool = new H2cPool(poolOptions);
  cleanups.push(() => server.close());
  cleanups.push(() => pool.close());
  return { server, pool };
}

function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe("h2c client against node:http2", () => {
  it("sends pseudo-headers and headers, and gets the Huffman/indexed response head, body and end", async () => {
    const { server, pool } = await setup((stream, headers) => {
      stream.respond({ ":status": 201, "content-type": "text/plain", "x-echo": String(headers["x-restate-invocation-id"]), "x-authority": String(headers[":authority"]) });
      stream.end("hello");
    });
    for (let i = 0; i < 3; i++) {
      // The second and third heads come from the server's dynamic table.
      const c = call(pool, server.origin, "/invoke/Greeter/greet?x=1", ["x-restate-invocation-id", `inv_${i}`, "content-type", "application/json"]);
      c.request.end();
      const r = await c.result;
      expect(r.status).toBe(201);
      expect(r.headers["content-type"]).toBe("text/plain");
      expect(r.headers["x-echo"]).toBe(`inv_${i}`);
      expect(r.headers["x-authority"]).toBe(server.origin.slice("http://".length));
      expect(r.body.toString()).toBe("hello");
    }
    expect(pool.size).toBe(1);
  });

  it("runs 300 concurrent bidirectional streams on one connection", async () => {
    const { server, pool } = await setup(echo);
    const calls = Array.from({ length: 300 }, (_, i) => {
      const c = call(pool, server.origin, `/s/${i}`);
      c.request.write(pattern(1000 + i, i));
      return c;
    });
    for (const c of calls) c.request.end();
    const results = await Promise.all(calls.map((c) => c.result));
    results.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.headers["x-path"]).toBe(`/s/${i}`);
      expect(r.body.equals(pattern(1000 + i, i))).toBe(true);
    });
    expect(server.sessions.length).toBe(1);
  });

  it("streams both ways: a request chunk written after each response chunk", async () => {
    const { server, pool } = await setup(echo);
    const c = call(pool, server.origin, "/pingpong");
    c.request.write(Buffer.from("a"));
    await c.firstData;
    c.request.write(Buffer.from("b"));
    c.request.end();
    expect((await c.result).body.toString()).toBe("ab");
  });

  it("moves a 4 MiB request and a 4 MiB response across the flow-control windows", async () => {
    const { server, pool } = await setup(echo);
    const body = pattern(4 * 1024 * 1024 + 17, 3);
    const c = call(pool, server.origin, "/big");
    c.request.write(body);
    c.request.end();
    const r = await c.result;
    expect(r.body.length).toBe(body.length);
    expect(r.body.equals(body)).toBe(true);
    // Twice more on the same connection: the connection windows were credited back.
    for (let i = 0; i < 2; i++) {
      const again = call(pool, server.origin, "/big");
      again.request.write(body);
      again.request.end();
      expect((await again.result).body.equals(body)).toBe(true);
    }
  });

  it.each([
    ["a 1 KiB initial window", { initialWindowSize: 1024 }, {}],
    ["64 KiB frames", { maxFrameSize: 65_536 }, {}],
    ["padded DATA and HEADERS", undefined, { paddingStrategy: http2.constants.PADDING_STRATEGY_MAX }],
  ] as const)("echoes 512 KiB with the server's %s", async (_name, settings, serverOptions) => {
    const { server, pool } = await setup(echo, settings, undefined, serverOptions);
    // The server's SETTINGS first, so the request is sent under them.
    const warm = call(pool, server.origin, "/warm");
    warm.request.end();
    await warm.result;
    const body = pattern(512 * 1024 + 5, 11);
    const c = call(pool, server.origin, "/settings");
    c.request.write(body);
    c.request.end();
    expect((await c.result).body.equals(body)).toBe(true);
  });

  it("sends a 4 MiB response to a request it has not finished (response before request end)", async () => {
    const big = pattern(4 * 1024 * 1024, 9);
    const { server, pool } = await setup((stream) => {
      stream.respond({ ":status": 200 });
      stream.end(big);
    });
    const c = call(pool, server.origin, "/download");
    const r = await c.result;
    expect(r.body.equals(big)).toBe(true);
    c.request.end(); // after the response ended: closes the stream, no error
  });

  it("holds streams back at the peer's MAX_CONCURRENT_STREAMS and opens them as slots free", async () => {
    let open = 0;
    let maxOpen = 0;
    const { server, pool } = await setup(
      (stream) => {
        open += 1;
        maxOpen = Math.max(maxOpen, open);
        stream.respond({ ":status": 200 });
        setTimeout(() => {
          open -= 1;
          stream.end("ok");
        }, 5);
      },
      { maxConcurrentStreams: 2 },
    );
    // Let the server's SETTINGS arrive first.
    const first = call(pool, server.origin, "/warm");
    first.request.end();
    await first.result;
    const calls = Array.from({ length: 12 }, (_, i) => call(pool, server.origin, `/q/${i}`));
    for (const c of calls) c.request.end();
    const results = await Promise.all(calls.map((c) => c.result));
    expect(results.every((r) => r.body.toString() === "ok")).toBe(true);
    expect(maxOpen).toBeLessThanOrEqual(2);
  });

  it("receives a header block split over HEADERS + CONTINUATION", async () => {
    const big = "v".repeat(40_000);
    const { server, pool } = await setup((stream) => {
      stream.respond({ ":status": 200, "x-big": big });
      stream.end();
    });
    const c = call(pool, server.origin, "/h");
    c.request.end();
    expect((await c.result).headers["x-big"]).toBe(big);
  });

  it("GOAWAY: streams up to last-stream-id finish, later ones fail retryably, new requests use a new connection", async () => {
    const held: http2.ServerHttp2Stream[] = [];
    const { server, pool } = await setup((stream) => {
      held.push(stream);
      if (held.length === 2) {
        const [a] = held as [http2.ServerHttp2Stream, http2.ServerHttp2Stream];
        a.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, a.id ?? 0);
        a.respond({ ":status": 200 });
        a.end("first");
      } else if (held.length > 2) {
        stream.respond({ ":status": 200 });
        stream.end("fresh");
      }
    });
    const a = call(pool, server.origin, "/a");
    const b = call(pool, server.origin, "/b");
    a.request.end();
    b.request.end();
    expect((await a.result).body.toString()).toBe("first");
    const error = await b.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(H2cConnectionError);
    expect((error as H2cConnectionError).retryable).toBe(true);
    const c = call(pool, server.origin, "/c");
    c.request.end();
    expect((await c.result).body.toString()).toBe("fresh");
    expect(server.sessions.length).toBe(2);
  });

  it("RST_STREAM from the server fails that stream only", async () => {
    const { server, pool } = await setup((stream, headers) => {
      if (headers[":path"] === "/reset") {
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      echo(stream, headers);
    });
    const bad = call(pool, server.origin, "/reset");
    const good = call(pool, server.origin, "/ok");
    good.request.write(Buffer.from("fine"));
    good.request.end();
    const error = await bad.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(H2cStreamError);
    expect((error as H2cStreamError).h2Code).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
    expect((await good.result).body.toString()).toBe("fine");
  });

  it("cancel() resets the stream: the server sees RST_STREAM(CANCEL), the client gets no callback", async () => {
    let serverSaw: number | undefined;
    const closed = new Promise<void>((resolve) => {
      void setup((stream) => {
        stream.respond({ ":status": 200 });
        stream.write("partial");
        stream.on("close", () => {
          serverSaw = stream.rstCode;
          resolve();
        });
      }).then(({ server, pool }) => {
        const c = call(pool, server.origin, "/cancel");
        void c.firstData.then(() => c.request.cancel());
        void c.result.then(
          () => {
            throw new Error("no end after cancel");
          },
          () => {
            throw new Error("no error after cancel");
          },
        );
      });
    });
    await closed;
    expect(serverSaw).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it("the server closing the socket mid-stream fails every stream on it (no hang), and the next request reconnects", async () => {
    let streams = 0;
    const { server, pool } = await setup((stream) => {
      streams += 1;
      if (streams <= 3) {
        stream.respond({ ":status": 200 });
        stream.write("some");
        if (streams === 3) setTimeout(() => server.sockets[0]?.destroy(), 10);
        return;
      }
      stream.respond({ ":status": 200 });
      stream.end("after");
    });
    const calls = [call(pool, server.origin, "/1"), call(pool, server.origin, "/2"), call(pool, server.origin, "/3")];
    const errors = await Promise.all(
      calls.map((c) =>
        c.result.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    for (const e of errors) {
      expect(e).toBeInstanceOf(H2cConnectionError);
      expect((e as H2cConnectionError).retryable).toBe(true);
    }
    const next = call(pool, server.origin, "/4");
    next.request.end();
    expect((await next.result).body.toString()).toBe("after");
  });

  it("an HTTP/1.1 server fails the stream with an error that says so", async () => {
    const server = http.createServer((_req, res) => res.end("http1"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.on("connection", (socket: net.Socket) => cleanups.unshift(() => void socket.destroy()));
    const pool = new H2cPool();
    cleanups.push(() => pool.close());
    const c = call(pool, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, "/x");
    c.request.end();
    const error = await c.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(H2cConnectionError);
    expect((error as Error).message).toMatch(/does not speak HTTP\/2.*HTTP\/1\.1 400/);
  });

  it("a refused connection fails the stream", async () => {
    const server = await startServer(echo);
    const origin = server.origin;
    await server.close();
    const pool = new H2cPool();
    cleanups.push(() => pool.close());
    const c = call(pool, origin, "/x");
    await expect(c.result).rejects.toBeInstanceOf(H2cConnectionError);
  });

  it("a connection whose stream ids run out is replaced; its streams finish on it", async () => {
    const { server, pool } = await setup(echo, undefined, { streamIdMax: 7 });
    const calls = Array.from({ length: 10 }, (_, i) => {
      const c = call(pool, server.origin, `/id/${i}`);
      c.request.write(Buffer.from(String(i)));
      c.request.end();
      return c;
    });
    const results = await Promise.all(calls.map((c) => c.result));
    expect(results.map((r) => r.body.toString())).toEqual(calls.map((_, i) => String(i)));
    // Ids 1, 3, 5, 7 per connection: 10 streams need 3 connections.
    expect(server.sessions.length).toBe(3);
  });

  it("request bytes queued against a closed window are bounded: the stream fails, the connection lives", async () => {
    const { server, pool } = await setup((stream, headers) => {
      if (headers[":path"] === "/stall") {
        stream.respond({ ":status": 200 });
        stream.pause(); // never reads: the window stays closed
        return;
      }
      echo(stream, headers);
    });
    const stalled = call(pool, server.origin, "/stall");
    stalled.request.write(Buffer.alloc(70 * 1024 * 1024));
    const error = await stalled.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(H2cStreamError);
    expect(String((error as Error).message)).toMatch(/queued/);
    const ok = call(pool, server.origin, "/ok");
    ok.request.write(Buffer.from("still"));
    ok.request.end();
    expect((await ok.result).body.toString()).toBe("still");
  });

  it("answers the server's PING", async () => {
    const { server, pool } = await setup(echo);
    const c = call(pool, server.origin, "/p");
    c.request.write(Buffer.from("x"));
    await c.firstData;
    const session = server.sessions[0] as http2.ServerHttp2Session;
    const rtt = await new Promise<number>((resolve, reject) => {
      session.ping((error, duration) => (error !== null ? reject(error) : resolve(duration)));
    });
    expect(rtt).toBeGreaterThanOrEqual(0);
    c.request.end();
    await c.result;
  });
});
