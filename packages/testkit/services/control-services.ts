// Fixtures of the invocation-control scenarios (packages/e2e: cancel-kill, pause-resume,
// error-behaviours, service-options, limits): official-SDK services that block, fail, pause and
// call children, so a test can cancel, kill, pause and resume them through the admin API.
//
// Side effects are appended as JSON lines to the file named by CAIRN_E2E_SIDE_EFFECTS (same
// grammar as e2e-services.ts): SideEffect => `{"kind":string,"tag":string,"step"?:number,"nonce"?:string}\n`.
// `nonce` carries an invocation id or a timestamp where a test needs one.
import { appendFileSync } from "node:fs";
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

function record(kind: string, tag: string, extra: { step?: number; nonce?: string } = {}): void {
  const path = process.env.CAIRN_E2E_SIDE_EFFECTS;
  if (path === undefined || path === "") throw new Error("CAIRN_E2E_SIDE_EFFECTS must name the side-effect log file");
  appendFileSync(path, `${JSON.stringify({ kind, tag, ...extra })}\n`);
}

/** Per-tag state kept in this process (not in the server): attempts and "fixed" flags. */
const attempts = new Map<string, number>();
const fixed = new Set<string>();
function nextAttempt(key: string): number {
  const n = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, n);
  return n;
}

/** A child that waits on an awakeable nobody completes; records its start and its cancellation. */
export const child = restate.service({
  name: "CtlChild",
  handlers: {
    wait: async (ctx: restate.Context, tag: string): Promise<string> => {
      const id = ctx.request().id;
      await ctx.run("started", () => record("childStarted", tag, { nonce: String(id) }));
      try {
        await ctx.awakeable<string>().promise;
      } catch (error) {
        if (error instanceof restate.TerminalError && error.code === 409) await ctx.run("cancelled", () => record("childCancelled", tag));
        throw error;
      }
      return "woken";
    },
  },
});

/** Calls CtlChild.wait and awaits it (cancel propagates to it; kill kills it). */
export const parent = restate.service({
  name: "CtlParent",
  handlers: {
    callChild: async (ctx: restate.Context, tag: string): Promise<string> => {
      await ctx.run("started", () => record("parentStarted", tag, { nonce: String(ctx.request().id) }));
      return ctx.serviceClient(child).wait(tag);
    },
  },
});

/** A virtual object whose `hold` keeps the key's lock until cancelled or killed. */
export const lock = restate.object({
  name: "CtlLock",
  handlers: {
    hold: async (ctx: restate.ObjectContext, tag: string): Promise<string> => {
      await ctx.run("started", () => record("holdStarted", tag));
      await ctx.awakeable<string>().promise;
      return "released";
    },
    quick: async (ctx: restate.ObjectContext, tag: string): Promise<string> => {
      await ctx.run("ran", () => record("quickRan", tag));
      return `quick ${tag}`;
    },
  },
});

/** Fails (retryably) until `fix(tag)` was called; the policy pauses after 3 attempts. */
export const flaky = restate.service({
  name: "CtlFlaky",
  handlers: {
    untilFixed: restate.handlers.handler(
      { retryPolicy: { maxAttempts: 3, initialInterval: 100, maxInterval: 200, onMaxAttempts: "pause" } },
      (_ctx: restate.Context, tag: string): Promise<string> => {
        record("untilFixedAttempt", tag, { step: nextAttempt(`untilFixed:${tag}`) });
        if (!fixed.has(tag)) return Promise.reject(new Error(`not fixed yet: ${tag}`));
        return Promise.resolve(`fixed ${tag}`);
      },
    ),
    /** Always fails; the policy kills it after 2 attempts. */
    killAfterTwo: restate.handlers.handler(
      { retryPolicy: { maxAttempts: 2, initialInterval: 100, onMaxAttempts: "kill" } },
      (_ctx: restate.Context, tag: string): Promise<string> => {
        record("killAfterTwoAttempt", tag, { step: nextAttempt(`killAfterTwo:${tag}`) });
        return Promise.reject(new Error(`always failing ${tag}`));
      },
    ),
    /** Always fails; no policy of its own, so the server's default retry policy applies. */
    alwaysFail: (_ctx: restate.Context, tag: string): Promise<string> => {
      record("alwaysFailAttempt", tag, { step: nextAttempt(`alwaysFail:${tag}`), nonce: String(Date.now()) });
      return Promise.reject(new Error(`always failing ${tag}`));
    },
    fix: (_ctx: restate.Context, tag: string): Promise<string> => {
      fixed.add(tag);
      return Promise.resolve(tag);
    },
  },
});

