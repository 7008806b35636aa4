// Goal: every context feature of @cairn/sdk works behind a real runtime; method: serve the
// services in-process, drive them through @cairn/client, over HTTP/2 (V6), HTTP/1.1 and V7.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, HttpCallError, rpc, type Ingress } from "@cairn/client";
import { allServices, counter, greeter, lazyCounter, mailbox, signup } from "./services.js";
import { adminPatch, eventually, register, type Runtime, serveServices, type Served, startRuntime, type Target, targets } from "./harness.js";

// Cairn always negotiates V7 with this SDK, so it runs the HTTP/2 and HTTP/1.1 transports once.
interface Config {
  target: Target;
  label: string;
  transport: "h1" | "h2";
  protocolV7: boolean;
}

const configs: Config[] = targets.flatMap((target): Config[] =>
  target === "restate"
    ? [
        { target, label: "HTTP/2 bidi, default protocol (V6)", transport: "h2", protocolV7: false },
        { target, label: "HTTP/1.1 request/response", transport: "h1", protocolV7: false },
        { target, label: "HTTP/2 bidi, protocol V7", transport: "h2", protocolV7: true },
      ]
    : [
        { target, label: "HTTP/2 bidi, V7", transport: "h2", protocolV7: true },
        { target, label: "HTTP/1.1 request/response, V7", transport: "h1", protocolV7: true },
      ],
);

