// Goal: the same features work with a deployment registered over HTTP/1.1, where the SDK runs in
// request/response mode and every ctx.run, sleep, call or lazy state read not yet journaled ends
// the attempt with a suspension that the server must resume; method: the e2e fixture served by
// the SDK's http1Handler and registered with use_http_11, driven through the ingress.
import { expect, it } from "vitest";
import { describeTargets, uniqueTag, useServices } from "./support/suite.js";

interface Run3View {
  nonces: string[];
  completions: number;
}

const services = useServices({ http1: true });

describeTargets("request/response deployment (HTTP/1.1)", services, (h) => {
  const effects = (kind: string, tag: string) => services.sideEffects().filter((e) => e.kind === kind && e.tag === tag);

  it("runs a ctx.run closure once across the suspension that follows it", async () => {
    const tag = uniqueTag("rr-greet");
    expect(await h.call<string>("/E2eGreeter/greetRun", { name: "Ada", tag })).toBe("Hello, Ada!");
    expect(effects("greetRun", tag)).toHaveLength(1);
  });

  it("runs three ctx.run steps, each once, and journals their results", async () => {
    const key = uniqueTag("rr-run3");
    const result = await h.call<Run3View>(`/E2eRun3/${key}/run`);
    const lines = effects("run3", key);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(result).toEqual({ nonces: lines.map((l) => l.nonce), completions: 1 });
    expect(await h.call(`/E2eRun3/${key}/result`)).toEqual(result);
  });

  it("keeps virtual-object state and order with eager and lazy reads", async () => {
    const key = uniqueTag("rr-counter");
    for (let seq = 1; seq <= 5; seq++) expect(await h.call<number>(`/E2eCounter/${key}/add`, { n: seq, client: "rr", seq })).toBe((seq * (seq + 1)) / 2);
    expect(await h.call(`/E2eCounter/${key}/get`)).toEqual({ value: 15, log: ["rr:1", "rr:2", "rr:3", "rr:4", "rr:5"] });
    const stateKey = uniqueTag("rr-state");
    await h.call(`/E2eState/${stateKey}/applyLazy`, [
      { op: "set", key: "a", value: 1 },
      { op: "set", key: "b", value: [2] },
    ]);
    expect(await h.call(`/E2eState/${stateKey}/applyLazy`, [{ op: "get", key: "b" }, { op: "keys" }, { op: "get", key: "z" }])).toEqual([
      [2],
      ["a", "b"],
      null,
    ]);
    expect(await h.call(`/E2eState/${stateKey}/snapshotLazy`)).toEqual({ a: 1, b: [2] });
  });

  it("resumes after a sleep and after a call to another object", async () => {
    const started = Date.now();
    expect(await h.call<number>("/E2eSleeper/sleep", 500)).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const calleeKey = uniqueTag("rr-callee");
    const result = await h.call<{ greeting: string }>(`/E2eCaller/${uniqueTag("rr-caller")}/callObject`, { calleeKey, name: "x" });
    expect(result.greeting).toBe(`${calleeKey} greets x (#1)`);
  });

  it("retries a failing ctx.run and replays it once journaled", async () => {
    const tag = uniqueTag("rr-retry");
    expect(await h.call<number>("/E2eFlaky/runFailTwice", tag)).toBe(3);
    expect(effects("runFailTwice", tag)).toHaveLength(3);
    expect(effects("runAfter", tag)).toHaveLength(2);
  });
});
