// Fixtures of the partition-worker tests (packages/partition): a counter virtual object, a
// sleeper, a caller that calls and sends across services, and handlers that fail their first
// attempts. Attempt counts live in this process, so a test can read how often a step really ran.
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

/** Executions per tag in this process (handler attempts, ctx.run closure runs). */
const executions = new Map<string, number>();
function countExecution(tag: string): number {
  const n = (executions.get(tag) ?? 0) + 1;
  executions.set(tag, n);
  return n;
}

export const workerCounter = restate.object({
  name: "WorkerCounter",
  handlers: {
    /** Exclusive: read, add, write back; returns the new count. */
    add: async (ctx: restate.ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    /** Exclusive with a durable sleep between the read and the write: overlapping runs would lose updates. */
    addSlow: async (ctx: restate.ObjectContext, input: { delta: number; sleepMs: number; tag: string }): Promise<number> => {
      const current = (await ctx.get<number>("count")) ?? 0;
      const order = (await ctx.get<string[]>("order")) ?? [];
      await ctx.sleep(input.sleepMs);
      ctx.set("count", current + input.delta);
      ctx.set("order", [...order, input.tag]);
      return current + input.delta;
    },
    order: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<string[]> => (await ctx.get<string[]>("order")) ?? []),
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<number> => (await ctx.get<number>("count")) ?? 0),
    keys: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<string[]> => ctx.stateKeys()),
    reset: async (ctx: restate.ObjectContext): Promise<void> => {
      ctx.clearAll();
      return Promise.resolve();
    },
  },
});

export const workerSleeper = restate.service({
  name: "WorkerSleeper",
  handlers: {
    sleep: async (ctx: restate.Context, ms: number): Promise<string> => {
      await ctx.sleep(ms);
      return `slept ${ms}`;
    },
  },
});

export const workerCaller = restate.service({
  name: "WorkerCaller",
  handlers: {
    /** Request-response call to WorkerCounter/{key}.add. */
    callAdd: async (ctx: restate.Context, input: { key: string; delta: number }): Promise<number> =>
      ctx.objectClient(workerCounter, input.key).add(input.delta),
    /** One-way send to WorkerCounter/{key}.add, optionally delayed. */
    sendAdd: async (ctx: restate.Context, input: { key: string; delta: number; delayMs?: number }): Promise<string> => {
      const client = ctx.objectSendClient(workerCounter, input.key);
      const handle =
        input.delayMs === undefined ? client.add(input.delta) : client.add(input.delta, restate.rpc.sendOpts({ delay: input.delayMs }));
      return handle.invocationId;
    },
    /** A call to a plain service (callee on a partition derived from the caller). */
    callGreet: async (ctx: restate.Context, name: string): Promise<string> => ctx.serviceClient(workerSleeper).sleep(1).then(() => `called ${name}`),
  },
});

export const workerFlaky = restate.service({
  name: "WorkerFlaky",
  handlers: {
    /** Throws a retryable error on its first `times` attempts, then returns the attempt number. */
    failTimes: async (_ctx: restate.Context, input: { tag: string; times: number }): Promise<number> => {
      const attempt = countExecution(input.tag);
      if (attempt <= input.times) throw new Error(`attempt ${attempt} fails on purpose`);
      return Promise.resolve(attempt);
    },
    /**
     * A ctx.run that always fails, with an SDK-side retry limit: the SDK gives up (terminal failure)
     * only if the server reports retry_count_since_last_stored_entry accurately.
     */
    runRetries: async (ctx: restate.Context, input: { tag: string; maxRetryAttempts: number }): Promise<string> => {
      try {
        await ctx.run(
          "always fails",
          () => {
            countExecution(input.tag);
            throw new Error("run failed");
          },
          { maxRetryAttempts: input.maxRetryAttempts, initialRetryInterval: 10 },
        );
        return "unexpected success";
      } catch (error) {
        if (error instanceof restate.TerminalError) return `gave up: ${error.message}`;
        throw error;
      }
    },
    /** How many times `tag` executed in this process. */
    executions: async (_ctx: restate.Context, tag: string): Promise<number> => Promise.resolve(executions.get(tag) ?? 0),
  },
});

if (import.meta.main) await serve(workerCounter, workerSleeper, workerCaller, workerFlaky);
