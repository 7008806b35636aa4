// Fixtures of the end-to-end compatibility suite (packages/e2e): official-SDK services whose
// behaviour the suite checks on the real restate-server and on cairn-server alike.
//
// Side effects that must be counted OUTSIDE the server (ctx.run executions, handler attempts)
// are appended as JSON lines to the file named by CAIRN_E2E_SIDE_EFFECTS, one synchronous
// append per effect, so the file order is the order in which they happened in this process.
// Line grammar: SideEffect => `{"kind":string,"tag":string,"step"?:number,"nonce"?:string}\n`
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

function sideEffectsPath(): string {
  const path = process.env.CAIRN_E2E_SIDE_EFFECTS;
  if (path === undefined || path === "") throw new Error("CAIRN_E2E_SIDE_EFFECTS must name the side-effect log file");
  return path;
}

interface SideEffect {
  kind: string;
  tag: string;
  step?: number;
  nonce?: string;
}

function record(effect: SideEffect): void {
  appendFileSync(sideEffectsPath(), `${JSON.stringify(effect)}\n`);
}

/** Attempts per tag, kept in this process (not in the server) for the retry fixtures. */
const attempts = new Map<string, number>();
function nextAttempt(key: string): number {
  const n = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, n);
  return n;
}

// --- 1. Basics --------------------------------------------------------------------------------

export const greeter = restate.service({
  name: "E2eGreeter",
  handlers: {
    greet: (_ctx: restate.Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    /** One ctx.run that records its execution under `tag`. */
    greetRun: async (ctx: restate.Context, input: { name: string; tag: string }): Promise<string> =>
      ctx.run("compose", () => {
        record({ kind: "greetRun", tag: input.tag });
        return `Hello, ${input.name}!`;
      }),
    fail: (_ctx: restate.Context, message: string): Promise<string> =>
      Promise.reject(new restate.TerminalError(message, { errorCode: 418 })),
  },
});

// --- 2. Counter virtual object ----------------------------------------------------------------

export interface AddInput {
  n: number;
  /** Identifies the add in the order log: `${client}:${seq}`. */
  client: string;
  seq: number;
}

export interface CounterView {
  value: number;
  log: string[];
}

export const counter = restate.object({
  name: "E2eCounter",
  handlers: {
    /** Exclusive: adds n and appends `client:seq` to the order log; returns the new value. */
    add: async (ctx: restate.ObjectContext, input: AddInput): Promise<number> => {
      const value = (await ctx.get<number>("value")) ?? 0;
      const log = (await ctx.get<string[]>("log")) ?? [];
      const next = value + input.n;
      log.push(`${input.client}:${input.seq}`);
      ctx.set("value", next);
      ctx.set("log", log);
      return next;
    },
    get: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<CounterView> => ({
        value: (await ctx.get<number>("value")) ?? 0,
        log: (await ctx.get<string[]>("log")) ?? [],
      }),
    ),
    /** Exclusive: records that it holds the key, then keeps it for `ms` (a durable sleep). */
    hold: async (ctx: restate.ObjectContext, input: { ms: number; tag: string }): Promise<string> => {
      await ctx.run("mark", () => record({ kind: "hold", tag: input.tag }));
      await ctx.sleep(input.ms);
      return `held ${input.tag}`;
    },
  },
});

// --- 3. State, eager and lazy -----------------------------------------------------------------

export type StateOp =
  | { op: "set"; key: string; value: unknown }
  | { op: "get"; key: string }
  | { op: "clear"; key: string }
  | { op: "clearAll" }
  | { op: "keys" };

async function applyOps(ctx: restate.ObjectContext, ops: StateOp[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const op of ops) {
    switch (op.op) {
      case "set":
        ctx.set(op.key, op.value);
        results.push(null);
        break;
      case "get":
        results.push((await ctx.get(op.key)) ?? null);
        break;
      case "clear":
        ctx.clear(op.key);
        results.push(null);
        break;
      case "clearAll":
        ctx.clearAll();
        results.push(null);
        break;
      case "keys":
        results.push([...(await ctx.stateKeys())].sort());
        break;
    }
  }
  return results;
}

async function snapshot(ctx: restate.ObjectSharedContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of [...(await ctx.stateKeys())].sort()) out[key] = await ctx.get(key);
  return out;
}

