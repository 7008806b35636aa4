// Fixtures of the partition-worker tests of attach and signals (packages/partition): a handler
// that awaits an awakeable and publishes its id in a file the test names, handlers that complete
// an awakeable or cancel an invocation from inside a handler (CompleteAwakeable, SendSignal), and
// one that fails terminally.
import { writeFileSync } from "node:fs";
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

export const workerAwakeables = restate.service({
  name: "WorkerAwakeables",
  handlers: {
    /**
     * Creates an awakeable, writes its id to `input.idFile` (on every attempt: the id is the same
     * on replay), and returns what it was resolved with; a rejection fails the invocation.
     */
    await: async (ctx: restate.Context, input: { idFile: string }): Promise<string> => {
      const awakeable = ctx.awakeable<string>();
      writeFileSync(input.idFile, awakeable.id);
      const value = await awakeable.promise;
      return `resolved: ${value}`;
    },
    /** Resolves an awakeable by id from inside a handler (CompleteAwakeableCommand). */
    resolve: async (ctx: restate.Context, input: { id: string; value: string }): Promise<string> => {
      ctx.resolveAwakeable(input.id, input.value);
      return Promise.resolve("done");
    },
    /** Rejects an awakeable by id from inside a handler. */
    reject: async (ctx: restate.Context, input: { id: string; reason: string }): Promise<string> => {
      ctx.rejectAwakeable(input.id, input.reason);
      return Promise.resolve("done");
    },
    /** Writes its own invocation id to `input.idFile`, then awaits the named signal `input.name`. */
    awaitNamed: async (ctx: restate.Context, input: { idFile: string; name: string }): Promise<string> => {
      writeFileSync(input.idFile, ctx.request().id);
      const value = await ctx.signal<string>(input.name);
      return `signalled: ${value}`;
    },
    /** Resolves the named signal of another invocation (SendSignalCommand with a name). */
    signalNamed: async (ctx: restate.Context, input: { invocationId: string; name: string; value: string }): Promise<string> => {
      ctx.invocation(restate.InvocationIdParser.fromString(input.invocationId)).signal<string>(input.name).resolve(input.value);
      return Promise.resolve("done");
    },
    /** Cancels another invocation (SendSignalCommand idx 1). */
    cancel: async (ctx: restate.Context, invocationId: string): Promise<string> => {
      ctx.invocation(restate.InvocationIdParser.fromString(invocationId)).cancel();
      return Promise.resolve("done");
    },
    /** Fails terminally with code 418. */
    fail: async (_ctx: restate.Context, message: string): Promise<string> =>
      Promise.reject(new restate.TerminalError(message, { errorCode: 418 })),
  },
});

if (import.meta.main) await serve(workerAwakeables);
