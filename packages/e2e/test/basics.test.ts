// Goal: the basic request/response contract (scenario 1) holds on every target; method: call the
// official-SDK E2eGreeter through the ingress and check status, headers, body and the side-effect log.
import { expect, it } from "vitest";
import { describeTargets, uniqueTag, useServices } from "./support/suite.js";

const services = useServices();

describeTargets("basics", services, (h) => {
  it("greets: 200, the JSON output, and an inv_1 id in x-restate-id", async () => {
    const reply = await h.request("/E2eGreeter/greet", "Ada");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.headers.get("x-restate-id")).toMatch(/^inv_1[0-9a-zA-Z]{33}$/);
    expect(reply.json()).toBe("Hello, Ada!");
  });

  it("runs a ctx.run closure exactly once and keeps the output readable by id", async () => {
    const tag = uniqueTag("greet-run");
    const reply = await h.request("/E2eGreeter/greetRun", { name: "Grace", tag });
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe("Hello, Grace!");
    expect(services.sideEffects().filter((e) => e.kind === "greetRun" && e.tag === tag)).toHaveLength(1);

    const id = reply.headers.get("x-restate-id") ?? "";
    const output = await h.request(`/restate/invocation/${id}/output`);
    expect(output.status).toBe(200);
    expect(output.json()).toBe("Hello, Grace!");
    expect(services.sideEffects().filter((e) => e.kind === "greetRun" && e.tag === tag)).toHaveLength(1);
  });

  it("answers a TerminalError with its code as the status and source invocation", async () => {
    const reply = await h.request("/E2eGreeter/fail", "boom");
    expect(reply.status).toBe(418);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    expect(reply.headers.get("x-restate-id")).toMatch(/^inv_1/);
    expect(reply.json()).toMatchObject({ code: 418, message: "boom" });

    // The failure is the invocation's result: reading it back gives the same answer.
    const output = await h.request(`/restate/invocation/${reply.headers.get("x-restate-id") ?? ""}/output`);
    expect(output.status).toBe(418);
    expect(output.json()).toMatchObject({ code: 418, message: "boom" });
  });

  it("attaches to a sent invocation by id, and answers 470 for its output until it completes", async () => {
    const sentAt = Date.now();
    const sent = await h.request("/E2eSleeper/sleep/send", 1_000);
    expect(sent.status).toBe(202);
    const { invocationId } = sent.json<{ invocationId: string }>();
    const early = await h.request(`/restate/invocation/${invocationId}/output`);
    if (early.receivedAt < sentAt + 1_000) {
      expect(early.status).toBe(470);
      expect(early.json()).toMatchObject({ code: 470 });
    }
    const attached = await h.request(`/restate/invocation/${invocationId}/attach`);
    expect(attached.status).toBe(200);
    expect(attached.headers.get("x-restate-id")).toBe(invocationId);
    expect(attached.json()).toBe(1_000);
    expect(attached.receivedAt - sentAt).toBeGreaterThanOrEqual(1_000);
    // Completed: output and attach both answer at once, with the same result.
    for (const path of ["output", "attach"]) {
      const again = await h.request(`/restate/invocation/${invocationId}/${path}`);
      expect(again.status, path).toBe(200);
      expect(again.json(), path).toBe(1_000);
    }
  });

  it("answers 404 for the output of an unknown invocation id", async () => {
    const reply = await h.request("/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/output", undefined, { notFoundRetryMs: 0 });
    expect(reply.status).toBe(404);
  });

  it("answers unknown services and handlers with 404 from the ingress", async () => {
    for (const path of ["/E2eNoSuchService/greet", "/E2eGreeter/noSuchHandler"]) {
      const reply = await h.request(path, "x", { notFoundRetryMs: 0 });
      expect(reply.status, path).toBe(404);
      expect(reply.headers.get("x-restate-error-source"), path).toBe("ingress");
      expect(reply.json<{ code: number; message: string }>(), path).toMatchObject({ code: 404 });
    }
  });
});