export const stateObject = restate.object({
  name: "E2eState",
  handlers: {
    apply: (ctx: restate.ObjectContext, ops: StateOp[]): Promise<unknown[]> => applyOps(ctx, ops),
    applyLazy: restate.handlers.object.exclusive({ enableLazyState: true }, (ctx: restate.ObjectContext, ops: StateOp[]) =>
      applyOps(ctx, ops),
    ),
    snapshot: restate.handlers.object.shared((ctx: restate.ObjectSharedContext) => snapshot(ctx)),
    snapshotLazy: restate.handlers.object.shared({ enableLazyState: true }, (ctx: restate.ObjectSharedContext) =>
      snapshot(ctx),
    ),
  },
});

// --- 4. Sleep ---------------------------------------------------------------------------------

export const sleeper = restate.service({
  name: "E2eSleeper",
  handlers: {
    sleep: async (ctx: restate.Context, ms: number): Promise<number> => {
      await ctx.sleep(ms);
      return ms;
    },
    /** Records "before", sleeps `ms`, records "after": the file shows when the sleep ended. */
    sleepMarked: async (ctx: restate.Context, input: { tag: string; ms: number }): Promise<string> => {
      await ctx.run("before", () => record({ kind: "sleep-before", tag: input.tag }));
      await ctx.sleep(input.ms);
      await ctx.run("after", () => record({ kind: "sleep-after", tag: input.tag }));
      return `woke ${input.tag}`;
    },
  },
});

// --- 5. Calls and sends -----------------------------------------------------------------------

export const callee = restate.object({
  name: "E2eCallee",
  handlers: {
    greet: async (ctx: restate.ObjectContext, name: string): Promise<string> => {
      const calls = ((await ctx.get<number>("calls")) ?? 0) + 1;
      ctx.set("calls", calls);
      return `${ctx.key} greets ${name} (#${calls})`;
    },
  },
});

export const caller = restate.object({
  name: "E2eCaller",
  handlers: {
    /** Calls E2eCallee/{calleeKey}/greet and reports both invocation ids (for partition checks). */
    callObject: async (
      ctx: restate.ObjectContext,
      input: { calleeKey: string; name: string },
    ): Promise<{ greeting: string; callerId: string; calleeId: string }> => {
      const call = ctx.objectClient(callee, input.calleeKey).greet(input.name);
      const calleeId = await call.invocationId;
      const greeting = await call;
      return { greeting, callerId: ctx.request().id, calleeId };
    },
    /** Calls the plain E2eGreeter service. */
    callService: (ctx: restate.ObjectContext, name: string): Promise<string> => ctx.serviceClient(greeter).greet(name),
    /** One-way send of E2eCounter/{counterKey}/add with a delay; returns the send's invocation id. */
    sendAdd: async (
      ctx: restate.ObjectContext,
      input: { counterKey: string; add: AddInput; delayMs: number },
    ): Promise<{ sendId: string }> => {
      const handle = ctx
        .objectSendClient(counter, input.counterKey)
        .add(input.add, restate.rpc.sendOpts({ delay: input.delayMs }));
      return { sendId: await handle.invocationId };
    },
  },
});

// --- 6. Retries -------------------------------------------------------------------------------

