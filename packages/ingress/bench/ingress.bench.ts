// Goal: the ingress's own cost per request, apart from the partitions: the core (prepare + execute,
// no sockets) and a keep-alive HTTP round trip on each implementation; method: vitest bench with an
// instant dispatcher (no worker), so only routing, validation, id minting and HTTP remain.
import { Agent, request } from "node:http";
import { afterAll, bench, describe } from "vitest";
import { compileIngressSchema, IngressHandler, startIngress, type IngressServer } from "@cairn/ingress";

const schema = compileIngressSchema([
  { name: "Greeter", ty: "SERVICE", public: true, handlers: [{ name: "greet", public: true, input: { contentType: "application/json" } }] },
  { name: "Counter", ty: "VIRTUAL_OBJECT", public: true, handlers: [{ name: "add", ty: "EXCLUSIVE", public: true, input: { contentType: "application/json" } }] },
]);
const output = new TextEncoder().encode('"Hello, Ada!"');
const input = new TextEncoder().encode('"Ada"');
const handler = new IngressHandler({
  schema,
  dispatcher: { dispatch: ({ request: invoke }) => Promise.resolve({ kind: "completed", invocationId: invoke.invocationId, outcome: { value: output } }) },
});
const headers: [string, string][] = [
  ["host", "127.0.0.1"],
  ["content-type", "application/json"],
  ["content-length", "5"],
  ["user-agent", "bench"],
];

async function core(path: string): Promise<void> {
  const prepared = handler.prepare({ method: "POST", path, query: "", headers });
  if (prepared.kind !== "read-body") throw new Error("not admitted");
  const response = await handler.execute(prepared.request, input);
  if (response.status !== 200) throw new Error(`status ${response.status}`);
}

describe("core (no sockets)", () => {
  bench("call a plain service", () => core("/Greeter/greet"));
  bench("call a keyed object (xxh3 of the key)", () => core("/Counter/key-1/add"));
});

// Started at load: vitest bench does not run beforeAll hooks before the tasks of a describe.
const servers: Record<"uws" | "node", IngressServer> = {
  uws: await startIngress({ handler, port: 0, implementation: "uws" }),
  node: await startIngress({ handler, port: 0, implementation: "node" }),
};
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(async () => {
  agent.destroy();
  await Promise.all([servers.uws.close(), servers.node.close()]);
});

function roundTrip(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/Greeter/greet", method: "POST", agent, headers: { "content-type": "application/json", "content-length": "5" } }, (res) => {
      res.resume();
      res.once("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.once("error", reject);
    req.end(input);
  });
}

describe("HTTP round trip, keep-alive, one connection", () => {
  bench("uWebSockets.js", () => roundTrip(servers.uws.port));
  bench("node:http", () => roundTrip(servers.node.port));
});
