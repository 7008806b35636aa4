// Fixtures of the tracing tests (packages/server): TracedOrder.place sleeps, runs a step that
// fails on its first execution and succeeds on the next (a retried attempt), calls
// TracedStock.reserve and sends TracedStock.audit. Each handler reports the `traceparent` the
// server sent with every attempt (the SDK exposes it as ctx.request().attemptHeaders).
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

/** Per invocation id: the traceparent of each attempt, in order (in this process). */
const attemptTraceparents = new Map<string, string[]>();
/** Per invocation id: executions of the flaky step's closure. */
const flakyRuns = new Map<string, number>();

function recordAttempt(ctx: restate.Context): string[] {
  const header = ctx.request().attemptHeaders.get("traceparent");
  const list = attemptTraceparents.get(ctx.request().id) ?? [];
  list.push(typeof header === "string" ? header : "");
  attemptTraceparents.set(ctx.request().id, list);
  return list;
}

export const tracedStock = restate.service({
  name: "TracedStock",
  handlers: {
    reserve: async (ctx: restate.Context, item: string): Promise<{ reserved: string; traceparents: string[] }> => {
      const traceparents = recordAttempt(ctx);
      const reserved = await ctx.run("reserve-item", () => `reserved ${item}`);
      return { reserved, traceparents };
    },
    /** Fails terminally (409), for the failed-invocation metrics. */
    refuse: (_ctx: restate.Context, item: string): Promise<string> => Promise.reject(new restate.TerminalError(`out of ${item}`, { errorCode: 409 })),
    audit: async (ctx: restate.Context, item: string): Promise<void> => {
      recordAttempt(ctx);
      await ctx.run("write-audit", () => `audited ${item}`);
    },
  },
});

export const tracedOrder = restate.service({
  name: "TracedOrder",
  handlers: {
    place: async (ctx: restate.Context, item: string): Promise<{ reserved: string; orderTraceparents: string[]; stockTraceparents: string[] }> => {
      const orderTraceparents = recordAttempt(ctx);
      await ctx.sleep(50);
      await ctx.run("charge-card", () => {
        const n = (flakyRuns.get(ctx.request().id) ?? 0) + 1;
        flakyRuns.set(ctx.request().id, n);
        if (n === 1) throw new Error("card service unavailable");
        return "charged";
      });
      const stock = await ctx.serviceClient(tracedStock).reserve(item);
      ctx.serviceSendClient(tracedStock).audit(item);
      return { reserved: stock.reserved, orderTraceparents, stockTraceparents: stock.traceparents };
    },
  },
});

if (import.meta.main) await serve(tracedOrder, tracedStock);
