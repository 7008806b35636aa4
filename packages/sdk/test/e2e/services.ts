// Services written with @cairn/sdk that exercise every context feature in the end-to-end suite.
import {
  CancelledError,
  handlers,
  object,
  RestatePromise,
  rpc,
  service,
  TerminalError,
  TimeoutError,
  workflow,
  type Context,
  type ObjectContext,
  type ObjectSharedContext,
  type WorkflowContext,
  type WorkflowSharedContext,
} from "@cairn/sdk";

/** Attempts seen by `runRetry`, per key, to check the run retry policy end to end. */
export const runAttempts = new Map<string, number>();

export const mailbox = object({
  name: "Mailbox",
  handlers: {
    put: async (ctx: ObjectContext, value: string): Promise<void> => {
      ctx.set("value", value);
      return Promise.resolve();
    },
    get: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<string | null> => ctx.get<string>("value")),
  },
});

export const counter = object({
  name: "Counter",
  handlers: {
    add: async (ctx: ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    get: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<number> => (await ctx.get<number>("count")) ?? 0),
    keys: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<string[]> => ctx.stateKeys()),
    setMany: async (ctx: ObjectContext, entries: Record<string, number>): Promise<string[]> => {
      for (const [k, v] of Object.entries(entries)) ctx.set(k, v);
      ctx.clear("count");
      return ctx.stateKeys();
    },
    reset: async (ctx: ObjectContext): Promise<string[]> => {
      ctx.clearAll();
      return ctx.stateKeys();
    },
  },
});

export const lazyCounter = object({
  name: "LazyCounter",
  options: { enableLazyState: true },
  handlers: {
    add: async (ctx: ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    keys: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<string[]> => ctx.stateKeys()),
  },
});

