// Goal: the ErrorMessage behaviours and terminal failures reach callers as on restate-server:
// a TerminalError's code, message and metadata; a retry after the SDK's next_retry_delay; a
// PauseError inside ctx.run pauses until resumed; a journal mismatch is retried; method: the control fixture's CtlErrors handlers, attempts and their
// times recorded outside the server, admin resume, attach and output.
import { expect, it } from "vitest";
import { attach, awaitEffects, control, effects, output, send } from "./support/control.js";
import { describeTargets, sleep, uniqueTag, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

describeTargets("error behaviours", services, (h) => {
  it("answers a TerminalError with its code, message and metadata", async () => {
    const tag = uniqueTag("meta");
    const reply = await h.request("/CtlErrors/terminalMeta", tag);
    expect(reply.status).toBe(422);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    expect(reply.json()).toMatchObject({ code: 422, message: `meta ${tag}`, metadata: { tag, kind: "validation" } });
    // The same failure, with its metadata, from the retained completion.
    const id = reply.headers.get("x-restate-id") ?? "";
    const again = await attach(h, id);
    expect(again.status).toBe(422);
    expect(again.json()).toMatchObject({ code: 422, metadata: { tag, kind: "validation" } });
  });

  it("retries after the delay a RetryableError asks for (next_retry_delay)", async () => {
    const tag = uniqueTag("retry-after");
    const reply = await h.request("/CtlErrors/retryAfter", tag);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(`retried ${tag}`);
    const times = effects(services, "retryAfterAttempt", tag).map((e) => Number(e.nonce));
    expect(times).toHaveLength(2);
    // The policy alone would retry after 500 ms; the SDK asked for 1.5 s.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_400);
  });

  it("pauses on a PauseError inside ctx.run until resumed", async () => {
    const tag = uniqueTag("pause-error");
    const id = await send(h, "/CtlErrors/pauseInRun", tag);
    await awaitEffects(services, "pauseInRunAttempt", tag);
    await sleep(1_500);
    expect(effects(services, "pauseInRunAttempt", tag)).toHaveLength(1);
    expect((await output(h, id)).status).toBe(470);
    await h.call("/CtlFlaky/fix", tag);
    expect((await control(h, id, "resume")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(`unpaused ${tag}`);
  });

  it("retries a journal mismatch (570) under the retry policy until the invocation is killed", async () => {
    const tag = uniqueTag("mismatch");
    const id = await send(h, "/CtlErrors/mismatch", tag);
    // Attempt 1 journals a run and fails; attempts 2 and 3 hit the mismatch and are retried.
    await awaitEffects(services, "mismatchAttempt", tag, 3);
    expect((await output(h, id)).status).toBe(470);
    expect((await control(h, id, "kill")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(409);
  });
});
