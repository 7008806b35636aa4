// Goal: workflows and durable promises behave as on restate-server — `run` at most once per key,
// shared handlers beside it, promises got, peeked, resolved and rejected once, attach/output by
// workflow key, retention clean-up, a SIGKILL losing nothing, the same over HTTP/1.1; method: the WfOrder/WfShort/IdemCaller fixtures driven with
// the official ingress client (typed calls, workflowSubmit/Attach/Output) plus raw requests where
// a status code or body must be checked, against both targets.
import * as clients from "@restatedev/restate-sdk-clients";
import { expect, it } from "vitest";
import { describeTargets, eventually, uniqueTag, useServices, type Harness } from "./support/suite.js";

const services = useServices({ fixture: "workflow-services" });

interface WorkInput {
  tag: string;
  sleepMs?: number;
}
// A type alias, not an interface: the client's workflow types need an index-signature-compatible shape.
type WfOrderApi = {
  run(ctx: unknown, item: string): Promise<string>;
  approve(ctx: unknown, who: string): Promise<string>;
  reject(ctx: unknown, reason: string): Promise<string>;
  peek(ctx: unknown): Promise<string>;
  status(ctx: unknown): Promise<string | null>;
  peekBefore(ctx: unknown): Promise<string | null>;
  awaitApproval(ctx: unknown): Promise<string>;
};
type WfShortApi = {
  run(ctx: unknown, item: string): Promise<string>;
  item(ctx: unknown): Promise<string | null>;
};
type IdemCallerApi = {
  runWorkflowTwice(ctx: unknown, key: string): Promise<string[]>;
  callTwice(ctx: unknown, tag: string): Promise<{ results: string[]; ids: string[] }>;
};
type IdemApi = {
  work(ctx: unknown, input: WorkInput): Promise<string>;
};
const idem = { name: "IdemService" };
const wfOrder = { name: "WfOrder" };
const wfShort = { name: "WfShort" };
const idemCaller = { name: "IdemCaller" };

const ingressOf = (h: Harness): clients.Ingress => clients.connect({ url: h.endpoints().ingressUrl });
const runsOf = (kind: string, key: string): number => services.sideEffects().filter((e) => e.kind === kind && e.tag === key).length;

