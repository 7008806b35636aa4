// Goal: crash recovery under concurrent load (scenario 7) — after SIGKILL and a restart on the
// same data directory, every acknowledged result is kept, no journaled ctx.run step runs again,
// counter state equals the adds that were applied (all acknowledged ones, no duplicates), and no
// accepted invocation is lost or completed twice; method: concurrent clients drive E2eCounter
// adds and E2eRun3 three-step runs (by call and by send), the server is killed at a random
// moment, and the results are checked against the side-effect log kept outside the server.
//
// What Restate guarantees, and so what is asserted:
// - a response received before the kill is final: its invocation's output is the same afterwards;
// - a send answered 202 is durable: the invocation completes after the restart;
// - a ctx.run step may run again if the crash hit before its result was journaled, never after:
//   for each step the execution whose result was journaled is its last one, and a step starts
//   only after the previous step's result was journaled;
// - an invocation whose response never arrived may or may not have happened, but at most once.
import { expect, it } from "vitest";
import type { SideEffect } from "@cairn/e2e";
import { describeTargets, requestTimeoutMs, sleep, uniqueTag, useServices, type Harness } from "./support/suite.js";

/** Kill/restart rounds; each runs load until a random moment in the kill window. */
const rounds = 2;
const clientsPerRound = 6;
const counterKeys = 3;
const killWindowMs = { min: 800, max: 2_500 };
/** Bound on the operations one client issues in one round (bounds the verification work). */
const opsPerClientMax = 200;
/** Parallel requests during verification. */
const verifyConcurrency = 8;

interface Run3View {
  nonces: string[];
  completions: number;
}

interface CounterView {
  value: number;
  log: string[];
}

type Outcome =
  /** A call's response arrived. */
  | "answered"
  /** A send was accepted (202). */
  | "accepted"
  /** The server answered 429/503 before accepting (allowed under load; treated as unknown). */
  | "rejected"
  /** No answer: the kill hit the request. */
  | "unknown";

interface AddOp {
  readonly kind: "add";
  readonly via: "call" | "send";
  readonly round: number;
  readonly client: string;
  readonly seq: number;
  readonly key: string;
  readonly n: number;
  outcome: Outcome;
  id?: string;
  value?: number;
}

interface Run3Op {
  readonly kind: "run3";
  readonly via: "call" | "send";
  readonly round: number;
  readonly key: string;
  outcome: Outcome;
  id?: string;
  result?: Run3View;
}

type Op = AddOp | Run3Op;

/** Small seeded PRNG (mulberry32), so a failing run can be replayed with CAIRN_E2E_SEED. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
}

/** Classifies a non-success answer: 429/503 are load shedding, anything else fails the test. */
function refused(op: Op, response: Response, text: string): void {
  if (response.status === 429 || response.status === 503) {
    op.outcome = "rejected";
    return;
  }
  throw new Error(`unexpected ${response.status} for ${op.kind}/${op.via} ${op.key}: ${text}`);
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await task(item);
      }
    }),
  );
}

interface LoadContext {
  readonly ingressUrl: string;
  readonly round: number;
  readonly prefix: string;
  readonly keys: readonly string[];
  readonly random: () => number;
  readonly ops: Op[];
  readonly stopped: () => boolean;
}

async function clientLoop(load: LoadContext, clientIndex: number): Promise<void> {
  const client = `r${load.round}c${clientIndex}`;
  for (let seq = 1; seq <= opsPerClientMax && !load.stopped(); seq++) {
    const pick = load.random();
    let op: Op;
    if (pick < 0.5) {
      op = {
        kind: "add",
        via: pick < 0.3 ? "call" : "send",
        round: load.round,
        client,
        seq,
        key: load.keys[Math.floor(load.random() * load.keys.length)] ?? "",
        n: 1 + Math.floor(load.random() * 9),
        outcome: "unknown",
      };
    } else {
      op = { kind: "run3", via: pick < 0.8 ? "call" : "send", round: load.round, key: `${load.prefix}-run-${client}-${seq}`, outcome: "unknown" };
    }
    load.ops.push(op);
    try {
      await issue(load.ingressUrl, op);
    } catch (error) {
      // The kill broke this request: its outcome stays unknown. Anything else is a failure.
      if (load.stopped()) return;
      throw error;
    }
    if (op.outcome === "rejected") await sleep(20);
  }
}

