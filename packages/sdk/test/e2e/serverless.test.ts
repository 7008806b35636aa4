// Goal: the fetch-API and AWS Lambda handlers serve real invocations (request/response mode,
// suspending at every await) behind a real runtime; method: put each handler behind a small
// node:http front (a WHATWG Request for fetch; an API Gateway proxy event, v1 and v2 shapes, for
// Lambda — the Lambda service itself cannot run here), register it with use_http_11 and drive
// greetings, runs, sleeps, calls, state and a schema-validated handler through @cairn/client.
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { connect, HttpCallError, type Ingress } from "@cairn/client";
import { endpoint, handlers, serde, service, type Context, type LambdaEvent } from "@cairn/sdk";
import { counter, greeter, mailbox } from "./services.js";
import { eventually, listenHttp1, register, type Runtime, type Served, startRuntime, targets } from "./harness.js";

const validated = service({
  name: "Validated",
  handlers: {
    age: handlers.handler({ input: serde.schema(z.object({ name: z.string(), age: z.number().int() })) }, async (_ctx: Context, p: { name: string; age: number }) =>
      Promise.resolve(`${p.name} is ${p.age}`),
    ),
  },
});
const definitions = [greeter, counter, mailbox, validated];

function boundEndpoint(): ReturnType<typeof endpoint> {
  const e = endpoint();
  for (const d of definitions) e.bind(d);
  return e;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function serveFront(handle: (req: http.IncomingMessage, body: Buffer) => Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }>): Promise<Served> {
  const server = http.createServer((req, res) => {
    readBody(req)
      .then((body) => handle(req, body))
      .then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      })
      .catch((err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      });
  });
  return listenHttp1(server);
}

function headerRecord(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** The fetch handler behind node:http: the request becomes a WHATWG Request, as Deno/Bun/Workers pass it. */
function fetchFront(): Promise<Served> {
  const handler = boundEndpoint().fetchHandler();
  return serveFront(async (req, body) => {
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers: headerRecord(req),
      ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
    });
    const response = await handler(request);
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
  });
}

/** The Lambda handler behind node:http, fed API Gateway proxy events (REST v1 or HTTP API v2 shape). */
function lambdaFront(shape: "v1" | "v2"): Promise<Served> {
  const handler = boundEndpoint().lambdaHandler();
  return serveFront(async (req, body) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const common = { headers: headerRecord(req), body: body.toString("base64"), isBase64Encoded: true };
    const event: LambdaEvent =
      shape === "v1" ? { ...common, path, httpMethod: req.method ?? "GET" } : { ...common, rawPath: path, requestContext: { http: { method: req.method ?? "GET" } } };
    const result = await handler(event, {});
    return { status: result.statusCode, headers: result.headers, body: Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") };
  });
}

const fronts = targets.flatMap((target) => [
  { target, label: "fetch handler", start: fetchFront },
  { target, label: "Lambda handler (API Gateway v1 events)", start: () => lambdaFront("v1") },
  { target, label: "Lambda handler (API Gateway v2 events)", start: () => lambdaFront("v2") },
]);

describe.each(fronts)("serverless adapters on $target: $label", ({ target, label, start }) => {
  let runtime: Runtime;
  let served: Served;
  let client: Ingress;
  const tag = `${target}-${label.replace(/\W+/g, "-")}`;

  beforeAll(async () => {
    runtime = await startRuntime(target, { protocolV7: true });
    served = await start();
    await register(runtime.adminUrl, served.url, "h1");
    client = connect({ url: runtime.ingressUrl });
    await eventually("greeter routable", async () => client.serviceClient(greeter).greet("warmup").catch(() => undefined));
  }, 90_000);

  afterAll(async () => {
    await served?.close();
    await runtime?.close();
  });

  it("greets, runs, sleeps and calls another service, suspending at each await", async () => {
    expect(await client.serviceClient(greeter).greet("Ada")).toBe("Hello, Ada!");
    expect(await client.serviceClient(greeter).runs("Bob")).toBe("Bob:5");
    expect(await client.serviceClient(greeter).sleepy(50)).toBe("slept");
    expect(await client.serviceClient(greeter).callOther("Cy")).toBe("Hello, Cy!");
  });

  it("keeps virtual-object state across invocations", async () => {
    const c = client.objectClient(counter, `srv-${tag}`);
    expect(await c.add(2)).toBe(2);
    expect(await c.add(3)).toBe(5);
    expect(await c.get()).toBe(5);
    await client.objectClient(mailbox, `m-${tag}`).put("hi");
    expect(await client.objectClient(mailbox, `m-${tag}`).get()).toBe("hi");
  });

  it("ends with terminal errors, and rejects input its schema refuses with 400", async () => {
    const err = await client.serviceClient(greeter).failTerminal(418).catch((e: unknown) => e);
    expect((err as HttpCallError).status).toBe(418);
    expect(await client.serviceClient(validated).age({ name: "Ada", age: 36 })).toBe("Ada is 36");
    const bad = await client
      .serviceClient(validated)
      .age({ name: "Ada", age: 3.5 })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HttpCallError);
    expect((bad as HttpCallError).status).toBe(400);
    expect((bad as HttpCallError).message).toMatch(/at \/age/);
  });
});
