// Goal: the admin API registers real official-SDK deployments (HTTP/2 and HTTP/1.1) and answers like restate-server 1.7 (statuses, bodies, Location, /v2–/v4), persists the metadata across restarts and tells listeners before answering; method: @cairn/testkit's official-SDK services on Node 24, the admin over loopback HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin, startAdminServer, type AdminServer, type SchemaChange } from "@cairn/admin";
import { freePort, startOfficialService, type SdkService } from "@cairn/testkit";

const defaults = {
  inactivityTimeoutMs: 60_000,
  abortTimeoutMs: 600_000,
  retryPolicy: { initialIntervalMs: 500, exponentiationFactor: 2, maxIntervalMs: 60_000, maxAttempts: 70, onMaxAttempts: "PAUSE" as const },
};

interface ErrorBody {
  message: string;
  restate_code: string | null;
}

let dir: string;
let admin: Admin;
let server: AdminServer;
let url: string;
let greeterH2: SdkService;
let greeterH1: SdkService;
const changes: SchemaChange[] = [];

async function open(): Promise<void> {
  admin = await Admin.open({
    metadataDir: join(dir, "metadata"),
    defaults,
    onSchemaChange: async (change) => {
      // Slow on purpose: the admin call must not answer before this resolves (A2).
      await new Promise((r) => setTimeout(r, 100));
      changes.push(change);
    },
  });
  server = await startAdminServer(admin, { port: 0, serverVersion: "0.1.0", ingressUrl: "http://127.0.0.1:8080/" });
  url = `http://127.0.0.1:${server.port}`;
}

