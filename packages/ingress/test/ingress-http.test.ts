// Goal: both HTTP implementations (uWebSockets.js and node:http) route, validate, mint ids, dispatch and answer exactly alike, with restate-server's statuses and bodies; method: the same suite against each, over real loopback HTTP, with a recording dispatcher standing in for the partition workers (the real workers are exercised in @cairn/server's tests).
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idempotentServicePartitionKey, type InvokeResult } from "@cairn/partition";
import { formatAwakeableId, parseInvocationId, invocationIdPartitionKey, partitionKeyOf } from "@cairn/protocol";
import {
  compileIngressSchema,
  IngressHandler,
  OverloadedError,
  startIngress,
  UnavailableError,
  uwsAvailability,
  type AttachCall,
  type AttachOutcome,
  type DispatchCall,
  type IngressImplementation,
  type SignalCall,
  type IngressServer,
} from "@cairn/ingress";

const json = { required: false, contentType: "application/json" } as const;

const schema = compileIngressSchema([
  {
    name: "Greeter",
    ty: "SERVICE",
    public: true,
    handlers: [
      { name: "greet", public: true, input: json },
      { name: "fail418", public: true, input: json },
      { name: "failOdd", public: true, input: json },
      { name: "overloaded", public: true, input: json },
      { name: "unavailable", public: true, input: json },
      { name: "crash", public: true, input: json },
      { name: "block", public: true, input: json },
      { name: "secret", public: false, input: json },
      { name: "nothing", public: true, input: {} },
      { name: "raw", public: true, input: { contentType: "*/*" }, output: { contentType: "text/plain", setContentTypeIfEmpty: true } },
      { name: "silent", public: true, input: json, output: {} },
    ],
  },
  {
    name: "Counter",
    ty: "VIRTUAL_OBJECT",
    public: true,
    handlers: [
      { name: "add", ty: "EXCLUSIVE", public: true, input: json },
      { name: "get", ty: "SHARED", public: true, input: json },
    ],
  },
  {
    name: "Wf",
    ty: "WORKFLOW",
    public: true,
    handlers: [
      { name: "run", ty: "WORKFLOW", public: true, input: json },
      { name: "signal", ty: "SHARED", public: true, input: json },
    ],
  },
  { name: "Hidden", ty: "SERVICE", public: false, handlers: [{ name: "h", public: true }] },
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Harness {
  url: string;
  handler: IngressHandler;
  server: IngressServer;
  calls: DispatchCall[];
  attaches: AttachCall[];
  signals: SignalCall[];
  /** What attach/output answers, by invocation id (absent: not-found). */
  outcomes: Map<string, AttachOutcome>;
  release: () => void;
  blocked: () => number;
}

async function startHarness(
  implementation: IngressImplementation,
  limits: { requestBodyBytesMax?: number; inflightRequestsMax?: number; withoutAttach?: boolean } = {},
): Promise<Harness> {
  const calls: DispatchCall[] = [];
  const attaches: AttachCall[] = [];
  const signals: SignalCall[] = [];
  const outcomes = new Map<string, AttachOutcome>();
  let gate: { promise: Promise<void>; resolve: () => void } | undefined;
  let blocked = 0;
  const newGate = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  const attachAndSignal = {
    attach: async (call: AttachCall): Promise<AttachOutcome> => {
      attaches.push(call);
      await Promise.resolve();
      return outcomes.get(call.invocationId) ?? { kind: "not-found" };
    },
    signal: async (call: SignalCall): Promise<void> => {
      signals.push(call);
      await Promise.resolve();
    },
  };
  const handler = new IngressHandler({
    schema,
    nowMs: () => 1_700_000_000_000,
    ...(limits.requestBodyBytesMax === undefined ? {} : { requestBodyBytesMax: limits.requestBodyBytesMax }),
    ...(limits.inflightRequestsMax === undefined ? {} : { inflightRequestsMax: limits.inflightRequestsMax }),
    dispatcher: {
      ...(limits.withoutAttach === true ? {} : attachAndSignal),
      dispatch: async (call): Promise<InvokeResult> => {
        calls.push(call);
        const { request } = call;
        if (request.mode === "send") {
          return { kind: "accepted", invocationId: request.invocationId, status: "Accepted", ...(request.executeAtMs === undefined ? {} : { executeAtMs: request.executeAtMs }) };
        }
        const done = (value: Uint8Array): InvokeResult => ({ kind: "completed", invocationId: request.invocationId, outcome: { value } });
        switch (request.handler) {
          case "fail418":
            return { kind: "completed", invocationId: request.invocationId, outcome: { failure: { code: 418, message: "boom", metadata: { why: "teapot" } } } };
          case "failOdd":
            return { kind: "completed", invocationId: request.invocationId, outcome: { failure: { code: 1234, message: "odd code" } } };
          case "overloaded":
            throw new OverloadedError("partition 3 queue is full");
          case "unavailable":
            throw new UnavailableError("worker 1 is restarting");
          case "crash":
            throw new Error("kaput");
          case "block":
            blocked += 1;
            gate ??= newGate();
            await gate.promise;
            blocked -= 1;
            return done(encoder.encode('"unblocked"'));
          case "silent":
          case "raw":
            return done(new Uint8Array(0));
          default:
            // Echo the input inside a JSON array so the test sees the exact bytes that arrived.
            return done(encoder.encode(`[${decoder.decode(request.body)}]`));
        }
      },
    },
  });
  const server = await startIngress({ handler, host: "127.0.0.1", port: 0, implementation });
  return {
    url: `http://127.0.0.1:${server.port}`,
    handler,
    server,
    calls,
    attaches,
    signals,
    outcomes,
    release: () => {
      gate?.resolve();
      gate = undefined;
    },
    blocked: () => blocked,
  };
}

const post = (body: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }): RequestInit => ({ method: "POST", headers, body });

async function errorBody(response: Response): Promise<{ code: number; message: string; source?: string; metadata?: Record<string, string> }> {
  expect(response.headers.get("content-type")).toBe("application/json");
  return (await response.json()) as { code: number; message: string; source?: string };
}

const uws = uwsAvailability();
const implementations: IngressImplementation[] = ["uws", "node"];

describe.each(implementations)("ingress over %s", (implementation) => {
  const skip = implementation === "uws" && !uws.available;
  let h: Harness;
  beforeAll(async () => {
    if (!skip) h = await startHarness(implementation);
  });
  afterAll(async () => {
    if (!skip) await h.server.close();
  });

  it.skipIf(skip)("serves with the implementation asked for", () => {
    expect(h.server.implementation).toBe(implementation);
  });

  it.skipIf(skip)("GET /restate/health lists the services", async () => {
    const response = await fetch(`${h.url}/restate/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ services: ["Counter", "Greeter", "Hidden", "Wf"] });
    expect((await fetch(`${h.url}/restate/health`, { method: "POST" })).status).toBe(405);
  });

  it.skipIf(skip)("a call answers 200 with the raw output, its content type and x-restate-id", async () => {
    const before = h.calls.length;
    const response = await fetch(`${h.url}/Greeter/greet?trace=1`, post('"Ada"', { "content-type": "application/json", "x-custom": "yes", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('["Ada"]');
    const call = h.calls[before];
    expect(call).toBeDefined();
    if (call === undefined) return;
    const id = response.headers.get("x-restate-id");
    expect(id).toBe(call.request.invocationId);
    expect(id).toMatch(/^inv_1[0-9a-zA-Z]{33}$/);
    expect(invocationIdPartitionKey(parseInvocationId(id ?? ""))).toBe(call.partitionKey);
    expect(call.request).toMatchObject({ service: "Greeter", handler: "greet", mode: "call", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    expect(call.request.key).toBeUndefined();
    const headers = new Map(call.request.headers);
    expect(headers.get("x-custom")).toBe("yes");
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("x-restate-ingress-path")).toBe("/Greeter/greet?trace=1");
    expect(headers.has("host")).toBe(false);
    expect(headers.has("connection")).toBe(false);
  });

  it.skipIf(skip)("plain services get random partition keys; object keys are hashed and percent-decoded", async () => {
    await fetch(`${h.url}/Greeter/greet`, post('"a"'));
    await fetch(`${h.url}/Greeter/greet`, post('"b"'));
    const [a, b] = h.calls.slice(-2);
    expect(a?.partitionKey).not.toBe(b?.partitionKey);

    const response = await fetch(`${h.url}/Counter/my%20key%2F1/add`, post("1"));
    expect(response.status).toBe(200);
    const call = h.calls.at(-1);
    expect(call?.request.key).toBe("my key/1");
    expect(call?.partitionKey).toBe(partitionKeyOf("my key/1"));
    expect((await fetch(`${h.url}/Counter/bad%ZZ/add`, post("1"))).status).toBe(400);
  });

  it.skipIf(skip)("a send answers 202 with the invocation id; ?delay= sets the execution time", async () => {
    let response = await fetch(`${h.url}/Greeter/greet/send`, post('"Ada"'));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { invocationId: string; status: string; executionTime?: string };
    expect(body.status).toBe("Accepted");
    expect(body.executionTime).toBeUndefined();
    expect(response.headers.get("x-restate-id")).toBe(body.invocationId);
    expect(h.calls.at(-1)?.request.mode).toBe("send");

    for (const [delay, ms] of [
      ["10s", 10_000],
      ["5000ms", 5_000],
      ["1h%2030m", 5_400_000],
      ["PT10S", 10_000],
    ] as const) {
      response = await fetch(`${h.url}/Counter/k/add/send?delay=${delay}`, post("1"));
      expect(response.status).toBe(202);
      const sent = (await response.json()) as { executionTime?: string };
      expect(h.calls.at(-1)?.request.executeAtMs).toBe(1_700_000_000_000 + ms);
      expect(sent.executionTime).toBe(new Date(1_700_000_000_000 + ms).toISOString());
    }
  });

  it.skipIf(skip)("delay on a call, or a bad delay, is 400", async () => {
    const before = h.calls.length;
    let response = await fetch(`${h.url}/Greeter/greet?delay=1s`, post('"x"'));
    expect(response.status).toBe(400);
    expect(response.headers.get("x-restate-error-source")).toBe("ingress");
    expect((await errorBody(response)).message).toMatch(/delay/);
    response = await fetch(`${h.url}/Greeter/greet/send?delay=soon`, post('"x"'));
    expect(response.status).toBe(400);
    expect((await fetch(`${h.url}/Greeter/greet/send?delay=-1s`, post('"x"'))).status).toBe(400);
    expect(h.calls.length).toBe(before);
  });

  it.skipIf(skip)("unknown services and handlers are 404, malformed paths 400, other methods 405", async () => {
    const cases: [string, RequestInit, number][] = [
      ["/Nope/greet", post('"x"'), 404],
      ["/Greeter/nope", post('"x"'), 404],
      ["/Greeter/greet/x/y", post('"x"'), 400],
      ["/Greeter", post('"x"'), 400],
      ["/", { method: "GET" }, 400],
      ["/Counter/k", post("1"), 400],
      ["/restate/nothing", { method: "GET" }, 404],
      ["/Greeter/greet", { method: "PUT", headers: { "content-type": "application/json" }, body: '"x"' }, 405],
      ["/Greeter/greet", { method: "DELETE" }, 405],
    ];
    for (const [path, init, status] of cases) {
      const response = await fetch(`${h.url}${path}`, init);
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(response.headers.get("x-restate-error-source")).toBe("ingress");
      const body = await errorBody(response);
      expect(body.code).toBe(status);
      expect(body.source).toBe("ingress");
      expect(body.message.length).toBeGreaterThan(0);
    }
  });

  it.skipIf(skip)("a trailing slash and GET are accepted like restate-server does", async () => {
    expect((await fetch(`${h.url}/Greeter/greet/`, post('"t"'))).status).toBe(200);
    const response = await fetch(`${h.url}/Greeter/greet`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("[]");
  });

  it.skipIf(skip)("input is validated against the handler's declared content type", async () => {
    const before = h.calls.length;
    expect((await fetch(`${h.url}/Greeter/greet`, post('"x"', { "content-type": "text/plain" }))).status).toBe(400);
    expect((await fetch(`${h.url}/Greeter/greet`, post(encoder.encode('"x"'), {}))).status).toBe(400);
    expect((await fetch(`${h.url}/Greeter/nothing`, post("1"))).status).toBe(400);
    expect(h.calls.length).toBe(before);
    expect((await fetch(`${h.url}/Greeter/greet`, post('"x"', { "content-type": "application/json; charset=utf-8" }))).status).toBe(200);
    expect((await fetch(`${h.url}/Greeter/nothing`, { method: "POST" })).status).toBe(200);
  });

  it.skipIf(skip)("the output content type follows the handler's output declaration", async () => {
    let response = await fetch(`${h.url}/Greeter/raw`, post("x", { "content-type": "image/png" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    response = await fetch(`${h.url}/Greeter/silent`, post('"x"'));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBeNull();
  });

  it.skipIf(skip)("terminal failures answer with their code and x-restate-error-source: invocation", async () => {
    let response = await fetch(`${h.url}/Greeter/fail418`, post('"x"'));
    expect(response.status).toBe(418);
    expect(response.headers.get("x-restate-error-source")).toBe("invocation");
    expect(response.headers.get("x-restate-id")).toMatch(/^inv_1/);
    expect(await errorBody(response)).toEqual({ code: 418, message: "boom", metadata: { why: "teapot" }, source: "invocation" });
    response = await fetch(`${h.url}/Greeter/failOdd`, post('"x"'));
    expect(response.status).toBe(500);
    expect((await errorBody(response)).code).toBe(1234);
  });

  it.skipIf(skip)("dispatcher errors map to 429, 503 and 500 ingress errors", async () => {
    for (const [handler, status] of [
      ["overloaded", 429],
      ["unavailable", 503],
      ["crash", 500],
    ] as const) {
      const response = await fetch(`${h.url}/Greeter/${handler}`, post('"x"'));
      expect(response.status).toBe(status);
      expect(response.headers.get("x-restate-error-source")).toBe("ingress");
      expect(response.headers.get("x-restate-id")).toMatch(/^inv_1/);
      const body = await errorBody(response);
      expect(body.code).toBe(status);
    }
  });

  it.skipIf(skip)("private services and handlers are refused with 400", async () => {
    expect((await fetch(`${h.url}/Greeter/secret`, post('"x"'))).status).toBe(400);
    expect((await fetch(`${h.url}/Hidden/h`, { method: "POST" })).status).toBe(400);
  });

  it.skipIf(skip)("idempotency keys pass through and make the id deterministic; a workflow run refuses them", async () => {
    const headers = { "content-type": "application/json", "idempotency-key": "order-7" };
    const first = await fetch(`${h.url}/Greeter/greet`, post('"x"', headers));
    const second = await fetch(`${h.url}/Greeter/greet`, post('"y"', headers));
    expect(first.headers.get("x-restate-id")).toBe(second.headers.get("x-restate-id"));
    const call = h.calls.at(-1);
    expect(call?.request.idempotencyKey).toBe("order-7");
    // A plain service shards idempotent requests by service and key (restate-server 1.7).
    expect(call?.partitionKey).toBe(idempotentServicePartitionKey("Greeter", "order-7"));
    expect(new Map(call?.request.headers).has("idempotency-key")).toBe(false);
    expect((await fetch(`${h.url}/Wf/w1/run`, post('"x"', headers))).status).toBe(400);
  });

  it.skipIf(skip)("a workflow run gets the same id for the same key", async () => {
    const a = await fetch(`${h.url}/Wf/w1/run/send`, post('"x"'));
    const b = await fetch(`${h.url}/Wf/w1/run/send`, post('"x"'));
    const c = await fetch(`${h.url}/Wf/w2/run/send`, post('"x"'));
    expect(a.headers.get("x-restate-id")).toBe(b.headers.get("x-restate-id"));
    expect(a.headers.get("x-restate-id")).not.toBe(c.headers.get("x-restate-id"));
  });

  it.skipIf(skip)("attach and output read an invocation by id: 200 like a call, 470 while it runs, 404 unknown", async () => {
    const sent = await fetch(`${h.url}/Greeter/greet/send`, post('"x"'));
    const { invocationId } = (await sent.json()) as { invocationId: string };
    h.outcomes.set(invocationId, { kind: "not-ready", invocationId });
    let response = await fetch(`${h.url}/restate/invocation/${invocationId}/output`);
    expect(response.status).toBe(470);
    expect(response.headers.get("x-restate-error-source")).toBe("ingress");
    expect(await response.json()).toEqual({ code: 470, message: "the invocation exists but has not completed yet", source: "ingress" });
    expect(h.attaches.at(-1)).toEqual({ invocationId, partitionKey: invocationIdPartitionKey(parseInvocationId(invocationId)), wait: false });

    h.outcomes.set(invocationId, {
      kind: "completed",
      invocationId,
      service: "Greeter",
      handler: "raw",
      outcome: { value: encoder.encode("done") },
      idempotencyExpiresAtMs: 1_700_086_400_000,
    });
    response = await fetch(`${h.url}/restate/invocation/${invocationId}/attach`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("x-restate-id")).toBe(invocationId);
    expect(response.headers.get("idempotency-expires")).toBe("2023-11-15T22:13:20.000+00:00") // RFC 3339 with a numeric offset, as restate-server writes it;
    expect(await response.text()).toBe("done");
    expect(h.attaches.at(-1)?.wait).toBe(true);

    h.outcomes.set(invocationId, { kind: "completed", invocationId, outcome: { failure: { code: 418, message: "boom" } } });
    response = await fetch(`${h.url}/restate/invocation/${invocationId}/output`);
    expect(response.status).toBe(418);
    expect(response.headers.get("x-restate-error-source")).toBe("invocation");

    const unknown = "inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy";
    response = await fetch(`${h.url}/restate/invocation/${unknown}/output`);
    expect(response.status).toBe(404);
    expect((await errorBody(response)).source).toBe("ingress");
    response = await fetch(`${h.url}/restate/invocation/${unknown}/attach`);
    expect(response.status).toBe(404);
    expect(response.headers.get("x-restate-id")).toBe(unknown);
    expect((await errorBody(response)).source).toBe("invocation");
  });

  it.skipIf(skip)("attach routes: bad ids 400, other methods 405, other shapes 404", async () => {
    const before = h.attaches.length;
    expect((await fetch(`${h.url}/restate/invocation/xyz/output`)).status).toBe(400);
    expect((await fetch(`${h.url}/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/output`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${h.url}/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/foo`)).status).toBe(404);
    expect((await fetch(`${h.url}/restate/workflow/Greeter/k/output`)).status).toBe(404);
    expect((await fetch(`${h.url}/restate/invocation/Greeter/nope/k1/output`)).status).toBe(404);
    expect(h.attaches.length).toBe(before);
  });

  it.skipIf(skip)("a workflow's run and an idempotent request are attached to by their deterministic ids", async () => {
    const run = await fetch(`${h.url}/Wf/order%201/run/send`, post('"x"'));
    const runId = run.headers.get("x-restate-id");
    await fetch(`${h.url}/restate/workflow/Wf/order%201/output`);
    expect(h.attaches.at(-1)?.invocationId).toBe(runId);
    expect(h.attaches.at(-1)?.partitionKey).toBe(partitionKeyOf("order 1"));

    const call = await fetch(`${h.url}/Counter/c1/add`, post("1", { "content-type": "application/json", "idempotency-key": "idem-9" }));
    await fetch(`${h.url}/restate/invocation/Counter/c1/add/idem-9/attach`);
    expect(h.attaches.at(-1)?.invocationId).toBe(call.headers.get("x-restate-id"));
    const plain = await fetch(`${h.url}/Greeter/greet`, post('"x"', { "content-type": "application/json", "idempotency-key": "idem-10" }));
    await fetch(`${h.url}/restate/invocation/Greeter/greet/idem-10/output`);
    expect(h.attaches.at(-1)?.invocationId).toBe(plain.headers.get("x-restate-id"));
  });

  it.skipIf(skip)("awakeables are resolved and rejected through both routes, answering 202", async () => {
    const sent = await fetch(`${h.url}/Greeter/greet/send`, post('"x"'));
    const invocationId = sent.headers.get("x-restate-id") ?? "";
    const awakeable = formatAwakeableId(parseInvocationId(invocationId), 17);
    let response = await fetch(`${h.url}/restate/awakeables/${awakeable}/resolve`, post('{"ok":true}'));
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    const signal = h.signals.at(-1);
    expect(signal).toMatchObject({ invocationId, partitionKey: invocationIdPartitionKey(parseInvocationId(invocationId)), signalIndex: 17 });
    expect(signal !== undefined && "value" in signal.result ? decoder.decode(signal.result.value) : undefined).toBe('{"ok":true}');
    response = await fetch(`${h.url}/restate/a/${awakeable}/reject`, post("no way", { "content-type": "text/plain" }));
    expect(response.status).toBe(202);
    expect(h.signals.at(-1)?.result).toEqual({ failure: { code: 500, message: "no way" } });
    const before = h.signals.length;
    expect((await fetch(`${h.url}/restate/a/${awakeable}/resolve`)).status).toBe(405);
    expect((await fetch(`${h.url}/restate/a/xyz/resolve`, post("1"))).status).toBe(400);
    const legacy = `prom_1${awakeable.slice(6)}`;
    expect((await fetch(`${h.url}/restate/a/${legacy}/resolve`, post("1"))).status).toBe(400);
    expect((await fetch(`${h.url}/restate/a/${awakeable}/other`, post("1"))).status).toBe(404);
    expect(h.signals.length).toBe(before);
  });

  it.skipIf(skip)("a 1 MiB body arrives intact, in one piece or streamed in chunks", async () => {
    const payload = `"${"x".repeat(1024 * 1024)}"`;
    let response = await fetch(`${h.url}/Greeter/greet`, post(payload));
    expect(await response.text()).toBe(`[${payload}]`);
    const bytes = encoder.encode(payload);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 100_000) controller.enqueue(bytes.slice(i, i + 100_000));
        controller.close();
      },
    });
    response = await fetch(`${h.url}/Greeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" });
    expect(await response.text()).toBe(`[${payload}]`);
  });

  it.skipIf(skip)("a client that goes away releases its request", async () => {
    const controller = new AbortController();
    const pending = fetch(`${h.url}/Greeter/block`, { ...post('"x"'), signal: controller.signal });
    await expect.poll(() => h.blocked()).toBe(1);
    expect(h.handler.inflight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    h.release();
    await expect.poll(() => h.handler.inflight).toBe(0);
    expect(h.handler.bufferedBytes).toBe(0);
  });
});

describe.each(implementations)("ingress limits over %s", (implementation) => {
  const skip = implementation === "uws" && !uws.available;

  it.skipIf(skip)("bodies over the limit are 413, declared or streamed", async () => {
    const h = await startHarness(implementation, { requestBodyBytesMax: 1024 });
    try {
      const big = `"${"x".repeat(2000)}"`;
      let response = await fetch(`${h.url}/Greeter/greet`, post(big));
      expect(response.status).toBe(413);
      expect((await errorBody(response)).source).toBe("ingress");
      const bytes = encoder.encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, 900));
          controller.enqueue(bytes.slice(900));
          controller.close();
        },
      });
      response = await fetch(`${h.url}/Greeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" }).catch(
        (error: unknown) => error as Error,
      ) as Response;
      // The server answers 413 and closes; a client still writing may see the reset instead.
      if (response instanceof Response) expect(response.status).toBe(413);
      expect(h.calls.length).toBe(0);
      expect(h.handler.inflight).toBe(0);
      expect(h.handler.bufferedBytes).toBe(0);
      response = await fetch(`${h.url}/Greeter/greet`, post('"small"'));
      expect(response.status).toBe(200);
    } finally {
      await h.server.close();
    }
  });

  it.skipIf(skip)("a dispatcher without attach and signal answers those routes with 501", async () => {
    const h = await startHarness(implementation, { withoutAttach: true });
    try {
      const output = await fetch(`${h.url}/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/output`);
      expect(output.status).toBe(501);
      expect((await errorBody(output)).source).toBe("ingress");
      const awakeable = formatAwakeableId(new Uint8Array(24), 17);
      expect((await fetch(`${h.url}/restate/a/${awakeable}/resolve`, post("1"))).status).toBe(501);
      expect(h.handler.inflight).toBe(0);
    } finally {
      await h.server.close();
    }
  });

  it.skipIf(skip)("past inflightRequestsMax requests are refused with 429 (D5)", async () => {
    const h = await startHarness(implementation, { inflightRequestsMax: 2 });
    try {
      const held = [fetch(`${h.url}/Greeter/block`, post('"1"')), fetch(`${h.url}/Greeter/block`, post('"2"'))];
      await expect.poll(() => h.blocked()).toBe(2);
      const refused = await fetch(`${h.url}/Greeter/greet`, post('"3"'));
      expect(refused.status).toBe(429);
      expect((await errorBody(refused)).message).toMatch(/in flight/);
      h.release();
      for (const response of await Promise.all(held)) expect(response.status).toBe(200);
      expect((await fetch(`${h.url}/Greeter/greet`, post('"4"'))).status).toBe(200);
    } finally {
      await h.server.close();
    }
  });

  it.skipIf(skip)("close() lets a request in flight finish, then refuses connections", async () => {
    const h = await startHarness(implementation);
    const held = fetch(`${h.url}/Greeter/block`, post('"x"'));
    await expect.poll(() => h.blocked()).toBe(1);
    const closing = h.server.close(5_000);
    await new Promise((r) => setTimeout(r, 50));
    h.release();
    const response = await held;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('"unblocked"');
    await closing;
    const port = h.server.port;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
