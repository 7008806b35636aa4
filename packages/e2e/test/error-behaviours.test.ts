// Goal: the ErrorMessage behaviours and terminal failures reach callers as on restate-server:
// a TerminalError's code, message and metadata; a retry after the SDK's next_retry_delay; a
// PauseError inside ctx.run pauses until resumed; a journal mismatch is retried, or (V7) pauses
// or fails as the handler says; method: the control fixture's CtlErrors handlers, attempts and their
// times recorded outside the server, admin resume, attach and output.
import { expect, it } from "vitest";
import { admin, attach, awaitEffects, control, effects, output, send } from "./support/control.js";
import { describeTargets, eventually, sleep, uniqueTag, useServices } from "./support/suite.js";

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
    // Its Run command is journaled, so it is pinned: it may be resumed onto a named deployment
    // (here the one it ran on); an unknown one is 400.
    expect((await control(h, id, "resume", "?deployment=dp_11nGQpCRmau6ypL82KH2TnP")).status).toBe(400);
    const deployments = (await admin(h, "GET", "/deployments")).json<{ deployments: { id: string }[] }>().deployments;
    expect((await control(h, id, "resume", `?deployment=${deployments[0]?.id ?? ""}`)).status).toBe(200);
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
    // The mismatch is reported on the invocation: sys_invocation.last_failure reads
    // "[570 Journal mismatch] …" (the error code column differs: restate-server shows its RT code).
    await eventually("last_failure of the journal mismatch", async () => {
      const reply = await admin(h, "POST", "/query", { query: `SELECT last_failure FROM sys_invocation WHERE id = '${id}'` });
      const row = reply.status === 200 ? reply.json<{ rows: { last_failure: string | null }[] }>().rows[0] : undefined;
      return row?.last_failure !== null && row?.last_failure !== undefined && /^\[570 Journal mismatch\]/.test(row.last_failure) ? row : undefined;
    });
    // retry_count counts the attempts started (restate-server increments it when one starts).
    const counted = await admin(h, "POST", "/query", { query: `SELECT retry_count FROM sys_invocation WHERE id = '${id}'` });
    expect(counted.json<{ rows: { retry_count: number | null }[] }>().rows[0]?.retry_count).toBeGreaterThanOrEqual(3);
    expect((await control(h, id, "kill")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(409);
  });
});

// The same control flows on a request/response deployment (use_http_11): every await that is not
// journaled ends the attempt with a suspension, so a ctx.run's proposal arrives just before one.
const http1Services = useServices({ fixture: "control-services", http1: true });

describeTargets("error behaviours and cancellation over HTTP/1.1", http1Services, (h) => {
  it("pauses on a PauseError in ctx.run; once resumed, the run's proposal just before the suspension completes it", async () => {
    const tag = uniqueTag("rr-pause");
    const id = await send(h, "/CtlErrors/pauseInRun", tag);
    await awaitEffects(http1Services, "pauseInRunAttempt", tag);
    await sleep(1_000);
    expect((await output(h, id)).status).toBe(470);
    await h.call("/CtlFlaky/fix", tag);
    expect((await control(h, id, "resume")).status).toBe(200);
    const reply = await attach(h, id);
    expect(reply.status).toBe(200);
    expect(reply.json()).toBe(`unpaused ${tag}`);
    expect(effects(http1Services, "pauseInRunAttempt", tag)).toHaveLength(2);
  });

  it("pauses a suspended invocation at once (200) and resumes it (200)", async () => {
    const tag = uniqueTag("rr-pause-suspended");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(http1Services, "childStarted", tag);
    await sleep(500); // suspended on its awakeable
    expect((await control(h, id, "pause")).status).toBe(200);
    expect((await control(h, id, "pause")).status).toBe(200);
    expect((await control(h, id, "resume")).status).toBe(200);
    expect((await control(h, id, "kill")).status).toBe(200);
    expect((await attach(h, id)).status).toBe(409);
  });

  it("cancels a suspended invocation (202): the signal resumes it and the handler fails with 409", async () => {
    const tag = uniqueTag("rr-cancel");
    const id = await send(h, "/CtlChild/wait", tag);
    await awaitEffects(http1Services, "childStarted", tag);
    expect((await control(h, id, "cancel")).status).toBe(202);
    const reply = await attach(h, id);
    expect(reply.status).toBe(409);
    await awaitEffects(http1Services, "childCancelled", tag);
    expect(effects(http1Services, "childStarted", tag)).toHaveLength(1);
  });
});

// Under protocol V7 the SDK follows the handler's `onJournalMismatchErrors`: the ErrorMessage of
// a mismatching attempt carries behavior PAUSE or FAIL (restate-server started with V7 here).
describeTargets(
  "journal-mismatch behaviours over protocol V7",
  services,
  (h) => {
    it("pauses an invocation whose journal mismatches when the handler says pause", async () => {
      const tag = uniqueTag("mismatch-pause");
      const id = await send(h, "/CtlMismatchV7/pause", tag);
      await eventually("the invocation to pause", async () => {
        const reply = await admin(h, "POST", "/query", { query: `SELECT status FROM sys_invocation WHERE id = '${id}'` });
        const row = reply.status === 200 ? reply.json<{ rows: { status: string }[] }>().rows[0] : undefined;
        return row?.status === "paused" ? row : undefined;
      });
      // Attempt 1 journals a run and fails with a retryable error; attempt 2 mismatches and pauses.
      await sleep(1_000);
      expect(effects(services, "mismatchPauseAttempt", tag)).toHaveLength(2);
      expect((await output(h, id)).status).toBe(470);
      expect((await control(h, id, "kill")).status).toBe(200);
    });

    it("fails an invocation whose journal mismatches with 570 when the handler says fail", async () => {
      const tag = uniqueTag("mismatch-fail");
      const id = await send(h, "/CtlMismatchV7/fail", tag);
      const reply = await attach(h, id);
      expect(reply.status).toBe(570);
      expect(reply.json<{ message: string }>().message).toMatch(/Found a mismatch/);
      expect(effects(services, "mismatchFailAttempt", tag)).toHaveLength(2);
    });
  },
  { restateProtocolV7: true },
);