async function register(body: unknown, prefix = ""): Promise<Response> {
  return fetch(`${url}${prefix}/deployments`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function errorOf(response: Response): Promise<ErrorBody> {
  expect(response.headers.get("content-type")).toBe("application/json");
  return (await response.json()) as ErrorBody;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-admin-"));
  [greeterH2, greeterH1] = await Promise.all([startOfficialService("greeter"), startOfficialService("greeter", { http1: true })]);
  await open();
}, 90_000);

afterAll(async () => {
  await server.close();
  await Promise.all([greeterH2.close(), greeterH1.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("admin API against official-SDK deployments", () => {
  let h2Id = "";

  it("GET /health and /version", async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("");
    const version = await fetch(`${url}/version`);
    expect(await version.json()).toEqual({
      version: "0.1.0",
      min_admin_api_version: 2,
      max_admin_api_version: 4,
      ingress_endpoint: "http://127.0.0.1:8080/",
      features: {},
    });
  });

  it("registers an HTTP/2 deployment: 201, Location, the services, and the workers' snapshot before answering", async () => {
    const before = changes.length;
    const response = await register({ uri: greeterH2.url });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; services: { name: string; ty: string; revision: number; handlers: { name: string; input_description: string }[] }[]; min_protocol_version: number; max_protocol_version: number; sdk_version: string };
    h2Id = body.id;
    expect(body.id).toMatch(/^dp_1[0-9a-zA-Z]{22}$/);
    expect(response.headers.get("location")).toBe(`deployments/${body.id}`);
    expect(body.min_protocol_version).toBe(5);
    expect(body.max_protocol_version).toBe(7);
    expect(body.sdk_version).toMatch(/^restate-sdk-typescript\/1\.17\./);
    expect(body.services).toHaveLength(1);
    expect(body.services[0]).toMatchObject({ name: "Greeter", ty: "Service", revision: 1, deployment_id: body.id, public: true, inactivity_timeout: "1m", abort_timeout: "10m", idempotency_retention: "1d" });
    expect(body.services[0]?.handlers.map((h) => h.name).sort()).toEqual(["greet", "greetRun"]);
    expect(body.services[0]?.handlers[0]?.input_description).toBe("application/json");

    expect(changes.length).toBe(before + 1);
    const snapshot = changes.at(-1)?.snapshot;
    expect(snapshot?.version).toBe(admin.snapshot.version);
    expect(snapshot?.services.Greeter).toMatchObject({ deploymentId: body.id, revision: 1, ty: "SERVICE" });
    expect(snapshot?.deployments[body.id]).toEqual({
      id: body.id,
      uri: greeterH2.url,
      useHttp11: false,
      additionalHeaders: {},
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
    });
    expect(changes.at(-1)?.services.map((s) => s.name)).toEqual(["Greeter"]);
  });

  it("registering the same URI again is 200 with the same id; force keeps it; /v2 answers 201", async () => {
    const version = admin.snapshot.version;
    let response = await register({ uri: greeterH2.url });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(h2Id);
    response = await register({ uri: greeterH2.url, force: true });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(h2Id);
    response = await register({ uri: greeterH2.url }, "/v2");
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe(`deployments/${h2Id}`);
    await response.arrayBuffer();
    expect(admin.snapshot.version).toBe(version);
  });

  it("registers an HTTP/1.1 deployment with use_http_11 as request/response, at the next revision", async () => {
    const response = await register({ uri: greeterH1.url, use_http_11: true });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const detail = (await (await fetch(`${url}/deployments/${id}`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ id, uri: `${greeterH1.url}/`, protocol_type: "RequestResponse", http_version: "HTTP/1.1" });
    expect((detail.services as { name: string; revision: number }[])[0]).toMatchObject({ name: "Greeter", revision: 2, deployment_id: id });
    const service = (await (await fetch(`${url}/services/Greeter`)).json()) as { revision: number; deployment_id: string };
    expect(service).toMatchObject({ revision: 2, deployment_id: id });
    expect(admin.snapshot.deployments[id]?.useHttp11).toBe(true);
    expect(admin.snapshot.services.Greeter?.deploymentId).toBe(id);
  });

  it("an HTTP/1.1-only endpoint registered over HTTP/2 fails with a clear error", async () => {
    const port = greeterH1.port;
    const response = await register({ uri: `http://localhost:${port}` });
    expect(response.status).toBe(500);
    const body = await errorOf(response);
    expect(body.restate_code).toBe("META0003");
    expect(body.message).toMatch(/use_http_11/);
  });

  it("an unreachable deployment fails with META0003 naming the cause", async () => {
    const port = await freePort();
    const response = await register({ uri: `http://127.0.0.1:${port}` });
    expect(response.status).toBe(500);
    const body = await errorOf(response);
    expect(body.restate_code).toBe("META0003");
    expect(body.message).toMatch(/ECONNREFUSED/);
  });

  it("bad requests are 400 (501 for Lambda) with a JSON error", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /uri/],
      [{ uri: "not a uri" }, 400, /invalid uri/],
      [{ uri: "ftp://example.com" }, 400, /scheme/],
      [{ uri: greeterH2.url, use_http_11: "yes" }, 400, /use_http_11/],
      [{ uri: greeterH2.url, additional_headers: { a: 1 } }, 400, /additional_headers/],
      [{ arn: "arn:aws:lambda:eu-central-1:1:function:f:1" }, 501, /Lambda/],
      [[1, 2], 400, /object/],
    ];
    for (const [body, status, message] of cases) {
      const response = await register(body);
      expect(response.status).toBe(status);
      const error = await errorOf(response);
      expect(error.message).toMatch(message);
      expect(error.restate_code).toBeNull();
    }
    const malformed = await fetch(`${url}/deployments`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).message).toMatch(/JSON/);
  });

  it("lists deployments, services and handlers; unknown ones are 404", async () => {
    const list = (await (await fetch(`${url}/deployments`)).json()) as { deployments: { id: string; services: { name: string; revision: number }[] }[] };
    expect(list.deployments.map((d) => d.id)).toContain(h2Id);
    expect(list.deployments.find((d) => d.id === h2Id)?.services).toEqual([{ name: "Greeter", revision: 1 }]);
    const services = (await (await fetch(`${url}/services`)).json()) as { services: { name: string }[] };
    expect(services.services.map((s) => s.name)).toEqual(["Greeter"]);
    const handlers = (await (await fetch(`${url}/services/Greeter/handlers`)).json()) as { handlers: { name: string }[] };
    expect(handlers.handlers.map((h) => h.name).sort()).toEqual(["greet", "greetRun"]);
    const greet = (await (await fetch(`${url}/services/Greeter/handlers/greet`)).json()) as { name: string; public: boolean };
    expect(greet).toMatchObject({ name: "greet", public: true });
    for (const path of ["/services/Nope", "/services/Greeter/handlers/nope", "/deployments/dp_11nGQpCRmau6ypL82KH2TnP", "/nothing"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).restate_code).toBeNull();
    }
  });

  it("serves every route under /v2, /v3 and /v4; /v1 is 400", async () => {
    const plain = await (await fetch(`${url}/services`)).json();
    for (const prefix of ["/v2", "/v3", "/v4"]) expect(await (await fetch(`${url}${prefix}/services`)).json()).toEqual(plain);
    const v1 = await fetch(`${url}/v1/services`);
    expect(v1.status).toBe(400);
    expect((await errorOf(v1)).message).toMatch(/Unsupported Admin API version V1/);
    expect((await fetch(`${url}/v5/services`)).status).toBe(404);
  });

  it("answers 405 with Allow for a wrong method and 501 for routes not served yet (or hooks not given)", async () => {
    const wrong = await fetch(`${url}/services`, { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    await wrong.arrayBuffer();
    const later = await fetch(`${url}/invocations/inv_1abc/cancel`, { method: "PATCH" });
    expect(later.status).toBe(501);
    await later.arrayBuffer();
    // This server was started without the SQL and state hooks (startServer gives them).
    const query = await fetch(`${url}/query`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "SELECT 1" }) });
    expect(query.status).toBe(501);
    expect((await errorOf(query)).message).toMatch(/SQL introspection/);
  });

  it("a dry run answers like the registration but changes nothing", async () => {
    const version = admin.snapshot.version;
    const port = await freePort();
    const bench = await startOfficialService("bench", { port });
    try {
      const response = await register({ uri: bench.url, dry_run: true });
      expect(response.status).toBe(201);
      await response.arrayBuffer();
      expect(admin.snapshot.version).toBe(version);
      expect(Object.keys(admin.snapshot.services)).toEqual(["Greeter"]);
    } finally {
      await bench.close();
    }
  });

  it("other services at a registered URI conflict (409) until forced, which bumps revisions and drops what is gone", async () => {
    const port = await freePort();
    const bench = await startOfficialService("bench", { port });
    let id: string;
    try {
      const response = await register({ uri: bench.url });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { id: string; services: { name: string; ty: string; handlers: { name: string; ty?: string }[] }[] };
      id = body.id;
      const counter = body.services.find((s) => s.name === "BenchCounter");
      expect(counter?.ty).toBe("VirtualObject");
      expect(counter?.handlers.every((h) => h.ty === "Exclusive" || h.ty === "Shared")).toBe(true);
    } finally {
      await bench.close();
    }
    const greeter = await startOfficialService("greeter", { port });
    try {
      const conflict = await register({ uri: greeter.url });
      expect(conflict.status).toBe(409);
      expect((await errorOf(conflict)).message).toMatch(/force/);
      const forced = await register({ uri: greeter.url, force: true });
      expect(forced.status).toBe(200);
      const body = (await forced.json()) as { id: string; services: { name: string; revision: number }[] };
      expect(body.id).toBe(id);
      expect(body.services.map((s) => [s.name, s.revision])).toEqual([["Greeter", 3]]);
      expect(Object.keys(admin.snapshot.services).sort()).toEqual(["Greeter"]);
    } finally {
      await greeter.close();
    }
  });

  it("removes a deployment with DELETE ?force=true; without force only one no service points at (else 409)", async () => {
    const list = (await (await fetch(`${url}/deployments`)).json()) as { deployments: { id: string }[] };
    const count = list.deployments.length;
    const latest = admin.state.services.Greeter?.deploymentId ?? "";
    const refused = await fetch(`${url}/deployments/${latest}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/force=true/);
    const removed = await fetch(`${url}/deployments/${h2Id}?force=true`, { method: "DELETE" });
    expect(removed.status).toBe(202);
    const after = (await (await fetch(`${url}/deployments`)).json()) as { deployments: { id: string }[] };
    expect(after.deployments).toHaveLength(count - 1);
    expect((await fetch(`${url}/deployments/${h2Id}`)).status).toBe(404);
  });

  it("PATCH /services/{name} makes a service private (snapshot and ingress view too); other fields are 501", async () => {
    const before = admin.snapshot.version;
    const patch = (name: string, body: unknown) =>
      fetch(`${url}/services/${name}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    let response = await patch("Greeter", { public: false });
    expect(response.status).toBe(200);
    const view = (await response.json()) as { public: boolean; handlers: { public: boolean }[] };
    expect(view.public).toBe(false);
    expect(view.handlers.every((h) => !h.public)).toBe(true);
    expect(admin.snapshot.version).toBe(before + 1);
    expect(admin.snapshot.services.Greeter?.public).toBe(false);
    expect(Object.values(admin.snapshot.services.Greeter?.handlers ?? {}).every((h) => !h.public)).toBe(true);
    expect(admin.services.find((s) => s.name === "Greeter")?.public).toBe(false);
    expect(changes.at(-1)?.snapshot.version).toBe(before + 1);
    expect(((await (await fetch(`${url}/services/Greeter`)).json()) as { public: boolean }).public).toBe(false);

    response = await patch("Greeter", {});
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(admin.snapshot.version).toBe(before + 1);
    expect((await patch("Greeter", { public: "no" })).status).toBe(400);
    const unsupported = await patch("Greeter", { inactivity_timeout: "30s" });
    expect(unsupported.status).toBe(501);
    expect((await errorOf(unsupported)).message).toMatch(/inactivity_timeout/);
    expect((await patch("Nope", { public: true })).status).toBe(404);
  });

  it("reloads the metadata after a restart", async () => {
    const state = admin.state;
    const snapshot = admin.snapshot;
    const services = await (await fetch(`${url}/services`)).json();
    const deployments = await (await fetch(`${url}/deployments`)).json();
    await server.close();
    await open();
    expect(admin.state).toEqual(state);
    expect(admin.snapshot.services.Greeter?.public).toBe(false);
    expect(admin.snapshot).toEqual(snapshot);
    expect(await (await fetch(`${url}/services`)).json()).toEqual(services);
    expect(await (await fetch(`${url}/deployments`)).json()).toEqual(deployments);
  });
});
