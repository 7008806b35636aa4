// Fixtures of the end-to-end suite for workflows, durable promises, idempotency keys and attach
// (packages/e2e: workflows, idempotency and attach-output tests), served like e2e-services.ts.
//
// Side effects that must be counted outside the server (runs of a workflow, executions of an
// idempotent handler) are appended as JSON lines to the file named by CAIRN_E2E_SIDE_EFFECTS.
// Line grammar: SideEffect => `{"kind":string,"tag":string}\n`
import { appendFileSync } from "node:fs";
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

function sideEffectsPath(): string {
  const path = process.env.CAIRN_E2E_SIDE_EFFECTS;
  if (path === undefined || path === "") throw new Error("CAIRN_E2E_SIDE_EFFECTS must name the side-effect log file");
  return path;
}

function record(kind: string, tag: string): void {
  appendFileSync(sideEffectsPath(), `${JSON.stringify({ kind, tag })}\n`);
}

function describeError(error: unknown): string {
  if (error instanceof restate.TerminalError) return `${error.code} ${error.message}`;
  throw error;
}

// --- Workflows and durable promises -------------------------------------------------------------

/** Waits for the durable promise "approval"; shared handlers resolve, reject and peek it. */
export const wfOrder = restate.workflow({
  name: "WfOrder",
  handlers: {
    run: async (ctx: restate.WorkflowContext, item: string): Promise<string> => {
      await ctx.run("start", () => record("wf-run", ctx.key));
      const before = await ctx.promise<string>("approval").peek();
      ctx.set("peekBefore", before ?? "none");
      ctx.set("status", "waiting");
      try {
        const approval = await ctx.promise<string>("approval");
        ctx.set("status", `approved ${approval}`);
        return `${item}: ${approval}`;
      } catch (error) {
        ctx.set("status", `rejected ${describeError(error)}`);
        throw error;
      }
    },
    approve: async (ctx: restate.WorkflowSharedContext, who: string): Promise<string> => {
      try {
        await ctx.promise<string>("approval").resolve(who);
        return "resolved";
      } catch (error) {
        return describeError(error);
      }
    },
    reject: async (ctx: restate.WorkflowSharedContext, reason: string): Promise<string> => {
      try {
        // The SDK's durable-promise reject takes the failure message, not an Error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        await ctx.promise<string>("approval").reject(reason);
        return "rejected";
      } catch (error) {
        return describeError(error);
      }
    },
    peek: async (ctx: restate.WorkflowSharedContext): Promise<string> => (await ctx.promise<string>("approval").peek()) ?? "none",
    status: async (ctx: restate.WorkflowSharedContext): Promise<string | null> => ctx.get<string>("status"),
    peekBefore: async (ctx: restate.WorkflowSharedContext): Promise<string | null> => ctx.get<string>("peekBefore"),
    /** Blocks on the promise from a shared handler (get), as `run` does. */
    awaitApproval: async (ctx: restate.WorkflowSharedContext): Promise<string> => ctx.promise<string>("approval"),
  },
});

/** Completes at once; its result and state are kept for 2 s only, then cleaned up. */
export const wfShort = restate.workflow({
  name: "WfShort",
  handlers: {
    run: async (ctx: restate.WorkflowContext, item: string): Promise<string> => {
      await ctx.run("start", () => record("wf-short-run", ctx.key));
      ctx.set("item", item);
      return `done ${item}`;
    },
    item: async (ctx: restate.WorkflowSharedContext): Promise<string | null> => ctx.get<string>("item"),
  },
  options: { workflowRetention: 2_000 },
});

// --- Idempotency --------------------------------------------------------------------------------

/** `work` records each execution and takes a moment, so a duplicate can arrive while it runs. */
export const idem = restate.service({
  name: "IdemService",
  handlers: {
    work: async (ctx: restate.Context, input: { tag: string; sleepMs?: number }): Promise<string> => {
      await ctx.run("work", () => record("idem-work", input.tag));
      if (input.sleepMs !== undefined) await ctx.sleep(input.sleepMs);
      return `worked ${input.tag}`;
    },
    short: restate.handlers.handler(
      { idempotencyRetention: 2_000 },
      async (ctx: restate.Context, tag: string): Promise<string> => {
        await ctx.run("short", () => record("idem-short", tag));
        return `short ${tag}`;
      },
    ),
  },
});

/** A virtual object handler with idempotency keys (keyed attach/output routes). */
export const idemObject = restate.object({
  name: "IdemObject",
  handlers: {
    bump: async (ctx: restate.ObjectContext, tag: string): Promise<number> => {
      await ctx.run("bump", () => record("idem-bump", tag));
      const next = ((await ctx.get<number>("n")) ?? 0) + 1;
      ctx.set("n", next);
      return next;
    },
  },
});

/** Calls, sends and attaches from inside a handler. */
export const idemCaller = restate.service({
  name: "IdemCaller",
  handlers: {
    /** The same idempotent call twice: one execution, the same result and invocation id. */
    callTwice: async (ctx: restate.Context, tag: string): Promise<{ results: string[]; ids: string[] }> => {
      const client = ctx.serviceClient(idem);
      const first = client.work({ tag, sleepMs: 200 }, restate.rpc.opts({ idempotencyKey: tag }));
      const second = client.work({ tag, sleepMs: 200 }, restate.rpc.opts({ idempotencyKey: tag }));
      const ids = [await first.invocationId, await second.invocationId];
      const results = [await first, await second];
      return { results, ids };
    },
    /** The same idempotent send twice: one execution, the same invocation id. */
    sendTwice: async (ctx: restate.Context, tag: string): Promise<string[]> => {
      const client = ctx.serviceSendClient(idem);
      const first = client.work({ tag }, restate.rpc.sendOpts({ idempotencyKey: tag }));
      const second = client.work({ tag }, restate.rpc.sendOpts({ idempotencyKey: tag }));
      return [await first.invocationId, await second.invocationId];
    },
    /** Attaches to any invocation by id and returns its result (or the failure as text). */
    attach: async (ctx: restate.Context, invocationId: string): Promise<string> => {
      try {
        return JSON.stringify(await ctx.invocation(restate.InvocationIdParser.fromString(invocationId)).attach<unknown>());
      } catch (error) {
        return describeError(error);
      }
    },
    /** Starts a WfShort run from a handler twice: the second call fails with 409. */
    runWorkflowTwice: async (ctx: restate.Context, key: string): Promise<string[]> => {
      const answers: string[] = [];
      for (let i = 0; i < 2; i++) {
        try {
          answers.push(await ctx.workflowClient(wfShort, key).run(`from-handler-${i}`));
        } catch (error) {
          answers.push(describeError(error));
        }
      }
      return answers;
    },
  },
});

if (import.meta.main) {
  sideEffectsPath(); // fail at start, not at the first side effect
  await serve(wfOrder, wfShort, idem, idemObject, idemCaller);
}
