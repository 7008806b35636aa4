// Goal: the admin routes beyond registration answer like restate-server's with their status codes: state replace through the owning partition (202/400/404/409), service and admin OpenAPI documents, handler views, PATCH and DELETE of deployments; method: startServer with official-SDK services over loopback, state checked through SQL and through the SDK itself.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateVersion } from "@cairn/partition";
import { startServer, type CairnServer } from "@cairn/server";
import { ingressCall, registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let server: CairnServer;
let e2e: SdkService;
let e2eDeployment: string;
const work = mkdtempSync(join(tmpdir(), "cairn-admin-routes-"));

async function call(path: string, body: unknown): Promise<Response> {
  return ingressCall(`${server.ingressUrl}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function setState(service: string, body: unknown, prefix = ""): Promise<Response> {
  return postJson(`${server.adminUrl}${prefix}/services/${service}/state`, body);
}

async function messageOf(response: Response): Promise<string> {
  return ((await response.json()) as { message: string }).message;
}

const bytes = (value: unknown): number[] => [...Buffer.from(JSON.stringify(value))];

beforeAll(async () => {
  e2e = await startOfficialService("e2e-services", { http1: true, env: { CAIRN_E2E_SIDE_EFFECTS: join(work, "effects.jsonl") } });
  server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 1 });
  e2eDeployment = ((await registerDeployment(server.adminUrl, e2e.url, { useHttp11: true })) as { id: string }).id;
}, 90_000);

afterAll(async () => {
  await server?.close();
  await e2e?.close();
  removeTempDirs();
});

describe("POST /services/{name}/state", () => {
  it("replaces an object's whole state through its partition (202); the SDK and SQL see the new state", async () => {
    expect((await call("E2eState/o1/apply", [{ op: "set", key: "old", value: 1 }, { op: "set", key: "keep", value: "x" }])).status).toBe(200);
    const response = await setState("E2eState", { object_key: "o1", new_state: { keep: bytes("y"), fresh: bytes({ a: 1 }) } });
    expect(response.status).toBe(202);
    await response.arrayBuffer();
    const snapshot = await call("E2eState/o1/snapshot", null);
    expect(await snapshot.json()).toEqual({ fresh: { a: 1 }, keep: "y" });
    const query = await postJson(`${server.adminUrl}/query`, { query: "SELECT key, value_utf8 FROM state WHERE service_key = 'o1' ORDER BY key" }, { accept: "application/json" });
    expect(await query.json()).toEqual({ rows: [{ key: "fresh", value_utf8: '{"a":1}' }, { key: "keep", value_utf8: '"y"' }] });
  });

  it("checks the caller's version (Restate's state version): the current one applies, a stale one is 409", async () => {
    const current = stateVersion([
      { key: Buffer.from("fresh"), value: Buffer.from('{"a":1}') },
      { key: Buffer.from("keep"), value: Buffer.from('"y"') },
    ]);
    const stale = await setState("E2eState", { object_key: "o1", version: "AAAA", new_state: {} }, "/v2");
    expect(stale.status).toBe(409);
    expect(await messageOf(stale)).toMatch(/changed since version AAAA/);
    const applied = await setState("E2eState", { object_key: "o1", version: current, new_state: { only: bytes(3) } }, "/v4");
    expect(applied.status).toBe(202);
    await applied.arrayBuffer();
    expect(await (await call("E2eState/o1/snapshot", null)).json()).toEqual({ only: 3 });
  });

  it("is 409 while an invocation holds the key, 400 for a plain service or a bad body, 404 for an unknown service", async () => {
    const held = await ingressCall(`${server.ingressUrl}/E2eCounter/busy/hold/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ms: 600_000, tag: "t" }) });
    expect(held.status).toBe(202);
    const id = ((await held.json()) as { invocationId: string }).invocationId;
    let conflict: Response | undefined;
    for (let i = 0; i < 100; i++) {
      conflict = await setState("E2eCounter", { object_key: "busy", new_state: { value: bytes(1) } });
      if (conflict.status === 409) break;
      await conflict.arrayBuffer();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(conflict?.status).toBe(409);
    expect(await messageOf(conflict as Response)).toContain(id);
    const plain = await setState("E2eGreeter", { object_key: "k", new_state: {} });
    expect(plain.status).toBe(400);
    expect(await messageOf(plain)).toMatch(/not a virtual object or workflow/);
    for (const body of [{ new_state: {} }, { object_key: "k" }, { object_key: "k", new_state: { a: [256] } }, { object_key: "k", new_state: { a: "text" } }, [1]]) {
      const bad = await setState("E2eState", body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      await bad.arrayBuffer();
    }
    const unknown = await setState("Nope", { object_key: "k", new_state: {} });
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
  });
});