export const flaky = restate.service({
  name: "E2eFlaky",
  // A faster policy than the server default (500 ms ×2) keeps the retry tests short; it travels
  // through the discovery manifest (v4 retryPolicy*), so the server must honour it.
  options: { retryPolicy: { initialInterval: 100, exponentiationFactor: 2, maxInterval: 1_000 } },
  handlers: {
    /** Throws a retryable error on its first two attempts, succeeds on the third. */
    failTwice: (_ctx: restate.Context, tag: string): Promise<number> => {
      const attempt = nextAttempt(`failTwice:${tag}`);
      record({ kind: "failTwice", tag, step: attempt });
      if (attempt < 3) return Promise.reject(new Error(`transient failure ${attempt}`));
      return Promise.resolve(attempt);
    },
    /**
     * A ctx.run whose closure fails twice then returns; then a second ctx.run that fails once,
     * so the handler is retried after the first run's result is journaled (it must be replayed,
     * not run again).
     */
    runFailTwice: async (ctx: restate.Context, tag: string): Promise<number> => {
      const value = await ctx.run("flaky", () => {
        const attempt = nextAttempt(`runFailTwice:${tag}`);
        record({ kind: "runFailTwice", tag, step: attempt });
        if (attempt < 3) throw new Error(`transient run failure ${attempt}`);
        return attempt;
      });
      await ctx.run("after", () => {
        const attempt = nextAttempt(`runAfter:${tag}`);
        record({ kind: "runAfter", tag, step: attempt });
        if (attempt < 2) throw new Error("transient failure after the first run");
      });
      return value;
    },
    /** A ctx.run that throws a TerminalError: never retried, the invocation fails with 422. */
    runTerminal: async (ctx: restate.Context, tag: string): Promise<string> =>
      ctx.run("terminal", (): string => {
        record({ kind: "runTerminal", tag });
        throw new restate.TerminalError(`refused ${tag}`, { errorCode: 422 });
      }),
    /** A ctx.run that always fails, with at most 3 attempts: the SDK then gives up terminally. */
    runExhaust: async (ctx: restate.Context, tag: string): Promise<string> =>
      ctx.run(
        "exhaust",
        (): string => {
          record({ kind: "runExhaust", tag });
          throw new Error(`always failing ${tag}`);
        },
        { maxRetryAttempts: 3, initialRetryInterval: 10 },
      ),
  },
});

// --- 7. Crash recovery ------------------------------------------------------------------------

export interface Run3View {
  nonces: string[];
  completions: number;
}

async function run3View(ctx: restate.ObjectSharedContext): Promise<Run3View | null> {
  const nonces = await ctx.get<string[]>("nonces");
  if (nonces === null) return null;
  return { nonces, completions: (await ctx.get<number>("completions")) ?? 0 };
}

export const run3 = restate.object({
  name: "E2eRun3",
  handlers: {
    /**
     * Three ctx.run steps; each records (key, step, nonce) when it executes and returns its nonce,
     * so a step that ran again after its result was journaled shows up as a later line whose
     * nonce is not the journaled one.
     */
    run: async (ctx: restate.ObjectContext): Promise<Run3View> => {
      const nonces: string[] = [];
      for (const step of [1, 2, 3]) {
        nonces.push(
          await ctx.run(`step-${step}`, () => {
            const nonce = randomUUID();
            record({ kind: "run3", tag: ctx.key, step, nonce });
            return nonce;
          }),
        );
      }
      const completions = ((await ctx.get<number>("completions")) ?? 0) + 1;
      ctx.set("completions", completions);
      ctx.set("nonces", nonces);
      return { nonces, completions };
    },
    /** Shared read of the recorded result (null before the first run completed). */
    result: restate.handlers.object.shared((ctx: restate.ObjectSharedContext) => run3View(ctx)),
    /** The same read as an exclusive handler: it answers only after every run queued before it. */
    settle: (ctx: restate.ObjectContext): Promise<Run3View | null> => run3View(ctx),
  },
});

// --- Beyond the server's first issue: awakeables, workflows ----------------------------------

export const awaiter = restate.service({
  name: "E2eAwaiter",
  handlers: {
    /** Publishes an awakeable id (side-effect log, `nonce` = the id) and returns what resolves it. */
    awaitExternal: async (ctx: restate.Context, tag: string): Promise<string> => {
      const { id, promise } = ctx.awakeable<string>();
      await ctx.run("publish", () => record({ kind: "awakeable", tag, nonce: id }));
      return `got ${await promise}`;
    },
  },
});

export const approval = restate.workflow({
  name: "E2eApproval",
  handlers: {
    /** Waits for the durable promise "decision", records it in state, returns it. */
    run: async (ctx: restate.WorkflowContext, request: string): Promise<string> => {
      ctx.set("status", "waiting");
      const decision = await ctx.promise<string>("decision");
      ctx.set("status", `decided ${decision}`);
      return `${request}: ${decision}`;
    },
    decide: async (ctx: restate.WorkflowSharedContext, decision: string): Promise<void> => {
      await ctx.promise<string>("decision").resolve(decision);
    },
    status: async (ctx: restate.WorkflowSharedContext): Promise<string | null> => ctx.get<string>("status"),
  },
});

if (import.meta.main) {
  sideEffectsPath(); // fail at start, not at the first side effect
  await serve(greeter, counter, stateObject, sleeper, callee, caller, flaky, run3, awaiter, approval);
}
