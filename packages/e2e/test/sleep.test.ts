// Goal: durable timers (scenario 4) — a sleep lasts at least its duration, survives a graceful
// restart mid-sleep, and fires after a SIGKILL even when it came due while the server was down;
// method: E2eSleeper handlers, whose steps before and after the sleep leave marks in the
// side-effect log (kept outside the server), so the wake-up is observed without attach.
import { expect, it } from "vitest";
import { describeTargets, eventually, sleep, uniqueTag, useServices } from "./support/suite.js";

const services = useServices();

describeTargets("sleep", services, (h) => {
  const marks = (kind: string, tag: string): number =>
    services.sideEffects().filter((e) => e.kind === kind && e.tag === tag).length;
  const wokeAt = (tag: string): Promise<number> =>
    eventually(`the sleeper ${tag} to wake`, () => (marks("sleep-after", tag) > 0 ? Date.now() : undefined), 30_000);

  it("returns after at least the 1.5 s it slept", async () => {
    const started = Date.now();
    expect(await h.call<number>("/E2eSleeper/sleep", 1_500)).toBe(1_500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it("finishes a sleep that spans a SIGTERM restart of the server", async () => {
    const tag = uniqueTag("sigterm");
    const sentAt = Date.now();
    const reply = await h.request("/E2eSleeper/sleepMarked/send", { tag, ms: 3_000 });
    expect(reply.status).toBe(202);

    await eventually("the sleeper's first step", () => (marks("sleep-before", tag) > 0 ? true : undefined));
    await sleep(300);
    await h.target.kill("SIGTERM");
    expect(marks("sleep-after", tag), "woke while the server was up").toBe(0);
    await h.target.restart();

    expect((await wokeAt(tag)) - sentAt).toBeGreaterThanOrEqual(3_000);
    await sleep(300);
    expect(marks("sleep-after", tag)).toBe(1);
    expect(marks("sleep-before", tag)).toBeGreaterThanOrEqual(1);
  });

  it("fires a sleep that came due while the server was killed", async () => {
    const tag = uniqueTag("sigkill");
    const sentAt = Date.now();
    const reply = await h.request("/E2eSleeper/sleepMarked/send", { tag, ms: 1_000 });
    expect(reply.status).toBe(202);

    await eventually("the sleeper's first step", () => (marks("sleep-before", tag) > 0 ? true : undefined));
    await sleep(200);
    await h.target.kill("SIGKILL");
    await sleep(Math.max(0, sentAt + 1_500 - Date.now()));
    expect(marks("sleep-after", tag), "woke while the server was up").toBe(0);
    await h.target.restart();

    await wokeAt(tag);
    await sleep(300);
    expect(marks("sleep-after", tag)).toBe(1);
  });
});
