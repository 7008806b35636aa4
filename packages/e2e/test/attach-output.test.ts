// Goal: attaching to invocations and reading their output behave as on restate-server, from the
// ingress (by invocation id) and from handlers (the AttachInvocation command, also across
// partitions); method: IdemService/WfOrder/IdemCaller driven with the official ingress client
// (send + result) and raw requests for status codes.
import * as clients from "@restatedev/restate-sdk-clients";
import { expect, it } from "vitest";
import { describeTargets, eventually, uniqueTag, useServices, type Harness } from "./support/suite.js";

const services = useServices({ fixture: "workflow-services" });

interface WorkInput {
  tag: string;
  sleepMs?: number;
}
type IdemApi = {
  work(ctx: unknown, input: WorkInput): Promise<string>;
};
type IdemCallerApi = {
  attach(ctx: unknown, invocationId: string): Promise<string>;
};
// A type alias, not an interface: the client's workflow types need an index-signature-compatible shape.
type WfOrderApi = {
  run(ctx: unknown, item: string): Promise<string>;
  reject(ctx: unknown, reason: string): Promise<string>;
  status(ctx: unknown): Promise<string | null>;
};
const idem = { name: "IdemService" };
const idemCaller = { name: "IdemCaller" };
const wfOrder = { name: "WfOrder" };

const ingressOf = (h: Harness): clients.Ingress => clients.connect({ url: h.endpoints().ingressUrl });

describeTargets("attach and output", services, (h) => {
  it("attaches from the ingress: output is 470 while running, attach waits, both answer after", async () => {
    const tag = uniqueTag("ingress");
    const ingress = ingressOf(h);
    const sent = await ingress.serviceSendClient<IdemApi>(idem).work({ tag, sleepMs: 1_000 });
    const running = await h.request(`/restate/invocation/${sent.invocationId}/output`);
    expect(running.status).toBe(470);
    expect(running.json()).toMatchObject({ code: 470 });
    expect(await h.call(`/restate/invocation/${sent.invocationId}/attach`)).toBe(`worked ${tag}`);
    const output = await h.request(`/restate/invocation/${sent.invocationId}/output`);
    expect(output.status).toBe(200);
    expect(output.json()).toBe(`worked ${tag}`);
    expect(output.headers.get("x-restate-id")).toBe(sent.invocationId);
    // Answers read from a retained result state when it expires (journal retention: one day).
    const expires = Date.parse(output.headers.get("idempotency-expires") ?? "");
    expect(expires - output.receivedAt).toBeGreaterThan(23 * 3600_000);
    expect(expires - output.receivedAt).toBeLessThan(25 * 3600_000);
  });

  it("attaches from a handler to a running invocation on another partition and gets its result", async () => {
    const ingress = ingressOf(h);
    const attacher = ingress.serviceClient<IdemCallerApi>(idemCaller);
    // Several targets, so some land on another partition than their attacher.
    const tags = [0, 1, 2, 3].map((i) => uniqueTag(`handler-${i}`));
    const sends = await Promise.all(tags.map((tag) => ingress.serviceSendClient<IdemApi>(idem).work({ tag, sleepMs: 800 })));
    const answers = await Promise.all(sends.map((s) => attacher.attach(s.invocationId)));
    expect(answers).toEqual(tags.map((tag) => JSON.stringify(`worked ${tag}`)));
    // Attaching again to a completed invocation answers at once with the same result.
    expect(await attacher.attach(sends[0]?.invocationId ?? "")).toBe(JSON.stringify(`worked ${tags[0] ?? ""}`));
  });

  it("attaches from a handler to a failed invocation and gets its failure", async () => {
    const key = uniqueTag("failed");
    const ingress = ingressOf(h);
    const wf = ingress.workflowClient<WfOrderApi>(wfOrder, key);
    const submitted = await wf.workflowSubmit("ship");
    await eventually("the run to wait", async () => ((await wf.status()) === "waiting" ? true : undefined));
    const attached = ingress.serviceClient<IdemCallerApi>(idemCaller).attach(submitted.invocationId);
    expect(await wf.reject("no stock")).toBe("rejected");
    expect(await attached).toBe("500 no stock");
  });

  it("answers attach and output of an unknown invocation with 404", async () => {
    const unknown = "inv_1gdJBtdVEcM942bjcDmb1c1khoaJe11Hbz";
    const output = await h.request(`/restate/invocation/${unknown}/output`, undefined, { notFoundRetryMs: 0 });
    expect(output.status).toBe(404);
    expect(output.json()).toMatchObject({ code: 404, message: "invocation not found", source: "ingress" });
    const attach = await h.request(`/restate/invocation/${unknown}/attach`, undefined, { notFoundRetryMs: 0 });
    expect(attach.json()).toMatchObject({ code: 404, message: "not found", source: "invocation" });
    expect(attach.status).toBe(404);
    expect(await ingressOf(h).serviceClient<IdemCallerApi>(idemCaller).attach(unknown)).toBe("404 not found");
  });
});
