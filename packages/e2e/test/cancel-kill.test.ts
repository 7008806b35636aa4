// Goal: admin cancel, kill and purge behave as on restate-server (statuses, what callers see,
// propagation to children, the key's lock); method: the control fixture's blocking handlers,
// driven by sends, admin PATCH /invocations/{id}/…, attach and side effects recorded outside.
import { expect, it } from "vitest";
import { admin, attach, awaitEffects, control, effects, send } from "./support/control.js";
import { describeTargets, sleep, uniqueTag, useServices } from "./support/suite.js";

const services = useServices({ fixture: "control-services" });

describeTargets("cancel, kill and purge", services, (h) => {
  it("cancels a running invocation with a signal (202); the handler sees it and fails with 409", async () => {
    const tag = uniqueTag("cancel-running");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(services, "childStarted", tag);
    const cancelled = await control(h, id, "cancel");
    expect(cancelled.status).toBe(202);
    const reply = await attach(h, id);
    expect(reply.status).toBe(409);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    await awaitEffects(services, "childCancelled", tag);
    // Completed now: a second cancel conflicts.
    expect((await control(h, id, "cancel")).status).toBe(409);
  });

  it("propagates a cancel to the child call the handler awaits", async () => {
    const tag = uniqueTag("cancel-parent");
    const id = await send(h, "/CtlParent/callChild", tag);
    await awaitEffects(services, "childStarted", tag);
    expect((await control(h, id, "cancel")).status).toBe(202);
    expect((await attach(h, id)).status).toBe(409);
    await awaitEffects(services, "childCancelled", tag);
  });

  it("cancels an inboxed invocation at once (200); the key keeps serving in order", async () => {
    const key = uniqueTag("cancel-inbox");
    const holder = await send(h, `/CtlLock/${key}/hold`, `${key}-hold`);
    await awaitEffects(services, "holdStarted", `${key}-hold`);
    const waiting = await send(h, `/CtlLock/${key}/quick`, `${key}-first`);
    const next = await send(h, `/CtlLock/${key}/quick`, `${key}-second`);
    const waiter = attach(h, waiting);
    await sleep(300); // the attach is registered before the cancel
    expect((await control(h, waiting, "cancel")).status).toBe(200);
    const reply = await waiter;
    expect(reply.status).toBe(409);
    expect(reply.headers.get("x-restate-error-source")).toBe("invocation");
    // An invocation that never started is not retained once cancelled.
    expect((await attach(h, waiting)).status).toBe(404);
    // Kill the holder: its key is released and the next inboxed invocation runs.
    expect((await control(h, holder, "kill")).status).toBe(200);
    const killed = await attach(h, holder);
    expect(killed.status).toBe(409);
    const answered = await attach(h, next);
    expect(answered.status).toBe(200);
    expect(answered.json()).toBe(`quick ${key}-second`);
    expect(effects(services, "quickRan", `${key}-first`)).toHaveLength(0);
  });

  it("kills an invocation and, recursively, the child it called; no user code runs", async () => {
    const tag = uniqueTag("kill-parent");
    const id = await send(h, "/CtlParent/callChild", tag);
    const [started] = await awaitEffects(services, "childStarted", tag);
    const childId = started?.nonce ?? "";
    expect(childId).toMatch(/^inv_1/);
    expect((await control(h, id, "kill")).status).toBe(200);
    const parentReply = await attach(h, id);
    expect(parentReply.status).toBe(409);
    const childReply = await attach(h, childId);
    expect(childReply.status).toBe(409);
    await sleep(300);
    // Killed, not cancelled: the child's catch block (user code) never ran.
    expect(effects(services, "childCancelled", tag)).toHaveLength(0);
    // Completed: kill and cancel conflict now.
    expect((await control(h, id, "kill")).status).toBe(409);
  });

  it("kills a child invocation; the caller awaiting it gets the failure", async () => {
    const tag = uniqueTag("kill-child");
    const id = await send(h, "/CtlParent/callChild", tag);
    const [started] = await awaitEffects(services, "childStarted", tag);
    const childId = started?.nonce ?? "";
    expect((await control(h, childId, "kill")).status).toBe(200);
    const parentReply = await attach(h, id);
    expect(parentReply.status).toBe(409);
    expect(parentReply.headers.get("x-restate-error-source")).toBe("invocation");
  });

  it("purges a completed invocation (200) but not a running one (409); an unknown id is 404", async () => {
    const tag = uniqueTag("purge");
    const running = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(services, "childStarted", tag);
    expect((await control(h, running, "purge")).status).toBe(409);
    expect((await control(h, running, "kill")).status).toBe(200);
    expect((await attach(h, running)).status).toBe(409);
    expect((await control(h, running, "purge-journal")).status).toBe(200);
    expect((await control(h, running, "purge")).status).toBe(200);
    // Gone: attach, kill and cancel know nothing of it.
    expect((await attach(h, running)).status).toBe(404);
    expect((await control(h, running, "kill")).status).toBe(404);
    expect((await control(h, running, "cancel")).status).toBe(404);
  });

  it("answers a malformed invocation id with 400 and errors with {message}", async () => {
    const reply = await control(h, "not-an-id", "cancel");
    expect(reply.status).toBe(400);
    expect(typeof reply.json<{ message: string }>().message).toBe("string");
  });

  it("serves the deprecated DELETE /invocations/{id}?mode=kill with 202", async () => {
    const tag = uniqueTag("delete-kill");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(services, "childStarted", tag);
    const reply = await admin(h, "DELETE", `/invocations/${id}?mode=kill`);
    expect(reply.status).toBe(202);
    expect((await attach(h, id)).status).toBe(409);
  });
});
