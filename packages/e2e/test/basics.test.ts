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

  it("answers unknown services and handlers with 404 from the ingress", async () => {
    for (const path of ["/E2eNoSuchService/greet", "/E2eGreeter/noSuchHandler"]) {
      const reply = await h.request(path, "x", { notFoundRetryMs: 0 });
      expect(reply.status, path).toBe(404);
      expect(reply.headers.get("x-restate-error-source"), path).toBe("ingress");
      expect(reply.json<{ code: number; message: string }>(), path).toMatchObject({ code: 404 });
    }
  });
});
