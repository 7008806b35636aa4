// Goal: a virtual object serialises its exclusive handlers per key, in arrival order, while
// shared handlers run beside them (scenario 2); method: concurrent clients add to one E2eCounter
// key, and the order log kept in its state is checked against what each client saw.
import { expect, it } from "vitest";
import { describeTargets, eventually, uniqueTag, useServices } from "./support/suite.js";

interface CounterView {
  value: number;
  log: string[];
}

const services = useServices();

/** Values after each entry of `log`, given each entry's increment. */
function prefixSums(log: readonly string[], increments: ReadonlyMap<string, number>): Map<string, number> {
  const after = new Map<string, number>();
  let value = 0;
  for (const entry of log) {
    value += increments.get(entry) ?? Number.NaN;
    after.set(entry, value);
  }
  return after;
}

describeTargets("counter virtual object", services, (h) => {
  it("applies concurrent adds from several clients one at a time, each client's in order", async () => {
    const key = uniqueTag("concurrent");
    const clients = 4;
    const callsPerClient = 8;
    const increments = new Map<string, number>();
    const returned = new Map<string, number>();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let seq = 1; seq <= callsPerClient; seq++) {
          const n = (c + 1) * 100 + seq;
          increments.set(`c${c}:${seq}`, n);
          const value = await h.call<number>(`/E2eCounter/${key}/add`, { n, client: `c${c}`, seq });
          returned.set(`c${c}:${seq}`, value);
        }
      }),
    );

    const view = await h.call<CounterView>(`/E2eCounter/${key}/get`);
    const sum = [...increments.values()].reduce((a, b) => a + b, 0);
    expect(view.value).toBe(sum);
    expect(view.log).toHaveLength(clients * callsPerClient);
    expect(new Set(view.log).size).toBe(view.log.length);
    expect([...view.log].sort()).toEqual([...increments.keys()].sort());
    // Requests a client issued one after another were applied in that order.
    for (let c = 0; c < clients; c++) {
      const mine = view.log.filter((entry) => entry.startsWith(`c${c}:`));
      expect(mine).toEqual(Array.from({ length: callsPerClient }, (_, i) => `c${c}:${i + 1}`));
    }
    // Each add saw exactly the adds before it in the log: no lost update, no double apply.
    expect(returned).toEqual(prefixSums(view.log, increments));
  });

  it("runs one-way sends on a key in the order they were accepted", async () => {
    const key = uniqueTag("sends");
    const ids: string[] = [];
    for (let seq = 1; seq <= 10; seq++) {
      const reply = await h.request(`/E2eCounter/${key}/add/send`, { n: seq, client: "s", seq });
      expect(reply.status).toBe(202);
      const accepted = reply.json<{ invocationId: string; status: string }>();
      expect(accepted.status).toBe("Accepted");
      expect(reply.headers.get("x-restate-id")).toBe(accepted.invocationId);
      ids.push(accepted.invocationId);
    }
    // Wait for the tenth add through the state itself (attach is covered in basics.test.ts).
    const view = await eventually("the ten sends to be applied", async () => {
      const current = await h.call<CounterView>(`/E2eCounter/${key}/get`);
      return current.log.length >= 10 ? current : undefined;
    });
    expect(view).toEqual({ value: 55, log: Array.from({ length: 10 }, (_, i) => `s:${i + 1}`) });
    expect(new Set(ids).size).toBe(10);
  });

  it("serves shared reads while an exclusive handler holds the key, and queues exclusive ones", async () => {
    const key = uniqueTag("hold");
    const tag = uniqueTag("hold");
    expect(await h.call<number>(`/E2eCounter/${key}/add`, { n: 5, client: "h", seq: 1 })).toBe(5);

    let holdDoneAt: number | undefined;
    const holdIssuedAt = Date.now();
    const hold = h.call<string>(`/E2eCounter/${key}/hold`, { ms: 2_500, tag }).then((result) => {
      holdDoneAt = Date.now();
      return result;
    });
    // The hold handler has the key once its first step ran.
    await eventually("the hold handler to start", () =>
      services.sideEffects().some((e) => e.kind === "hold" && e.tag === tag) ? true : undefined,
    );

    const queuedAdd = h.call<number>(`/E2eCounter/${key}/add`, { n: 1, client: "h", seq: 2 }).then((value) => ({
      value,
      at: Date.now(),
    }));
    const read = await h.call<CounterView>(`/E2eCounter/${key}/get`);
    expect(holdDoneAt, "the shared read answered while the exclusive hold was running").toBeUndefined();
    expect(read).toEqual({ value: 5, log: ["h:1"] });

    expect(await hold).toBe(`held ${tag}`);
    const added = await queuedAdd;
    expect(added.value).toBe(6);
    // The add waited for the hold's whole sleep: it was queued behind it, not run beside it.
    expect(added.at - holdIssuedAt).toBeGreaterThanOrEqual(2_500);
    expect(await h.call<CounterView>(`/E2eCounter/${key}/get`)).toEqual({ value: 6, log: ["h:1", "h:2"] });
  });
});
