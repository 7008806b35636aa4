// Goal: idempotency keys behave as on restate-server — a duplicate call returns the original
// result without running again (also while the first still runs), a duplicate send is
// PreviouslyAccepted, results are kept for the retention and then cleaned up, and calls and sends
// from handlers deduplicate alike; method: IdemService/IdemObject/IdemCaller driven with the
// official ingress client and raw requests, executions counted in the side-effect log.
import * as clients from "@restatedev/restate-sdk-clients";
import { expect, it } from "vitest";
import { describeTargets, eventually, sleep, uniqueTag, useServices, type Harness } from "./support/suite.js";

const services = useServices({ fixture: "workflow-services" });

interface WorkInput {
  tag: string;
  sleepMs?: number;
}
type IdemApi = {
  work(ctx: unknown, input: WorkInput): Promise<string>;
  short(ctx: unknown, tag: string): Promise<string>;
};
type IdemObjectApi = {
  bump(ctx: unknown, tag: string): Promise<number>;
};
type IdemCallerApi = {
  callTwice(ctx: unknown, tag: string): Promise<{ results: string[]; ids: string[] }>;
  sendTwice(ctx: unknown, tag: string): Promise<string[]>;
};
const idem = { name: "IdemService" };
const idemObject = { name: "IdemObject" };
const idemCaller = { name: "IdemCaller" };

const ingressOf = (h: Harness): clients.Ingress => clients.connect({ url: h.endpoints().ingressUrl });
const executions = (kind: string, tag: string): number => services.sideEffects().filter((e) => e.kind === kind && e.tag === tag).length;