describe("OpenAPI and handlers", () => {
  it("GET /services/{name}/openapi is an OpenAPI 3.1 document of the service's ingress paths with the handlers' JSON schemas", async () => {
    const response = await fetch(`${server.adminUrl}/services/E2eCounter/openapi`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; info: { title: string }; paths: Record<string, { post: { parameters: { name: string }[]; requestBody?: unknown } }> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("E2eCounter");
    expect(Object.keys(doc.paths).sort()).toEqual(["/E2eCounter/{key}/add", "/E2eCounter/{key}/add/send", "/E2eCounter/{key}/get", "/E2eCounter/{key}/get/send", "/E2eCounter/{key}/hold", "/E2eCounter/{key}/hold/send"]);
    expect(doc.paths["/E2eCounter/{key}/add"]?.post.parameters.map((p) => p.name)).toContain("key");
    const greeter = (await (await fetch(`${server.adminUrl}/v3/services/E2eGreeter/openapi`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(greeter.paths)).toContain("/E2eGreeter/greet");
    const unknown = await fetch(`${server.adminUrl}/services/Nope/openapi`);
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
  });

  it("GET /openapi describes the admin API itself, on every prefix", async () => {
    for (const prefix of ["", "/v2", "/v4"]) {
      const response = await fetch(`${server.adminUrl}${prefix}/openapi`);
      expect(response.status).toBe(200);
      const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/deployments", "/deployments/{deployment}", "/services/{service}/state", "/query"]));
      expect(Object.keys(doc.paths["/deployments/{deployment}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    }
  });

  it("GET /services/{name}/handlers and /handlers/{handler}: 200 with HandlerMetadata, 404 for unknown ones", async () => {
    const list = (await (await fetch(`${server.adminUrl}/services/E2eCounter/handlers`)).json()) as { handlers: { name: string; ty: string }[] };
    expect(list.handlers.map((h) => [h.name, h.ty]).sort()).toEqual([["add", "Exclusive"], ["get", "Shared"], ["hold", "Exclusive"]]);
    const one = await fetch(`${server.adminUrl}/v2/services/E2eCounter/handlers/get`);
    expect(((await one.json()) as { name: string; ty: string }).ty).toBe("Shared");
    for (const path of ["/services/E2eCounter/handlers/nope", "/services/Nope/handlers"]) {
      const missing = await fetch(`${server.adminUrl}${path}`);
      expect(missing.status, path).toBe(404);
      await missing.arrayBuffer();
    }
  });
});

describe("PATCH and DELETE /deployments/{id}", () => {
  it("PATCH moves a deployment to a new address after discovery there (200); other services 400, a taken URI 409, unknown 404", async () => {
    const first = await startOfficialService("greeter");
    let second: SdkService | undefined;
    try {
      const id = ((await registerDeployment(server.adminUrl, first.url)) as { id: string }).id;
      second = await startOfficialService("greeter", { http1: true });
      const moved = await fetch(`${server.adminUrl}/deployments/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ uri: second.url, use_http_11: true }) });
      expect(moved.status).toBe(200);
      const body = (await moved.json()) as { id: string; uri: string; http_version: string; services: { name: string }[] };
      expect(body).toMatchObject({ id, http_version: "HTTP/1.1" });
      expect(body.uri.replace(/\/$/, "")).toBe(second.url.replace(/\/$/, ""));
      await first.close();
      const greeted = await call("Greeter/greet", "Ada");
      expect(greeted.status).toBe(200);
      const other = await fetch(`${server.adminUrl}/deployments/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ uri: e2e.url, use_http_11: true }) });
      expect(other.status).toBe(409);
      expect(await messageOf(other)).toContain(e2eDeployment);
      const unknown = await fetch(`${server.adminUrl}/deployments/dp_nope`, { method: "PATCH", headers: { "content-type": "application/json" }, body: "{}" });
      expect(unknown.status).toBe(404);
      await unknown.arrayBuffer();

      // DELETE: 409 while Greeter still points at the deployment, unless force=true.
      for (const query of ["", "?force=false"]) {
        const refused = await fetch(`${server.adminUrl}/deployments/${id}${query}`, { method: "DELETE" });
        expect(refused.status, query).toBe(409);
        expect(await messageOf(refused)).toMatch(/'Greeter'.*force=true/);
      }
      const removed = await fetch(`${server.adminUrl}/v3/deployments/${id}?force=true`, { method: "DELETE" });
      expect(removed.status).toBe(202);
      await removed.arrayBuffer();
      expect((await fetch(`${server.adminUrl}/services/Greeter`)).status).toBe(404);
      const gone = await fetch(`${server.adminUrl}/deployments/${id}`, { method: "DELETE" });
      expect(gone.status).toBe(404);
      await gone.arrayBuffer();
    } finally {
      await first.close();
      await second?.close();
    }
  }, 60_000);

  it("PATCH to an endpoint that serves other services is 400 and changes nothing", async () => {
    const greeter = await startOfficialService("greeter", { http1: true });
    try {
      const response = await fetch(`${server.adminUrl}/deployments/${e2eDeployment}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ uri: greeter.url }) });
      expect(response.status).toBe(400);
      expect(await messageOf(response)).toMatch(/same services/);
      const after = (await (await fetch(`${server.adminUrl}/deployments/${e2eDeployment}`)).json()) as { uri: string };
      expect(after.uri.replace(/\/$/, "")).toBe(e2e.url.replace(/\/$/, ""));
    } finally {
      await greeter.close();
    }
  }, 60_000);
});