describeTargets("workflows and durable promises", services, (h) => {
  it("runs `run` at most once per key: a second submit is PreviouslyAccepted, a second call 409", async () => {
    const key = uniqueTag("once");
    const wf = ingressOf(h).workflowClient<WfOrderApi>(wfOrder, key);
    const first = await wf.workflowSubmit("book");
    expect(first.status).toBe("Accepted");
    expect(first.invocationId).toMatch(/^inv_1/);
    const second = await wf.workflowSubmit("book");
    expect(second).toMatchObject({ invocationId: first.invocationId, status: "PreviouslyAccepted" });

    const call = await h.request(`/WfOrder/${key}/run`, "book");
    expect(call.status).toBe(409);
    expect(call.headers.get("x-restate-error-source")).toBe("invocation");
    expect(call.json()).toMatchObject({ code: 409, message: "the workflow method was already invoked" });

    await eventually("the run to wait", async () => ((await wf.status()) === "waiting" ? true : undefined));
    expect(await wf.approve("ann")).toBe("resolved");
    expect(await wf.workflowAttach()).toBe("book: ann");
    // Still once after completion, and the run executed once.
    const late = await h.request(`/WfOrder/${key}/run`, "book");
    expect(late.status).toBe(409);
    expect(late.json()).toMatchObject({ code: 409, message: "the workflow method was already invoked" });
    expect((await wf.workflowSubmit("book")).status).toBe("PreviouslyAccepted");
    expect(runsOf("wf-run", key)).toBe(1);
  });

  it("serves shared handlers while run waits: state, peek, resolve once, get, attach and output", async () => {
    const key = uniqueTag("shared");
    const wf = ingressOf(h).workflowClient<WfOrderApi>(wfOrder, key);
    const unknown = await h.request(`/restate/workflow/WfOrder/${key}/output`, undefined, { notFoundRetryMs: 0 });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 404, message: "invocation not found" });
    await wf.workflowSubmit("car");
    await eventually("the run to wait", async () => ((await wf.status()) === "waiting" ? true : undefined));
    expect(await wf.peekBefore()).toBe("none");
    expect(await wf.peek()).toBe("none");
    expect((await wf.workflowOutput()).ready).toBe(false);
    const notReady = await h.request(`/restate/workflow/WfOrder/${key}/output`);
    expect(notReady.status).toBe(470);

    // A shared handler that gets the promise blocks until it is resolved.
    const waiting = await h.request(`/WfOrder/${key}/awaitApproval/send`);
    const waitingId = waiting.json<{ invocationId: string }>().invocationId;
    expect((await h.request(`/restate/invocation/${waitingId}/output`)).status).toBe(470);

    expect(await wf.approve("bob")).toBe("resolved");
    expect(await wf.approve("carl")).toBe("409 promise was already completed");
    expect(await wf.reject("nope")).toBe("409 promise was already completed");
    expect(await wf.workflowAttach()).toBe("car: bob");
    const done = await wf.workflowOutput();
    expect(done.ready).toBe(true);
    expect(done.result).toBe("car: bob");
    expect(await h.call(`/restate/invocation/${waitingId}/attach`)).toBe("bob");
    expect(await wf.peek()).toBe("bob");
    expect(await wf.awaitApproval()).toBe("bob");
    expect(await wf.status()).toBe("approved bob");
    const raw = await h.request(`/restate/workflow/WfOrder/${key}/attach`);
    expect(raw.status).toBe(200);
    expect(raw.json()).toBe("car: bob");
    expect(raw.headers.get("x-restate-id")).toMatch(/^inv_1/);
    const expires = Date.parse(raw.headers.get("idempotency-expires") ?? "");
    expect(expires - raw.receivedAt).toBeGreaterThan(23 * 3600_000); // the workflow retention: one day
    expect(expires - raw.receivedAt).toBeLessThan(25 * 3600_000);
  });

  it("fails run with the rejection of its promise", async () => {
    const key = uniqueTag("reject");
    const wf = ingressOf(h).workflowClient<WfOrderApi>(wfOrder, key);
    await wf.workflowSubmit("boat");
    await eventually("the run to wait", async () => ((await wf.status()) === "waiting" ? true : undefined));
    expect(await wf.reject("too expensive")).toBe("rejected");
    // Attach once the failure is stored: an attach that races the run's end is answered live,
    // without the retention header (on both servers).
    await eventually("the run to end", async () => ((await h.request(`/restate/workflow/WfOrder/${key}/output`)).status === 470 ? undefined : true));
    const attached = await h.request(`/restate/workflow/WfOrder/${key}/attach`);
    expect(attached.status).toBe(500);
    expect(attached.headers.get("x-restate-error-source")).toBe("invocation");
    expect(attached.json()).toMatchObject({ code: 500, message: "too expensive" });
    expect(attached.headers.get("idempotency-expires")).not.toBeNull();
    await expect(wf.workflowAttach()).rejects.toThrow(/too expensive/);
    expect(await wf.status()).toBe("rejected 500 too expensive");
    expect(await wf.approve("late")).toBe("409 promise was already completed");
  });

  it("answers a second run call from a handler with 409", async () => {
    const key = uniqueTag("from-handler");
    const answers = await ingressOf(h).serviceClient<IdemCallerApi>(idemCaller).runWorkflowTwice(key);
    expect(answers).toEqual(["done from-handler-0", "409 the workflow method was already invoked"]);
    expect(runsOf("wf-short-run", key)).toBe(1);
  });

  it("cleans up a workflow's result and state after its retention; the key can run again", async () => {
    const key = uniqueTag("short");
    const wf = ingressOf(h).workflowClient<WfShortApi>(wfShort, key);
    const submitted = await wf.workflowSubmit("first");
    expect(await wf.workflowAttach()).toBe("done first");
    expect(await wf.item()).toBe("first");
    // Retention is 2 s (the service's workflowRetention); clean-up follows it.
    await eventually(
      "the workflow's result to be cleaned up",
      async () => ((await h.request(`/restate/workflow/WfShort/${key}/output`, undefined, { notFoundRetryMs: 0 })).status === 404 ? true : undefined),
      30_000,
      250,
    );
    expect(await wf.item()).toBeNull();
    const again = await wf.workflowSubmit("second");
    expect(again).toMatchObject({ invocationId: submitted.invocationId, status: "Accepted" });
    expect(await wf.workflowAttach()).toBe("done second");
    expect(runsOf("wf-short-run", key)).toBe(2);
  });

  it("keeps a waiting run, completed promises and idempotent results across a SIGKILL", async () => {
    const ingress = (): clients.Ingress => ingressOf(h);
    const waitingKey = uniqueTag("crash-wait");
    const doneKey = uniqueTag("crash-done");
    const tag = uniqueTag("crash-idem");
    await ingress().workflowClient<WfOrderApi>(wfOrder, waitingKey).workflowSubmit("tent");
    await ingress().workflowClient<WfOrderApi>(wfOrder, doneKey).workflowSubmit("lamp");
    for (const key of [waitingKey, doneKey]) {
      await eventually("the run to wait", async () => ((await ingress().workflowClient<WfOrderApi>(wfOrder, key).status()) === "waiting" ? true : undefined));
    }
    expect(await ingress().workflowClient<WfOrderApi>(wfOrder, doneKey).approve("dora")).toBe("resolved");
    expect(await ingress().workflowClient<WfOrderApi>(wfOrder, doneKey).workflowAttach()).toBe("lamp: dora");
    const opts = clients.Opts.from<WorkInput, string>({ idempotencyKey: tag });
    expect(await ingress().serviceClient<IdemApi>(idem).work({ tag }, opts)).toBe(`worked ${tag}`);

    await h.target.kill("SIGKILL");
    await h.target.restart();

    const waiting = ingress().workflowClient<WfOrderApi>(wfOrder, waitingKey);
    expect(await waiting.peek()).toBe("none");
    expect(await waiting.approve("eve")).toBe("resolved");
    expect(await waiting.workflowAttach()).toBe("tent: eve");
    const done = ingress().workflowClient<WfOrderApi>(wfOrder, doneKey);
    expect(await done.approve("again")).toBe("409 promise was already completed");
    expect((await done.workflowOutput()).result).toBe("lamp: dora");
    expect((await done.workflowSubmit("lamp")).status).toBe("PreviouslyAccepted");
    expect(await ingress().serviceClient<IdemApi>(idem).work({ tag }, opts)).toBe(`worked ${tag}`);
    expect([runsOf("wf-run", waitingKey), runsOf("wf-run", doneKey), runsOf("idem-work", tag)]).toEqual([1, 1, 1]);
  });
});

