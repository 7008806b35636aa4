// Handlers of the side-by-side load benchmark (bench/): the same endpoint is registered with
// cairn-server and with the real restate-server, so both run identical official-SDK code.
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

export const benchGreeter = restate.service({
  name: "BenchGreeter",
  handlers: {
    /** No journal entries beyond Input and Output. */
    greet: (_ctx: restate.Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    /** Three recorded ctx.run steps. */
    run3: async (ctx: restate.Context, name: string): Promise<string> => {
      const a = await ctx.run("one", () => name.length);
      const b = await ctx.run("two", () => a + 1);
      const c = await ctx.run("three", () => b + 1);
      return `${name}:${c}`;
    },
    /** A request-response call to another service. */
    rpc: async (ctx: restate.Context, name: string): Promise<string> =>
      ctx.serviceClient(benchGreeter).greet(name),
  },
});

export const benchCounter = restate.object({
  name: "BenchCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
  },
});

if (import.meta.main) await serve(benchGreeter, benchCounter);
