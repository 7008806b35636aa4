// Goal: where no native uWebSockets.js build loads (the republish has none for Node 24's ABI), `auto` serves on node:http, says why, and answers like on uWS; method: the built package run by @cairn/testkit's real Node 24 binary in a child process.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { node24Path } from "@cairn/testkit";

const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));

const script = `
import { IngressHandler, compileIngressSchema, startIngress, uwsAvailability } from ${JSON.stringify(entry)};
const handler = new IngressHandler({
  schema: compileIngressSchema([{ name: "Greeter", ty: "SERVICE", public: true, handlers: [{ name: "greet", public: true, input: { contentType: "application/json" } }] }]),
  dispatcher: { dispatch: async ({ request }) => ({ kind: "completed", invocationId: request.invocationId, outcome: { value: request.body } }) },
});
const server = await startIngress({ handler, port: 0 });
const health = await fetch("http://127.0.0.1:" + server.port + "/restate/health");
const call = await fetch("http://127.0.0.1:" + server.port + "/Greeter/greet", { method: "POST", headers: { "content-type": "application/json" }, body: '"echo"' });
process.stdout.write(JSON.stringify({
  node: process.version,
  availability: uwsAvailability(),
  implementation: server.implementation,
  fallbackReason: server.fallbackReason,
  health: [health.status, await health.text()],
  call: [call.status, await call.text(), call.headers.get("x-restate-id")],
}));
await server.close();
`;

describe("ingress on a Node without a native uWS build", () => {
  it("falls back to node:http, reports why, and serves the same answers", () => {
    const run = spawnSync(node24Path(), ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      node: string;
      availability: { available: boolean; reason?: string };
      implementation: string;
      fallbackReason?: string;
      health: [number, string];
      call: [number, string, string | null];
    };
    expect(result.node).toMatch(/^v24\./);
    expect(result.availability.available).toBe(false);
    expect(result.implementation).toBe("node");
    expect(result.fallbackReason).toMatch(/no native uWebSockets\.js build loads on Node v24/);
    expect(result.health).toEqual([200, '{"services":["Greeter"]}']);
    expect(result.call[0]).toBe(200);
    expect(result.call[1]).toBe('"echo"');
    expect(result.call[2]).toMatch(/^inv_1/);
  });
});
