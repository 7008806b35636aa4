// The bench handlers written with @cairn/sdk, identical in behaviour to the official-SDK endpoint
// in packages/testkit/services/bench.ts. Run as a script: serves HTTP/2 on CAIRN_SERVICE_PORT and
// prints `READY <port>` once listening.
import * as restate from "@cairn/sdk";

const benchGreeter = restate.service({
  name: "BenchGreeter",
  handlers: {
    greet: (_ctx: restate.Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    run3: async (ctx: restate.Context, name: string): Promise<string> => {
      const a = await ctx.run("one", () => name.length);
      const b = await ctx.run("two", () => a + 1);
      const c = await ctx.run("three", () => b + 1);
      return `${name}:${c}`;
    },
    rpc: async (ctx: restate.Context, name: string): Promise<string> =>
      ctx.genericCall<string, string>({
        service: "BenchGreeter",
        method: "greet",
        parameter: name,
        inputSerde: restate.serde.json,
        outputSerde: restate.serde.json,
      }),
  },
});

const benchCounter = restate.object({
  name: "BenchCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
  },
});

const port = Number(process.env.CAIRN_SERVICE_PORT ?? "9080");
await restate.endpoint().bind(benchGreeter).bind(benchCounter).listen(port);
process.stdout.write(`READY ${port}\n`);
