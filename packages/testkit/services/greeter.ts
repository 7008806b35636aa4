// Greeter: a plain service with a handler that records nothing and one that records one ctx.run.
import * as restate from "@restatedev/restate-sdk";
import { serve } from "./serve.ts";

export const greeter = restate.service({
  name: "Greeter",
  handlers: {
    greet: (_ctx: restate.Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    greetRun: async (ctx: restate.Context, name: string): Promise<string> =>
      ctx.run("compose", () => `Hello, ${name}!`),
  },
});

if (import.meta.main) await serve(greeter);