describeTargets("idempotency keys", services, (h) => {
  it("answers a duplicate call with the original result without running it again", async () => {
    const tag = uniqueTag("call");
    const client = ingressOf(h).serviceClient<IdemApi>(idem);
    const opts = clients.Opts.from<WorkInput, string>({ idempotencyKey: tag });
    // Concurrent duplicates: the second arrives while the first is running and attaches to it.
    const [a, b] = await Promise.all([client.work({ tag, sleepMs: 500 }, opts), client.work({ tag, sleepMs: 500 }, opts)]);
    expect([a, b]).toEqual([`worked ${tag}`, `worked ${tag}`]);
    expect(await client.work({ tag, sleepMs: 500 }, opts)).toBe(`worked ${tag}`);
    expect(executions("idem-work", tag)).toBe(1);

    // Duplicates answered from the retained result state its expiry: one day, as an RFC 3339 time.
    const r1 = await h.request("/IdemService/work", { tag }, { headers: { "idempotency-key": tag } });
    const r2 = await h.request("/IdemService/work", { tag }, { headers: { "idempotency-key": tag } });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r2.headers.get("x-restate-id")).toBe(r1.headers.get("x-restate-id"));
    expect(r2.json()).toBe(`worked ${tag}`);
    const expires = Date.parse(r1.headers.get("idempotency-expires") ?? "");
    expect(expires - r1.receivedAt).toBeGreaterThan(23 * 3600_000);
    expect(expires - r1.receivedAt).toBeLessThan(25 * 3600_000);
    expect(executions("idem-work", tag)).toBe(1);
  });

  it("answers a duplicate send with PreviouslyAccepted and the same invocation id", async () => {
    const tag = uniqueTag("send");
    const ingress = ingressOf(h);
    const send = ingress.serviceSendClient<IdemApi>(idem);
    const opts = clients.SendOpts.from<WorkInput>({ idempotencyKey: tag });
    const first = await send.work({ tag, sleepMs: 300 }, opts);
    const second = await send.work({ tag, sleepMs: 300 }, opts);
    expect(first.status).toBe("Accepted");
    expect(second).toMatchObject({ invocationId: first.invocationId, status: "PreviouslyAccepted" });
    expect(await ingress.result(first)).toBe(`worked ${tag}`);
    const third = await send.work({ tag, sleepMs: 300 }, opts);
    expect(third).toMatchObject({ invocationId: first.invocationId, status: "PreviouslyAccepted" });
    expect(executions("idem-work", tag)).toBe(1);
  });

  it("derives the invocation id from the idempotency key, as restate-server does", async () => {
    const reply = await h.request("/IdemService/short", "fixed", { headers: { "idempotency-key": "fixed-idempotency-key" } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("x-restate-id")).toBe(fixedIdempotentId);
  });

  it("attaches to and reads the output of an idempotent request by its key", async () => {
    const tag = uniqueTag("by-key");
    const unknown = await h.request(`/restate/invocation/IdemService/work/${tag}/output`, undefined, { notFoundRetryMs: 0 });
    expect(unknown.status).toBe(404);
    const sent = await ingressOf(h).serviceSendClient<IdemApi>(idem).work({ tag, sleepMs: 1_000 }, clients.SendOpts.from<WorkInput>({ idempotencyKey: tag }));
    expect((await h.request(`/restate/invocation/IdemService/work/${tag}/output`)).status).toBe(470);
    const attached = await h.request(`/restate/invocation/IdemService/work/${tag}/attach`);
    expect(attached.status).toBe(200);
    expect(attached.json()).toBe(`worked ${tag}`);
    expect(attached.headers.get("x-restate-id")).toBe(sent.invocationId);
    expect(await h.call(`/restate/invocation/IdemService/work/${tag}/output`)).toBe(`worked ${tag}`);

    const objectKey = uniqueTag("obj");
    const bumped = await ingressOf(h).objectClient<IdemObjectApi>(idemObject, objectKey).bump(tag, clients.Opts.from<string, number>({ idempotencyKey: tag }));
    expect(bumped).toBe(1);
    expect(await ingressOf(h).objectClient<IdemObjectApi>(idemObject, objectKey).bump(tag, clients.Opts.from<string, number>({ idempotencyKey: tag }))).toBe(1);
    expect(await h.call(`/restate/invocation/IdemObject/${objectKey}/bump/${tag}/attach`)).toBe(1);
    expect(await h.call(`/restate/invocation/IdemObject/${objectKey}/bump/${tag}/output`)).toBe(1);
    expect(executions("idem-bump", tag)).toBe(1);
  });

  it("keeps a result for the handler's idempotency retention, then runs the key again", async () => {
    const tag = uniqueTag("short");
    const first = await h.request("/IdemService/short", tag, { headers: { "idempotency-key": tag } });
    expect(first.status).toBe(200);
    // The fresh answer carries no expiry; a duplicate answered from the retained result does.
    expect(first.headers.get("idempotency-expires")).toBeNull();
    const duplicate = await h.request("/IdemService/short", tag, { headers: { "idempotency-key": tag } });
    expect(duplicate.json()).toBe(`short ${tag}`);
    expect(duplicate.headers.get("idempotency-expires")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    const expires = Date.parse(duplicate.headers.get("idempotency-expires") ?? "");
    expect(expires - duplicate.receivedAt).toBeGreaterThan(0);
    expect(expires - duplicate.receivedAt).toBeLessThanOrEqual(2_000);
    await eventually(
      "the idempotent result to be cleaned up",
      async () => ((await h.request(`/restate/invocation/IdemService/short/${tag}/output`, undefined, { notFoundRetryMs: 0 })).status === 404 ? true : undefined),
      30_000,
      250,
    );
    await sleep(100);
    const again = await h.request("/IdemService/short", tag, { headers: { "idempotency-key": tag } });
    expect(again.status).toBe(200);
    expect(again.json()).toBe(`short ${tag}`);
    expect(executions("idem-short", tag)).toBe(2);
  });

  it("deduplicates idempotent calls and sends made by a handler", async () => {
    const caller = ingressOf(h).serviceClient<IdemCallerApi>(idemCaller);
    const tag = uniqueTag("inner-call");
    const called = await caller.callTwice(tag);
    expect(called.results).toEqual([`worked ${tag}`, `worked ${tag}`]);
    expect(called.ids[1]).toBe(called.ids[0]);
    expect(executions("idem-work", tag)).toBe(1);

    const sendTag = uniqueTag("inner-send");
    const ids = await caller.sendTwice(sendTag);
    expect(ids[1]).toBe(ids[0]);
    expect(await h.call(`/restate/invocation/${ids[0]}/attach`)).toBe(`worked ${sendTag}`);
    expect(executions("idem-work", sendTag)).toBe(1);
  });
});

/** The id restate-server 1.7.12 gives IdemService/short with idempotency key `fixed-idempotency-key`. */
const fixedIdempotentId = "inv_12y4t4BwuQbH5pVNwNK8uXCHklcnqgcSSL";
