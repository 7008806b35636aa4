// Goal: Cairn's ingress and admin API answer the same requests with the same statuses, error sources and success bodies as the real restate-server 1.7.12, for one official-SDK deployment; method: both servers started side by side, the same greeter registered on each, a table of requests replayed against both.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { freePort, ingressCall, registerDeployment, startOfficialService, startRestateServer, type RestateServer, type SdkService } from "@cairn/testkit";
import { removeTempDirs, tempDataDir } from "./helpers.js";

let restate: RestateServer;
let cairn: CairnServer;
let greeter: SdkService;

beforeAll(async () => {
  [restate, cairn, greeter] = await Promise.all([
    startRestateServer(),
    startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 1 }),
    startOfficialService("greeter"),
  ]);
  await registerDeployment(restate.adminUrl, greeter.url, { force: false });
  await registerDeployment(cairn.adminUrl, greeter.url, { force: false });
  // restate-server routes a just-registered service after a short delay.
  await (await ingressCall(`${restate.ingressUrl}/Greeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: '"warm"' })).arrayBuffer();
}, 120_000);

afterAll(async () => {
  await Promise.all([restate.close(), cairn.close(), greeter.close()]);
  removeTempDirs();
});

interface Observed {
  status: number;
  source: string | null;
  contentType: string | null;
  body: string;
}

async function observe(base: string, path: string, init: RequestInit): Promise<Observed> {
  const response = await fetch(`${base}${path}`, init);
  return {
    status: response.status,
    source: response.headers.get("x-restate-error-source"),
    contentType: response.headers.get("content-type"),
    body: await response.text(),
  };
}

const json = (body: string, extra: Record<string, string> = {}): RequestInit => ({ method: "POST", headers: { "content-type": "application/json", ...extra }, body });

// [name, path, init, compare bodies]
const ingressCases: [string, string, RequestInit, boolean][] = [
  ["call", "/Greeter/greet", json('"Ada"'), true],
  ["call with charset", "/Greeter/greet", json('"Ada"', { "content-type": "application/json; charset=utf-8" }), true],
  ["call with an empty body", "/Greeter/greet", { method: "POST" }, true],
  ["GET call", "/Greeter/greet", { method: "GET" }, true],
  ["trailing slash", "/Greeter/greet/", json('"Ada"'), true],
  ["ctx.run", "/Greeter/greetRun", json('"Bo"'), true],
  ["body without content-type", "/Greeter/greet", { method: "POST", body: new TextEncoder().encode('"Ada"') }, false],
  ["text/plain body", "/Greeter/greet", json('"Ada"', { "content-type": "text/plain" }), false],
  ["PUT", "/Greeter/greet", { method: "PUT", headers: { "content-type": "application/json" }, body: '"Ada"' }, false],
  ["DELETE", "/Greeter/greet", { method: "DELETE" }, false],
  ["unknown service", "/Nope/greet", json('"Ada"'), false],
  ["unknown handler", "/Greeter/nope", json('"Ada"'), false],
  ["delay on a call", "/Greeter/greet?delay=1s", json('"Ada"'), false],
  ["bad delay", "/Greeter/greet/send?delay=soon", json('"Ada"'), false],
  ["negative delay", "/Greeter/greet/send?delay=-1s", json('"Ada"'), false],
  ["delay in months", "/Greeter/greet/send?delay=1month", json('"Ada"'), false],
  ["delay without unit", "/Greeter/greet/send?delay=1000", json('"Ada"'), false],
  ["extra segments", "/Greeter/greet/x/y", json('"Ada"'), false],
  ["root", "/", { method: "GET" }, false],
  ["one segment", "/Greeter", json('"Ada"'), false],
  ["openapi", "/openapi", { method: "GET" }, false],
  ["unknown /restate route", "/restate/foo", { method: "GET" }, false],
  ["output of a bad invocation id", "/restate/invocation/xyz/output", { method: "GET" }, false],
  ["POST on output", "/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/output", { method: "POST" }, false],
  ["unknown invocation sub-route", "/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/foo", { method: "GET" }, false],
  ["bad awakeable id", "/restate/a/xyz/resolve", json("1"), false],
  ["GET on an awakeable", "/restate/a/sign_1AAECAwQFBgcICQoLDA0ODxAREhMUFRYXAAAAEQ/resolve", { method: "GET" }, false],
  ["unknown awakeable sub-route", "/restate/awakeables/sign_1AAECAwQFBgcICQoLDA0ODxAREhMUFRYXAAAAEQ/foo", json("1"), false],
  ["health", "/restate/health", { method: "GET" }, true],
  ["POST health", "/restate/health", { method: "POST" }, false],
];

describe("ingress parity with restate-server", () => {
  it.each(ingressCases)("%s", async (_name, path, init, compareBodies) => {
    const [theirs, ours] = [await observe(restate.ingressUrl, path, init), await observe(cairn.ingressUrl, path, init)];
    expect({ status: ours.status, source: ours.source }).toEqual({ status: theirs.status, source: theirs.source });
    if (theirs.body.length > 0) expect(ours.contentType).toBe(theirs.contentType);
    if (compareBodies) expect(ours.body).toBe(theirs.body);
    if (theirs.source === "ingress") {
      const [a, b] = [JSON.parse(theirs.body) as Record<string, unknown>, JSON.parse(ours.body) as Record<string, unknown>];
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      expect(b.code).toBe(a.code);
      expect(b.source).toBe(a.source);
    }
  });

  it.each([
    ["send", "/Greeter/greet/send"],
    ["delayed send (friendly)", "/Greeter/greet/send?delay=1h%2030m"],
    ["delayed send (ISO-8601)", "/Greeter/greet/send?delay=PT10S"],
  ])("%s answers 202 with the same fields", async (_name, path) => {
    const [theirs, ours] = [await observe(restate.ingressUrl, path, json('"Ada"')), await observe(cairn.ingressUrl, path, json('"Ada"'))];
    expect(ours.status).toBe(theirs.status);
    const [a, b] = [JSON.parse(theirs.body) as Record<string, string>, JSON.parse(ours.body) as Record<string, string>];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(b.status).toBe(a.status);
    if (a.executionTime !== undefined) {
      // Same delay from "now" on both: the two times differ by the gap between the two requests.
      expect(Math.abs(Date.parse(b.executionTime ?? "") - Date.parse(a.executionTime))).toBeLessThan(5_000);
    }
  });

  it("the same idempotency key gives the same invocation id on each server", async () => {
    const headers = { "idempotency-key": `parity-${Date.now()}` };
    for (const base of [restate.ingressUrl, cairn.ingressUrl]) {
      const first = await fetch(`${base}/Greeter/greet`, json('"Ida"', headers));
      const second = await fetch(`${base}/Greeter/greet`, json('"Ida"', headers));
      expect(first.status).toBe(200);
      expect(second.headers.get("x-restate-id")).toBe(first.headers.get("x-restate-id"));
      await Promise.all([first.arrayBuffer(), second.arrayBuffer()]);
    }
  });
});

describe("admin parity with restate-server", () => {
  const register = (base: string, body: unknown, prefix = "") =>
    observe(base, `${prefix}/deployments`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("registration statuses: again 200, force 200, /v2 201, /v1 400", async () => {
    for (const [body, prefix] of [
      [{ uri: greeter.url }, ""],
      [{ uri: greeter.url, force: true }, ""],
      [{ uri: greeter.url }, "/v2"],
      [{ uri: greeter.url }, "/v1"],
    ] as const) {
      const [theirs, ours] = [await register(restate.adminUrl, body, prefix), await register(cairn.adminUrl, body, prefix)];
      expect({ body, prefix, status: ours.status }).toEqual({ body, prefix, status: theirs.status });
    }
  });

  it("an unreachable deployment is 500 with restate_code META0003 on both", async () => {
    const uri = `http://127.0.0.1:${await freePort()}`;
    const [theirs, ours] = [await register(restate.adminUrl, { uri }), await register(cairn.adminUrl, { uri })];
    expect(ours.status).toBe(theirs.status);
    expect((JSON.parse(ours.body) as { restate_code: string }).restate_code).toBe((JSON.parse(theirs.body) as { restate_code: string }).restate_code);
  });

  it.each([
    ["/services/Nope", 404],
    ["/deployments/dp_11nGQpCRmau6ypL82KH2TnP", 404],
    ["/v3/services", 200],
    ["/v1/services", 400],
    ["/health", 200],
    ["/version", 200],
  ] as const)("GET %s is %i on both", async (path, status) => {
    const [theirs, ours] = [await observe(restate.adminUrl, path, { method: "GET" }), await observe(cairn.adminUrl, path, { method: "GET" })];
    expect(theirs.status).toBe(status);
    expect(ours.status).toBe(status);
  });

  it("shows the service the same way", async () => {
    const pick = (body: string) => {
      const service = JSON.parse(body) as Record<string, unknown> & { handlers: Record<string, unknown>[] };
      return {
        name: service.name,
        ty: service.ty,
        public: service.public,
        idempotency_retention: service.idempotency_retention,
        journal_retention: service.journal_retention,
        inactivity_timeout: service.inactivity_timeout,
        abort_timeout: service.abort_timeout,
        enable_lazy_state: service.enable_lazy_state,
        retry_policy: service.retry_policy,
        handlers: service.handlers.map((h) => ({ ...h })).sort((a, b) => String(a.name).localeCompare(String(b.name))),
      };
    };
    const [theirs, ours] = [await observe(restate.adminUrl, "/services/Greeter", { method: "GET" }), await observe(cairn.adminUrl, "/services/Greeter", { method: "GET" })];
    expect(pick(ours.body)).toEqual(pick(theirs.body));
  });

  it("a service made private with PATCH /services is refused by the ingress on both (runs last: it changes the schema)", async () => {
    for (const server of [restate, cairn]) {
      const patched = await fetch(`${server.adminUrl}/services/Greeter`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ public: false }),
      });
      expect(patched.status).toBe(200);
      expect(((await patched.json()) as { public: boolean }).public).toBe(false);
    }
    // restate-server applies a schema change asynchronously: poll until it shows.
    const deadline = Date.now() + 10_000;
    let theirs = await observe(restate.ingressUrl, "/Greeter/greet", json('"x"'));
    while (theirs.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      theirs = await observe(restate.ingressUrl, "/Greeter/greet", json('"x"'));
    }
    const ours = await observe(cairn.ingressUrl, "/Greeter/greet", json('"x"'));
    expect({ status: ours.status, source: ours.source }).toEqual({ status: theirs.status, source: theirs.source });
    expect(ours.status).toBe(400);
  });
});
