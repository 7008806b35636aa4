// Goal: the client speaks the ingress API of the real restate-server and retries only when it is
// safe; method: official-SDK Greeter behind restate-server for the wire, a scripted fetch for retries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, HttpCallError, rpc, UnsafeRetryError, type Ingress } from "@cairn/client";
import { registerDeployment, startOfficialService, startRestateServer, type RestateServer, type SdkService } from "@cairn/testkit";

interface GreeterHandlers {
  greet: (ctx: unknown, name: string) => Promise<string>;
  greetRun: (ctx: unknown, name: string) => Promise<string>;
}
const Greeter = { name: "Greeter" as const, handlers: undefined as unknown as GreeterHandlers };

describe("ingress client against restate-server", () => {
  let server: RestateServer;
  let greeter: SdkService;
  let client: Ingress;

  beforeAll(async () => {
    server = await startRestateServer();
    greeter = await startOfficialService("greeter");
    await registerDeployment(server.adminUrl, greeter.url);
    client = connect({ url: server.ingressUrl, retry: { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 300 } });
    // Reads are retried (safe): wait for routability through a call with an idempotency key.
    await client.serviceClient(Greeter).greet("warmup", rpc.opts({ idempotencyKey: "warmup" }));
  }, 90_000);

  afterAll(async () => {
    await greeter?.close();
    await server?.close();
  });

  it("calls a handler", async () => {
    expect(await client.serviceClient(Greeter).greet("Ada")).toBe("Hello, Ada!");
    expect(await client.serviceClient(Greeter).greetRun("Bob")).toBe("Hello, Bob!");
  });

  it("sends, then attaches to the result and reads the output", async () => {
    const send = await client.serviceSendClient(Greeter).greet("Cy");
    expect(send.invocationId).toMatch(/^inv_1/);
    expect(send.status).toBe("Accepted");
    expect(await client.result(send)).toBe("Hello, Cy!");
    const out = await client.output<string>(send.invocationId);
    expect(out.ready).toBe(true);
    expect(out.result).toBe("Hello, Cy!");
  });

  it("deduplicates sends with an idempotency key", async () => {
    const a = await client.serviceSendClient(Greeter).greet("Dee", rpc.sendOpts({ idempotencyKey: "same-send" }));
    const b = await client.serviceSendClient(Greeter).greet("Dee", rpc.sendOpts({ idempotencyKey: "same-send" }));
    expect(b.invocationId).toBe(a.invocationId);
    expect(b.status).toBe("PreviouslyAccepted");
  });

  it("delays a send", async () => {
    const started = Date.now();
    const send = await client.serviceSendClient(Greeter).greet("Eve", rpc.sendOpts({ delay: 300, idempotencyKey: "delayed" }));
    expect(await client.result(send)).toBe("Hello, Eve!");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("reports an unknown handler as HttpCallError 404 from the ingress", async () => {
    const missing = client.serviceClient({ name: "Nope", handlers: undefined as unknown as { x: (ctx: unknown) => Promise<void> } });
    const err = await missing.x().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).status).toBe(404);
  });

  it("reports an unknown invocation's output as 404", async () => {
    const err = await client.output("inv_1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
  });
});

describe("retries", () => {
  function scripted(statuses: Array<[number, Record<string, string>]>): { fetch: typeof fetch; calls: Array<{ url: string; headers: Record<string, string> }> } {
    const calls: Array<{ url: string; headers: Record<string, string> }> = [];
    const f = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      calls.push({ url: typeof url === "string" ? url : url instanceof URL ? url.href : url.url, headers: (init?.headers ?? {}) as Record<string, string> });
      const [status, headers] = statuses[Math.min(calls.length - 1, statuses.length - 1)]!;
      return Promise.resolve(new Response(status === 200 ? JSON.stringify("ok") : JSON.stringify({ message: "busy" }), { status, headers }));
    };
    return { fetch: f, calls };
  }
  const Svc = { name: "S" as const, handlers: undefined as unknown as { h: (ctx: unknown, x: number) => Promise<string> } };

  it("retries a call with an idempotency key, honouring Retry-After, then succeeds", async () => {
    const s = scripted([[503, { "retry-after": "0" }], [429, {}], [200, {}]]);
    const c = connect({ url: "http://127.0.0.1:1", fetch: s.fetch });
    const out = await c.serviceClient(Svc).h(1, rpc.opts({ idempotencyKey: "k", retry: { initialDelayMs: 1 } }));
    expect(out).toBe("ok");
    expect(s.calls).toHaveLength(3);
    expect(s.calls[2]!.headers["x-restateclient-retry-attempt"]).toBe("2");
    expect(s.calls[0]!.headers["idempotency-key"]).toBe("k");
  });

  it("never retries a failure reported by the invocation itself", async () => {
    const s = scripted([[500, { "x-restate-error-source": "invocation" }], [200, {}]]);
    const c = connect({ url: "http://127.0.0.1:1", fetch: s.fetch });
    const err = await c.serviceClient(Svc).h(1, rpc.opts({ idempotencyKey: "k", retry: true })).catch((e: unknown) => e);
    expect((err as HttpCallError).status).toBe(500);
    expect(s.calls).toHaveLength(1);
  });

  it("refuses to retry a call without an idempotency key", async () => {
    const s = scripted([[200, {}]]);
    const c = connect({ url: "http://127.0.0.1:1", fetch: s.fetch });
    await expect(c.serviceClient(Svc).h(1, rpc.opts({ retry: true }))).rejects.toBeInstanceOf(UnsafeRetryError);
    expect(s.calls).toHaveLength(0);
  });

  it("does not retry a call without a key even when retries are on by default", async () => {
    const s = scripted([[503, {}], [200, {}]]);
    const c = connect({ url: "http://127.0.0.1:1", fetch: s.fetch, retry: true });
    const err = await c.serviceClient(Svc).h(1).catch((e: unknown) => e);
    expect((err as HttpCallError).status).toBe(503);
    expect(s.calls).toHaveLength(1);
  });
});