/** The ErrorMessage behaviours and terminal failures with metadata. */
export const errors = restate.service({
  name: "CtlErrors",
  handlers: {
    terminalMeta: (_ctx: restate.Context, tag: string): Promise<string> =>
      Promise.reject(new restate.TerminalError(`meta ${tag}`, { errorCode: 422, metadata: { tag, kind: "validation" } })),
    /** The first attempt asks to be retried after 1.5 s (next_retry_delay); the second succeeds. */
    retryAfter: (_ctx: restate.Context, tag: string): Promise<string> => {
      const attempt = nextAttempt(`retryAfter:${tag}`);
      record("retryAfterAttempt", tag, { step: attempt, nonce: String(Date.now()) });
      if (attempt === 1) return Promise.reject(new restate.RetryableError(`later ${tag}`, { retryAfter: 1_500 }));
      return Promise.resolve(`retried ${tag}`);
    },
    /** A ctx.run that asks to pause (behavior PAUSE) until `CtlFlaky.fix(tag)`. */
    pauseInRun: async (ctx: restate.Context, tag: string): Promise<string> =>
      ctx.run("maybe-pause", () => {
        record("pauseInRunAttempt", tag, { step: nextAttempt(`pauseInRun:${tag}`) });
        if (!fixed.has(tag)) throw new restate.PauseError(`paused until fixed: ${tag}`);
        return `unpaused ${tag}`;
      }),
    /**
     * Non-deterministic: a run, then a retryable failure; the retry sleeps instead, a journal
     * mismatch (570) on every later attempt. (onJournalMismatchErrors pause/fail need protocol V7:
     * see CtlMismatchV7; this handler keeps the default, retry.)
     */
    mismatch: async (ctx: restate.Context, tag: string): Promise<string> => mismatch(ctx, tag, "mismatch"),
  },
});

/**
 * The same non-deterministic handler with `onJournalMismatchErrors` pause and fail: under
 * protocol V7 the SDK ends the mismatching attempt with ErrorMessage behavior PAUSE or FAIL.
 */
export const mismatchV7 = restate.service({
  name: "CtlMismatchV7",
  handlers: {
    pause: restate.handlers.handler({ onJournalMismatchErrors: "pause" }, async (ctx: restate.Context, tag: string): Promise<string> => mismatch(ctx, tag, "mismatchPause")),
    fail: restate.handlers.handler({ onJournalMismatchErrors: "fail" }, async (ctx: restate.Context, tag: string): Promise<string> => mismatch(ctx, tag, "mismatchFail")),
  },
});

async function mismatch(ctx: restate.Context, tag: string, kind: string): Promise<string> {
  const attempt = nextAttempt(`${kind}:${tag}`);
  record(`${kind}Attempt`, tag, { step: attempt });
  if (attempt === 1) {
    await ctx.run("first", () => "one");
    throw new Error(`retry me ${tag}`);
  }
  await ctx.sleep(1);
  return "unreachable";
}

/**
 * Per-service options of manifest v3/v4: a short inactivity timeout (the SDK suspends while it
 * sleeps, so the handler body runs twice), retentions, a retry policy.
 */
export const options = restate.service({
  name: "CtlOptions",
  options: {
    inactivityTimeout: 500,
    abortTimeout: 30_000,
    journalRetention: 3_600_000,
    idempotencyRetention: 7_200_000,
    retryPolicy: { maxAttempts: 5, initialInterval: 250, maxInterval: 2_000, exponentiationFactor: 3, onMaxAttempts: "kill" },
  },
  handlers: {
    /**
     * Handler-level timeouts: its first ctx.run outlasts inactivity (300 ms) plus abort (500 ms),
     * so the server aborts the attempt and the retry runs the closure again (then it returns at once).
     */
    stuck: restate.handlers.handler({ inactivityTimeout: 300, abortTimeout: 500 }, async (ctx: restate.Context, tag: string): Promise<string> => {
      const result = await ctx.run("slow", async () => {
        const attempt = nextAttempt(`stuck:${tag}`);
        record("stuckRun", tag, { step: attempt });
        if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, 3_000));
        return attempt;
      });
      return `unstuck ${tag} after ${result}`;
    }),
    sleepy: async (ctx: restate.Context, tag: string): Promise<string> => {
      record("sleepyBody", tag);
      await ctx.sleep(1_500);
      return `slept ${tag}`;
    },
  },
});

/** Reachable only from other services (ingressPrivate). */
export const hidden = restate.service({
  name: "CtlPrivate",
  options: { ingressPrivate: true },
  handlers: { hello: (_ctx: restate.Context, name: string): Promise<string> => Promise.resolve(`private hello ${name}`) },
});

export const visible = restate.service({
  name: "CtlPublic",
  handlers: { callPrivate: (ctx: restate.Context, name: string): Promise<string> => ctx.serviceClient(hidden).hello(name) },
});

/** A virtual object with lazy state: no state_map is sent, every read is a lazy GetState. */
export const lazy = restate.object({
  name: "CtlLazy",
  options: { enableLazyState: true },
  handlers: {
    add: async (ctx: restate.ObjectContext, n: number): Promise<number> => {
      const next = ((await ctx.get<number>("n")) ?? 0) + n;
      ctx.set("n", next);
      return next;
    },
  },
});

/** Echoes the size of its input (the limits scenario sends bodies around the 32 MiB limit). */
export const sink = restate.service({
  name: "CtlSink",
  handlers: {
    size: (ctx: restate.Context): Promise<number> => Promise.resolve(ctx.request().body.length),
  },
});

if (import.meta.main) {
  await serve(child, parent, lock, flaky, errors, mismatchV7, options, hidden, visible, lazy, sink);
}
