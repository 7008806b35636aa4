// Goal: invocations pause when their retries run out (onMaxAttempts pause) or when an operator
// pauses them, resume on request (PATCH …/resume), and are killed when the policy says kill —
// with restate-server's statuses; method: the control fixture's failing handlers (attempts
// counted outside the server), admin PATCH /invocations/{id}/pause|resume, attach and output.
import { expect, it } from "vitest";
import { admin, attach, awaitEffects, control, effects, eventuallyStatus, output, send } from "./support/control.js";
import { describeTargets, sleep, uniqueTag, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

describeTargets("pause and resume", services, (h) => {
  it("pauses an invocation whose retries are exhausted, and resumes it once fixed", async () => {
    const tag = uniqueTag("exhausted");
    const id = await send(h, "/CtlFlaky/untilFixed", tag);
    await awaitEffects(services, "untilFixedAttempt", tag, 3);
    await sleep(1_000);
    // Paused after its 3 attempts: no fourth one, not completed.
    expect(effects(services, "untilFixedAttempt", tag)).toHaveLength(3);
    expect((await output(h, id)).status).toBe(470);
    // A paused invocation answers pause with 200 (already paused).
    expect((await control(h, id, "pause")).status).toBe(200);
    await h.call("/CtlFlaky/fix", tag);
    // It never stored a journal entry, so no deployment is pinned yet: none can be named (409).
    const deployments = (await admin(h, "GET", "/deployments")).json<{ deployments: { id: string }[] }>().deployments;
    expect((await control(h, id, "resume", `?deployment=${deployments[0]?.id ?? ""}`)).status).toBe(409);
    expect((await control(h, id, "resume")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(`fixed ${tag}`);
    expect(effects(services, "untilFixedAttempt", tag)).toHaveLength(4);
    // Completed: resume and pause conflict.
    expect((await control(h, id, "resume")).status).toBe(409);
    expect((await control(h, id, "pause")).status).toBe(409);
  });

  it("kills an invocation whose retries are exhausted when the policy says kill", async () => {
    const tag = uniqueTag("kill-policy");
    const id = await send(h, "/CtlFlaky/killAfterTwo", tag);
    const reply = await attach(h, id);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    expect(effects(services, "killAfterTwoAttempt", tag)).toHaveLength(2);
  });

  it("pauses a running invocation on request (202), then a cancel resumes it to fail with 409", async () => {
    const tag = uniqueTag("pause-running");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(services, "childStarted", tag);
    expect((await control(h, id, "pause")).status).toBe(202);
    await eventuallyStatus("pause of a pausing invocation", () => control(h, id, "pause"), 200);
    expect((await output(h, id)).status).toBe(470);
    expect((await control(h, id, "cancel")).status).toBe(202);
    const reply = await attach(h, id);
    expect(reply.status).toBe(409);
    await awaitEffects(services, "childCancelled", tag);
  });

  it("resumes a paused invocation by request and it runs again", async () => {
    const tag = uniqueTag("pause-resume");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(services, "childStarted", tag);
    expect((await control(h, id, "pause")).status).toBe(202);
    await eventuallyStatus("pause of a pausing invocation", () => control(h, id, "pause"), 200);
    expect((await control(h, id, "resume")).status).toBe(200);
    // Running: its deployment cannot be changed now.
    expect((await control(h, id, "resume", "?deployment=dp_11nGQpCRmau6ypL82KH2TnP")).status).toBe(409);
    // Running again (waiting on its awakeable): a pause takes effect anew.
    await eventuallyStatus("pause of the resumed invocation", () => control(h, id, "pause"), 202);
    expect((await control(h, id, "kill")).status).toBe(200);
    expect((await attach(h, id)).status).toBe(409);
  });

  it("keeps a paused invocation paused across a SIGKILL restart, and resumes it after", async () => {
    const tag = uniqueTag("pause-crash");
    const id = await send(h, "/CtlFlaky/untilFixed", tag);
    await awaitEffects(services, "untilFixedAttempt", tag, 3);
    await eventuallyStatus("pause of the exhausted invocation", () => control(h, id, "pause"), 200);
    await h.target.kill("SIGKILL");
    await h.target.restart();
    await sleep(1_000);
    expect(effects(services, "untilFixedAttempt", tag)).toHaveLength(3);
    expect((await output(h, id)).status).toBe(470);
    await h.call("/CtlFlaky/fix", tag);
    expect((await control(h, id, "resume")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(`fixed ${tag}`);
    expect(effects(services, "untilFixedAttempt", tag)).toHaveLength(4);
  });

  it("answers resume of an invocation that has not started with 425", async () => {
    const key = uniqueTag("resume-inboxed");
    const holder = await send(h, `/CtlLock/${key}/hold`, `${key}-hold`);
    await awaitEffects(services, "holdStarted", `${key}-hold`);
    const waiting = await send(h, `/CtlLock/${key}/quick`, `${key}-q`);
    expect((await control(h, waiting, "resume")).status).toBe(425);
    expect((await control(h, holder, "kill")).status).toBe(200);
    expect((await attach(h, waiting)).status).toBe(200);
  });
});
