// Goal: failed attempts are retried and journaled steps are not (scenario 6); method: E2eFlaky
// handlers count their executions in the side-effect log, outside the server, and the test
// checks the exact counts.
import { expect, it } from "vitest";
import { describeTargets, sleep, uniqueTag, useServices } from "./support/suite.js";

const services = useServices();

describeTargets("retries", services, (h) => {
  const runs = (kind: string, tag: string): number =>
    services.sideEffects().filter((e) => e.kind === kind && e.tag === tag).length;

  it("retries a handler that throws on its first two attempts until it succeeds", async () => {
    const tag = uniqueTag("fail-twice");
    const reply = await h.request("/E2eFlaky/failTwice", tag);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(3);
    expect(runs("failTwice", tag)).toBe(3);
  });

  it("retries a failing ctx.run closure, then replays it instead of running it again", async () => {
    const tag = uniqueTag("run-fail-twice");
    const reply = await h.request("/E2eFlaky/runFailTwice", tag);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(3);
    // Two failed executions and one that succeeded and was journaled ...
    expect(runs("runFailTwice", tag)).toBe(3);
    // ... and the later step failed once, so the handler ran again past the journaled step.
    expect(runs("runAfter", tag)).toBe(2);
  });

  it("does not retry a ctx.run that throws a TerminalError", async () => {
    const tag = uniqueTag("run-terminal");
    const reply = await h.request("/E2eFlaky/runTerminal", tag);
    expect(reply.status).toBe(422);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    expect(reply.json()).toMatchObject({ code: 422, message: `refused ${tag}` });
    await sleep(500);
    expect(runs("runTerminal", tag)).toBe(1);
  });

  it("gives up after a ctx.run's maxRetryAttempts and fails the invocation", async () => {
    const tag = uniqueTag("run-exhaust");
    const reply = await h.request("/E2eFlaky/runExhaust", tag);
    expect(reply.status).toBe(500);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    expect(reply.json<{ message: string }>().message).toContain(`always failing ${tag}`);
    await sleep(500);
    expect(runs("runExhaust", tag)).toBe(3);
  });
});