async function issue(ingressUrl: string, op: Op): Promise<void> {
  const path = op.kind === "add" ? `/E2eCounter/${op.key}/add` : `/E2eRun3/${op.key}/run`;
  const input = op.kind === "add" ? { n: op.n, client: op.client, seq: op.seq } : undefined;
  if (op.via === "call") {
    const response = await post(`${ingressUrl}${path}`, input ?? null);
    const text = await response.text();
    if (response.status !== 200) return refused(op, response, text);
    const id = response.headers.get("x-restate-id");
    if (id === null) throw new Error(`no x-restate-id on the answer to ${op.kind} ${op.key}`);
    op.id = id;
    op.outcome = "answered";
    if (op.kind === "add") op.value = JSON.parse(text) as number;
    else op.result = JSON.parse(text) as Run3View;
    return;
  }
  const response = await post(`${ingressUrl}${path}/send`, input ?? null);
  const text = await response.text();
  if (response.status !== 202) return refused(op, response, text);
  op.id = (JSON.parse(text) as { invocationId: string }).invocationId;
  op.outcome = "accepted";
}

const services = useServices();

describeTargets("crash recovery", services, (h: Harness) => {
  /** What the load test recorded, for the by-id test after it. */
  let recorded: { ops: Op[]; valueAfter: Map<string, number>; views: Map<string, Run3View> } | undefined;

  it("keeps acknowledged state and journaled steps across SIGKILLs under load, losing nothing accepted", async () => {
    const seed = Number(process.env.CAIRN_E2E_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = prng(seed);
    const prefix = uniqueTag("crash");
    const keys = Array.from({ length: counterKeys }, (_, i) => `${prefix}-counter-${i}`);
    const ops: Op[] = [];
    /** Side-effect log size right after each round's kill: lines below it happened before. */
    const killOffsets: number[] = [];

    for (let round = 0; round < rounds; round++) {
      let stopped = false;
      const load: LoadContext = { ingressUrl: h.endpoints().ingressUrl, round, prefix, keys, random, ops, stopped: () => stopped };
      const failures: unknown[] = [];
      const clients = Array.from({ length: clientsPerRound }, (_, c) =>
        clientLoop(load, c).catch((error: unknown) => {
          failures.push(error);
        }),
      );
      const killAfterMs = killWindowMs.min + Math.floor(random() * (killWindowMs.max - killWindowMs.min));
      await sleep(killAfterMs);
      stopped = true;
      await h.target.kill("SIGKILL");
      killOffsets.push(services.sideEffectLogSize());
      await Promise.all(clients);
      expect(failures, "client errors before the kill").toEqual([]);
      const mine = ops.filter((op) => op.round === round);
      console.log(
        `[${h.name}] seed ${seed} round ${round}: killed after ${killAfterMs} ms; ${mine.length} ops:`,
        ["answered", "accepted", "rejected", "unknown"].map((o) => `${o} ${mine.filter((op) => op.outcome === o).length}`).join(", "),
      );
      expect(mine.filter((op) => op.outcome === "answered").length, `round ${round} did some work`).toBeGreaterThan(0);
      await h.target.restart();
    }

    // 1. Counters: an exclusive barrier add queues behind every add that was durably accepted,
    //    so the state read after it is final.
    const adds = ops.filter((op): op is AddOp => op.kind === "add");
    /** The counter's value right after each applied add (`client:seq`). */
    const valueAfter = new Map<string, number>();
    for (const key of keys) {
      await h.call(`/E2eCounter/${key}/add`, { n: 0, client: "barrier", seq: 1 });
      const view = await h.call<CounterView>(`/E2eCounter/${key}/get`);
      expect(view.log.at(-1)).toBe("barrier:1");
      const log = view.log.slice(0, -1);
      expect(new Set(log).size, `no add applied twice on ${key}`).toBe(log.length);
      const issued = new Map(adds.filter((op) => op.key === key).map((op) => [`${op.client}:${op.seq}`, op]));
      let value = 0;
      const lastSeqOfClient = new Map<string, number>();
      for (const entry of log) {
        const op = issued.get(entry);
        expect(op, `log entry ${entry} on ${key} was issued`).toBeDefined();
        if (op === undefined) continue;
        value += op.n;
        valueAfter.set(entry, value);
        if (op.value !== undefined) expect(op.value, `value returned by ${entry}`).toBe(value);
        expect(op.seq, `${op.client} applied in issue order`).toBeGreaterThan(lastSeqOfClient.get(op.client) ?? 0);
        lastSeqOfClient.set(op.client, op.seq);
      }
      expect(view.value, `counter ${key} equals the sum of the applied adds`).toBe(value);
      for (const op of issued.values()) {
        if (op.outcome === "answered" || op.outcome === "accepted") {
          expect(log, `acknowledged add ${op.client}:${op.seq} is applied`).toContain(`${op.client}:${op.seq}`);
        }
      }
    }

    // 2. Run3: steps against the side-effect log.
    const effects = new Map<string, SideEffect[]>();
    for (const effect of services.sideEffects()) {
      if (effect.kind !== "run3") continue;
      const list = effects.get(effect.tag) ?? [];
      list.push(effect);
      effects.set(effect.tag, list);
    }
    const runs = ops.filter((op): op is Run3Op => op.kind === "run3");
    const views = new Map<string, Run3View>();
    await forEachLimited(runs, verifyConcurrency, async (op) => {
      const view = await h.call<Run3View | null>(`/E2eRun3/${op.key}/settle`);
      if (view !== null) views.set(op.key, view);
      const lines = effects.get(op.key) ?? [];
      if (op.outcome === "answered" || op.outcome === "accepted") expect(view, `acknowledged run ${op.key} completed`).not.toBeNull();
      if (view === null) {
        // Never durably accepted: then no step of it can have run.
        expect(lines, `run ${op.key} ran steps but was lost`).toEqual([]);
        return;
      }
      expect(view.completions, `run ${op.key} completed once`).toBe(1);
      if (op.result !== undefined) expect(view, `run ${op.key} kept its result`).toEqual(op.result);
      let previousJournaledAt = -1;
      for (const step of [1, 2, 3]) {
        const executions = lines.filter((line) => line.step === step);
        const last = executions.at(-1);
        expect(last?.nonce, `run ${op.key} step ${step}: the journaled execution is the last one`).toBe(view.nonces[step - 1]);
        expect(executions[0]?.offset ?? -1, `run ${op.key} step ${step} started after step ${step - 1} was journaled`).toBeGreaterThan(
          previousJournaledAt,
        );
        previousJournaledAt = last?.offset ?? Number.POSITIVE_INFINITY;
      }
      if (op.outcome === "answered") {
        const killOffset = killOffsets[op.round] ?? 0;
        const late = lines.filter((line) => line.offset >= killOffset);
        expect(late, `run ${op.key} was answered before the kill: nothing of it ran again`).toEqual([]);
      }
    });
    recorded = { ops, valueAfter, views };
  }, 240_000);

  it("answers the same result by id for every invocation answered before a kill, and completes every accepted send", async () => {
    if (recorded === undefined) throw new Error("the load test above did not record its operations");
    const { ops, valueAfter, views } = recorded;
    await forEachLimited(
      ops.filter((op) => op.id !== undefined),
      verifyConcurrency,
      async (op) => {
        const path = op.outcome === "answered" ? "output" : "attach";
        const reply = await h.request(`/restate/invocation/${op.id}/${path}`);
        expect(reply.status, `${path} of ${op.kind}/${op.via} ${op.id} (${op.outcome})`).toBe(200);
        const expected = op.kind === "add" ? valueAfter.get(`${op.client}:${op.seq}`) : views.get(op.key);
        expect(reply.json(), `result of ${op.kind}/${op.via} ${op.id}`).toEqual(expected);
      },
    );
  }, 120_000);
});