const http1Services = useServices({ fixture: "workflow-services", http1: true });

describeTargets("workflows over a request/response deployment (HTTP/1.1)", http1Services, (h) => {
  const runs = (kind: string, tag: string): number => http1Services.sideEffects().filter((e) => e.kind === kind && e.tag === tag).length;

  it("suspends run and a shared handler on the promise and resumes both when it is resolved", async () => {
    const key = uniqueTag("rr-wf");
    const wf = ingressOf(h).workflowClient<WfOrderApi>(wfOrder, key);
    await wf.workflowSubmit("kite");
    await eventually("the run to wait", async () => ((await wf.status()) === "waiting" ? true : undefined));
    const waiting = await h.request(`/WfOrder/${key}/awaitApproval/send`);
    const waitingId = waiting.json<{ invocationId: string }>().invocationId;
    expect(await wf.approve("fay")).toBe("resolved");
    expect(await wf.approve("gus")).toBe("409 promise was already completed");
    expect(await wf.workflowAttach()).toBe("kite: fay");
    expect(await h.call(`/restate/invocation/${waitingId}/attach`)).toBe("fay");
    expect(runs("wf-run", key)).toBe(1);
  });

  it("answers idempotent calls and workflow calls made by a handler across its suspensions", async () => {
    const key = uniqueTag("rr-twice");
    expect(await ingressOf(h).serviceClient<IdemCallerApi>(idemCaller).runWorkflowTwice(key)).toEqual([
      "done from-handler-0",
      "409 the workflow method was already invoked",
    ]);
    expect(runs("wf-short-run", key)).toBe(1);
    const tag = uniqueTag("rr-idem");
    const called = await ingressOf(h).serviceClient<IdemCallerApi>(idemCaller).callTwice(tag);
    expect(called.results).toEqual([`worked ${tag}`, `worked ${tag}`]);
    expect(called.ids[1]).toBe(called.ids[0]);
    expect(runs("idem-work", tag)).toBe(1);
  });
});
