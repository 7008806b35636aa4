// Goal: calls and one-way sends between services (scenario 5) — object-to-object calls that cross
// partitions, an object calling a plain service, and delayed sends from the ingress and from a
// handler; method: E2eCaller/E2eCallee/E2eCounter, partitions read from the invocation ids, a
// delayed add observed through the counter's state (not through attach, covered in basics).
import { expect, it } from "vitest";
import { partitionCount, partitionOfInvocationId } from "@cairn/e2e";
import { describeTargets, eventually, uniqueTag, useServices } from "./support/suite.js";

interface CallObjectResult {
  greeting: string;
  callerId: string;
  calleeId: string;
}

interface CounterView {
  value: number;
  log: string[];
}

const services = useServices();

describeTargets("calls and sends", services, (h) => {
  /** Polls the counter until an add is applied; `at` is when the applying state was observed. */
  const appliedAt = (key: string): Promise<{ view: CounterView; at: number }> =>
    eventually(`an add on ${key}`, async () => {
      const reply = await h.request(`/E2eCounter/${key}/get`);
      const view = reply.json<CounterView>();
      return view.value > 0 ? { view, at: reply.receivedAt } : undefined;
    });

  it("calls objects on other partitions and gets their answers", async () => {
    const prefix = uniqueTag("pair");
    let crossing = 0;
    for (let i = 0; i < 8; i++) {
      const [callerKey, calleeKey] = [`${prefix}-caller-${i}`, `${prefix}-callee-${i}`];
      const reply = await h.request(`/E2eCaller/${callerKey}/callObject`, { calleeKey, name: `n${i}` });
      expect(reply.status).toBe(200);
      const result = reply.json<CallObjectResult>();
      expect(result.greeting).toBe(`${calleeKey} greets n${i} (#1)`);
      expect(result.callerId).toBe(reply.headers.get("x-restate-id"));
      expect(result.calleeId).toMatch(/^inv_1/);
      expect(result.calleeId).not.toBe(result.callerId);
      // The same key always lands on the same partition.
      const again = await h.call<CallObjectResult>(`/E2eCaller/${callerKey}/callObject`, { calleeKey, name: "again" });
      expect(again.greeting).toBe(`${calleeKey} greets again (#2)`);
      expect(partitionOfInvocationId(again.calleeId, partitionCount)).toBe(partitionOfInvocationId(result.calleeId, partitionCount));
      expect(partitionOfInvocationId(again.callerId, partitionCount)).toBe(partitionOfInvocationId(result.callerId, partitionCount));
      if (partitionOfInvocationId(result.callerId, partitionCount) !== partitionOfInvocationId(result.calleeId, partitionCount)) {
        crossing++;
      }
    }
    // Eight independent key pairs over four partitions: at least one pair crosses partitions
    // (all eight on the same partition has probability 4^-8 with hashed keys).
    expect(crossing).toBeGreaterThan(0);
  });

  it("calls a plain service from a virtual object", async () => {
    expect(await h.call<string>(`/E2eCaller/${uniqueTag("svc")}/callService`, "Bob")).toBe("Hello, Bob!");
  });

  it("delays a one-way send from the ingress by ?delay=1s", async () => {
    const key = uniqueTag("ingress-delay");
    const sentAt = Date.now();
    const reply = await h.request(`/E2eCounter/${key}/add/send?delay=1s`, { n: 7, client: "d", seq: 1 });
    expect(reply.status).toBe(202);
    const accepted = reply.json<{ invocationId: string; status: string; executionTime?: string }>();
    expect(accepted.status).toBe("Accepted");
    expect(accepted.invocationId).toMatch(/^inv_1/);
    expect(Date.parse(accepted.executionTime ?? "")).toBeGreaterThanOrEqual(sentAt + 1_000 - 1);

    const early = await h.request(`/E2eCounter/${key}/get`);
    // Answered before the send could be due (it was accepted after sentAt): nothing applied yet.
    if (early.receivedAt < sentAt + 1_000) expect(early.json<CounterView>().value).toBe(0);

    const applied = await appliedAt(key);
    expect(applied.view).toEqual({ value: 7, log: ["d:1"] });
    expect(applied.at - sentAt).toBeGreaterThanOrEqual(1_000);
  });

  it("delays a one-way send made by a handler with objectSendClient(...).add(..., {delay})", async () => {
    const key = uniqueTag("handler-delay");
    const sentAt = Date.now();
    const { sendId } = await h.call<{ sendId: string }>(`/E2eCaller/${uniqueTag("sender")}/sendAdd`, {
      counterKey: key,
      add: { n: 3, client: "hd", seq: 1 },
      delayMs: 1_000,
    });
    expect(sendId).toMatch(/^inv_1/);

    const early = await h.request(`/E2eCounter/${key}/get`);
    if (early.receivedAt < sentAt + 1_000) expect(early.json<CounterView>().value).toBe(0);

    const applied = await appliedAt(key);
    expect(applied.view).toEqual({ value: 3, log: ["hd:1"] });
    expect(applied.at - sentAt).toBeGreaterThanOrEqual(1_000);
  });
});
