// The benchmark's handlers on @cairn/sdk: the same code as packages/testkit/services/bench.ts
// (official SDK), under the name CairnBenchGreeter so both run behind one restate-server.
import { endpoint, service, type Context } from "@cairn/sdk";

const greeter = service({
  name: "CairnBenchGreeter",
  handlers: {
    greet: (_ctx: Context, name: string): Promise<string> => Promise.resolve(`Hello, ${name}!`),
    run3: async (ctx: Context, name: string): Promise<string> => {
      const a = await ctx.run("one", () => name.length);
      const b = await ctx.run("two", () => a + 1);
      const c = await ctx.run("three", () => b + 1);
      return `${name}:${c}`;
    },
  },
});

const port = await endpoint().bind(greeter).listen(Number(process.env.CAIRN_SERVICE_PORT ?? "9080"));
process.stdout.write(`READY ${port}\n`);
// Exit normally on SIGTERM so `--cpu-prof` (CAIRN_BENCH_PROF=1) can write its profile.
process.on("SIGTERM", () => process.exit(0));