describe.each(configs)("context features on $target ($label)", ({ target, transport, protocolV7 }) => {
  let runtime: Runtime;
  let served: Served;
  let client: Ingress;

  beforeAll(async () => {
    runtime = await startRuntime(target, { protocolV7 });
    served = await serveServices(allServices, transport);
    await register(runtime.adminUrl, served.url, transport);
    client = connect({ url: runtime.ingressUrl });
    // The first call after registration can race the schema propagation: wait until routable.
    await eventually("greeter routable", async () => {
      try {
        return await client.serviceClient(greeter).greet("warmup");
      } catch {
        return undefined;
      }
    });
  }, 90_000);

  afterAll(async () => {
    await served?.close();
    await runtime?.close();
  });

  it("greets and records runs", async () => {
    expect(await client.serviceClient(greeter).greet("Ada")).toBe("Hello, Ada!");
    expect(await client.serviceClient(greeter).runs("Bob")).toBe("Bob:5");
  });

  it("ends with a terminal error carrying code and metadata", async () => {
    const err = await client.serviceClient(greeter).failTerminal(418).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).status).toBe(418);
    expect((err as HttpCallError).message).toContain("boom");
  });

  it("retries a failing run until maxRetryAttempts, then fails it terminally", async () => {
    const key = `k-${target}-${transport}-${String(protocolV7)}`;
    expect(await client.serviceClient(greeter).runRetry(key)).toBe("terminal after 3: still failing");
  });

  it("does not retry a TerminalError thrown inside run", async () => {
    expect(await client.serviceClient(greeter).runTerminal()).toBe("422:no retry");
  });

  it("sleeps, calls another service, and calls with an idempotency key", async () => {
    expect(await client.serviceClient(greeter).sleepy(20)).toBe("slept");
    expect(await client.serviceClient(greeter).callOther("Cy")).toBe("Hello, Cy!");
    const key = `idem-${target}-${transport}-${String(protocolV7)}`;
    expect(await client.serviceClient(greeter).callIdempotent(key)).toEqual(["1", "1"]);
  });

  it("keeps eager and lazy state, lists and clears keys", async () => {
    const key = `c-${target}-${transport}-${String(protocolV7)}`;
    expect(await client.objectClient(counter, key).add(2)).toBe(2);
    expect(await client.objectClient(counter, key).add(3)).toBe(5);
    expect(await client.objectClient(counter, key).get()).toBe(5);
    expect(await client.objectClient(counter, key).setMany({ b: 1, a: 2 })).toEqual(["a", "b"]);
    expect(await client.objectClient(counter, key).keys()).toEqual(["a", "b"]);
    expect(await client.objectClient(counter, key).reset()).toEqual([]);
    expect(await client.objectClient(lazyCounter, key).add(4)).toBe(4);
    expect(await client.objectClient(lazyCounter, key).add(1)).toBe(5);
    expect(await client.objectClient(lazyCounter, key).keys()).toEqual(["count"]);
  });

  it("sends with a delay and reads the result through attach", async () => {
    const key = `d-${target}-${transport}-${String(protocolV7)}`;
    const started = Date.now();
    const id = await client.serviceClient(greeter).sendDelayed(key);
    expect(id).toMatch(/^inv_1/);
    // The send reaches its target's partition through the outbox, asynchronously: an attach in
    // the first milliseconds after the handler answered may find no invocation yet (404; seen on
    // Cairn in 3 of 20 probes, gone 5 ms later). Retry that, bounded.
    const deadline = Date.now() + 2_000;
    let value: number | undefined;
    for (;;) {
      try {
        value = await client.attach<number>(id);
        break;
      } catch (error) {
        if (!/failed with 404/.test(String(error)) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    expect(value).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("draws deterministic random numbers, uuids and time across replays", async () => {
    expect(await client.serviceClient(greeter).deterministic()).toBe(true);
  });

  it("combines promises deterministically (all, race, any, allSettled, orTimeout)", async () => {
    expect(await client.serviceClient(greeter).combinators()).toEqual({
      all: [1, 2],
      race: "fast",
      any: "ok",
      settled: ["fulfilled", "rejected"],
      timeout: "timeout 408",
    });
  });

  it("exposes the request: id, headers and body", async () => {
    const out = await client.serviceClient(greeter).request(rpc.opts({ headers: { "x-test": "yes" } }));
    expect(out).toEqual({ idOk: true, header: "yes", body: "" });
  });

  it("resolves and rejects awakeables from the client and from another handler", async () => {
    const box1 = `aw1-${target}-${transport}-${String(protocolV7)}`;
    const pending = client.serviceClient(greeter).awaitAwakeable(box1);
    const id = await eventually("awakeable id", () => client.objectClient(mailbox, box1).get());
    expect(id).toMatch(/^sign_1/);
    await client.resolveAwakeable(id, "hello");
    expect(await pending).toBe("got hello");

    const box2 = `aw2-${target}-${transport}-${String(protocolV7)}`;
    const rejected = client.serviceClient(greeter).awaitAwakeableReject(box2);
    const id2 = await eventually("awakeable id", () => client.objectClient(mailbox, box2).get());
    await client.rejectAwakeable(id2, "nope");
    expect(await rejected).toBe("rejected nope");

    const box3 = `aw3-${target}-${transport}-${String(protocolV7)}`;
    const viaCtx = client.serviceClient(greeter).awaitAwakeable(box3);
    const id3 = await eventually("awakeable id", () => client.objectClient(mailbox, box3).get());
    await client.serviceClient(greeter).resolveFromCtx({ id: id3, value: "from ctx" });
    expect(await viaCtx).toBe("got from ctx");
  });

  it("runs a workflow with a durable promise, shared handlers and submit/attach/output", async () => {
    const key = `wf-${target}-${transport}-${String(protocolV7)}`;
    const wf = client.workflowClient(signup, key);
    const sent = await wf.workflowSubmit("a@b.c");
    expect(sent.invocationId).toMatch(/^inv_1/);
    expect((await wf.workflowOutput()).ready).toBe(false);
    await eventually("waiting status", async () => ((await wf.status()) === "waiting" ? true : undefined));
    expect(await wf.peek()).toBe("unset");
    await wf.submitCode("1234");
    expect(await wf.workflowAttach()).toBe("verified a@b.c with 1234");
    const out = await wf.workflowOutput();
    expect(out.ready).toBe(true);
    expect(out.result).toBe("verified a@b.c with 1234");
    expect(await wf.peek()).toBe("1234");
  });

  it("delivers named signals, attaches to and reads the output of other invocations", async () => {
    const waiting = await client.serviceSendClient(greeter).waitSignal();
    const out1 = await client.serviceClient(greeter).outputOf(waiting.invocationId);
    expect(out1).toBe("not ready");
    await client.serviceClient(greeter).sendSignal({ id: waiting.invocationId, value: "go!" });
    expect(await client.serviceClient(greeter).attachTo(waiting.invocationId)).toBe("go!");
    expect(await client.serviceClient(greeter).outputOf(waiting.invocationId)).toBe("ready: go!");
    expect(await client.result(waiting)).toBe("go!");
  });

  it("cancels an invocation and its child calls (CancelledError at the await)", async () => {
    const box = `cx-${target}-${transport}-${String(protocolV7)}`;
    const parent = await client.serviceSendClient(greeter).parentOfLongSleep(box);
    const childId = await eventually("child id", () => client.objectClient(mailbox, box).get());
    expect(await adminPatch(runtime.adminUrl, `/invocations/${parent.invocationId}/cancel`)).toBeLessThan(300);
    const parentErr = await client.result(parent).catch((e: unknown) => e);
    expect((parentErr as HttpCallError).status).toBe(409);
    const childErr = await client.attach(childId).catch((e: unknown) => e);
    expect((childErr as HttpCallError).status).toBe(409);
  });

  it("cancels another invocation from a handler", async () => {
    const sleeper = await client.serviceSendClient(greeter).longSleep();
    await client.serviceClient(greeter).cancelOther(sleeper.invocationId);
    const err = await client.result(sleeper).catch((e: unknown) => e);
    expect((err as HttpCallError).status).toBe(409);
  });
});