export const greeter = service({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    runs: async (ctx: Context, name: string): Promise<string> => {
      const a = await ctx.run("one", () => name.length);
      const b = await ctx.run("two", () => a + 1);
      const c = await ctx.run("three", async () => Promise.resolve(b + 1));
      return `${name}:${c}`;
    },
    failTerminal: (_ctx: Context, code: number): Promise<string> =>
      Promise.reject(new TerminalError("boom", { errorCode: code, metadata: { reason: "test" } })),
    runRetry: async (ctx: Context, key: string): Promise<string> => {
      try {
        await ctx.run(
          "flaky",
          () => {
            runAttempts.set(key, (runAttempts.get(key) ?? 0) + 1);
            throw new Error("still failing");
          },
          { maxRetryAttempts: 3, initialRetryInterval: 10 },
        );
        return "unexpected success";
      } catch (e) {
        return `terminal after ${runAttempts.get(key)}: ${(e as Error).message}`;
      }
    },
    runTerminal: async (ctx: Context): Promise<string> => {
      try {
        await ctx.run("fails", () => {
          throw new TerminalError("no retry", { errorCode: 422 });
        });
        return "unexpected";
      } catch (e) {
        return `${(e as TerminalError).code}:${(e as TerminalError).message}`;
      }
    },
    sleepy: async (ctx: Context, ms: number): Promise<string> => {
      await ctx.sleep(ms);
      return "slept";
    },
    callOther: async (ctx: Context, name: string): Promise<string> => ctx.serviceClient(greeter).greet(name),
    callIdempotent: async (ctx: Context, name: string): Promise<string[]> => {
      const a = await ctx.objectClient(counter, name).add(1, rpc.opts({ idempotencyKey: "same" }));
      const b = await ctx.objectClient(counter, name).add(1, rpc.opts({ idempotencyKey: "same" }));
      return [String(a), String(b)];
    },
    sendDelayed: async (ctx: Context, key: string): Promise<string> => {
      const handle = ctx.objectSendClient(counter, key).add(5, rpc.sendOpts({ delay: 200 }));
      return handle.invocationId;
    },
    deterministic: async (ctx: Context): Promise<boolean> => {
      const r = ctx.rand.random();
      const u = ctx.rand.uuidv4();
      const now = await ctx.date.now();
      const recorded = await ctx.run("record", () => ({ r, u }));
      const r2 = ctx.rand.random();
      const recorded2 = await ctx.run("record2", () => r2);
      return recorded.r === r && recorded.u === u && recorded2 === r2 && typeof now === "number" && /^[0-9a-f-]{36}$/.test(u);
    },
    combinators: async (ctx: Context): Promise<unknown> => {
      const all = await RestatePromise.all([ctx.run("a", () => 1), ctx.sleep(10).map(() => 2)]);
      const race = await RestatePromise.race([ctx.sleep(2_000).map(() => "slow"), ctx.sleep(10).map(() => "fast")]);
      const any = await RestatePromise.any([
        ctx.run("bad", () => {
          throw new TerminalError("x");
        }),
        ctx.run("good", () => "ok"),
      ]);
      const settled = await RestatePromise.allSettled([
        ctx.run("ok", () => 1),
        ctx.run("ko", () => {
          throw new TerminalError("nope");
        }),
      ]);
      let timeout = "none";
      try {
        await ctx.awakeable<string>().promise.orTimeout(50);
      } catch (e) {
        timeout = e instanceof TimeoutError ? `timeout ${e.code}` : `other ${String(e)}`;
      }
      return { all, race, any, settled: settled.map((s) => s.status), timeout };
    },
    request: (ctx: Context): Promise<unknown> => {
      const req = ctx.request();
      return Promise.resolve({ idOk: req.id.startsWith("inv_1"), header: req.headers.get("x-test") ?? null, body: new TextDecoder().decode(req.body) });
    },
    awaitAwakeable: async (ctx: Context, box: string): Promise<string> => {
      const { id, promise } = ctx.awakeable<string>();
      ctx.objectSendClient(mailbox, box).put(id);
      return `got ${await promise}`;
    },
    awaitAwakeableReject: async (ctx: Context, box: string): Promise<string> => {
      const { id, promise } = ctx.awakeable<string>();
      ctx.objectSendClient(mailbox, box).put(id);
      try {
        return await promise;
      } catch (e) {
        return `rejected ${(e as TerminalError).message}`;
      }
    },
    resolveFromCtx: async (ctx: Context, input: { id: string; value: string }): Promise<void> => {
      ctx.resolveAwakeable(input.id, input.value);
      return Promise.resolve();
    },
    longSleep: async (ctx: Context): Promise<string> => {
      await ctx.sleep(3_600_000);
      return "woke";
    },
    parentOfLongSleep: async (ctx: Context, box: string): Promise<string> => {
      const child = ctx.serviceClient(greeter).longSleep();
      ctx.objectSendClient(mailbox, box).put(await child.invocationId);
      try {
        return await child;
      } catch (e) {
        if (e instanceof CancelledError) {
          // Compensation after cancellation still runs durable steps.
          await ctx.run("compensate", () => "undone");
          throw e;
        }
        throw e;
      }
    },
    cancelOther: async (ctx: Context, id: string): Promise<void> => {
      ctx.cancel(id);
      return Promise.resolve();
    },
    attachTo: async (ctx: Context, id: string): Promise<string> => ctx.attach<string>(id),
    outputOf: async (ctx: Context, id: string): Promise<string> => {
      const out = await ctx.invocation(id).output<string>();
      return out === undefined ? "not ready" : `ready: ${out}`;
    },
    waitSignal: async (ctx: Context): Promise<string> => ctx.signal<string>("go"),
    sendSignal: async (ctx: Context, input: { id: string; value: string }): Promise<void> => {
      ctx.invocation(input.id).signal<string>("go").resolve(input.value);
      return Promise.resolve();
    },
  },
});

export const signup = workflow({
  name: "Signup",
  handlers: {
    run: async (ctx: WorkflowContext, email: string): Promise<string> => {
      ctx.set("status", "waiting");
      const code = await ctx.promise<string>("code").get();
      ctx.set("status", "done");
      return `verified ${email} with ${code}`;
    },
    submitCode: async (ctx: WorkflowSharedContext, code: string): Promise<void> => {
      await ctx.promise<string>("code").resolve(code);
    },
    status: async (ctx: WorkflowSharedContext): Promise<string | null> => ctx.get<string>("status"),
    peek: async (ctx: WorkflowSharedContext): Promise<string> => (await ctx.promise<string>("code").peek()) ?? "unset",
  },
});

export const allServices = [greeter, counter, lazyCounter, mailbox, signup];
