// Goal: a whole embedded server runs an official-SDK service end to end (register through admin, call and send through ingress) on both ingress implementations; method: startServer on random ports with @cairn/testkit's greeter on Node 24.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { ingressCall, registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { uwsAvailability } from "@cairn/ingress";
import { collectingLogger, postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let greeter: SdkService;
beforeAll(async () => {
  greeter = await startOfficialService("greeter");
}, 60_000);
afterAll(async () => {
  await greeter.close();
  removeTempDirs();
});

const implementations = uwsAvailability().available ? (["uws", "node"] as const) : (["node"] as const);

describe.each(implementations)("server with the %s ingress", (implementation) => {
  let server: CairnServer;
  const { logger, entries } = collectingLogger();

  beforeAll(async () => {
    server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 2, ingressImplementation: implementation, logger });
    await registerDeployment(server.adminUrl, greeter.url, { force: false });
  }, 60_000);
  afterAll(async () => {
    await server.close();
  });

  it("logs what it started with", () => {
    const started = entries.find((e) => e.message === "cairn server started");
    expect(started?.fields).toMatchObject({ ingressImplementation: implementation, partitions: 2, workers: 2, dataDirCreated: true });
    expect(server.ingressImplementation).toBe(implementation);
  });

  it("calls Greeter.greet", async () => {
    const response = await ingressCall(`${server.ingressUrl}/Greeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify("Ada") });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-restate-id")).toMatch(/^inv_1/);
    expect(await response.json()).toBe("Hello, Ada!");
  });

  it("calls Greeter.greetRun (one ctx.run)", async () => {
    const response = await postJson(`${server.ingressUrl}/Greeter/greetRun`, "Bob");
    expect(response.status).toBe(200);
    expect(await response.json()).toBe("Hello, Bob!");
  });

  it("many concurrent calls land on every partition and all answer", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const answers = await Promise.all(names.map(async (name) => (await postJson(`${server.ingressUrl}/Greeter/greet`, name)).json()));
    expect(answers).toEqual(names.map((name) => `Hello, ${name}!`));
  });

  it("sends Greeter.greet: 202 with the invocation id", async () => {
    const response = await postJson(`${server.ingressUrl}/Greeter/greet/send`, "Cy");
    expect(response.status).toBe(202);
    const body = (await response.json()) as { invocationId: string; status: string };
    expect(body.status).toBe("Accepted");
    expect(body.invocationId).toMatch(/^inv_1/);
    expect(response.headers.get("x-restate-id")).toBe(body.invocationId);
  });

  it("output of a finished call reaches its worker: the call's own result, 404 for an unknown id", async () => {
    const call = await postJson(`${server.ingressUrl}/Greeter/greet`, "Di");
    const id = call.headers.get("x-restate-id") ?? "";
    const output = await fetch(`${server.ingressUrl}/restate/invocation/${id}/output`);
    expect(output.status).toBe(200);
    expect(await output.json()).toBe("Hello, Di!");
    const unknown = await fetch(`${server.ingressUrl}/restate/invocation/inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy/output`);
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
  });

  it("answers ingress errors before reaching a worker", async () => {
    expect((await postJson(`${server.ingressUrl}/Nope/greet`, "x")).status).toBe(404);
    expect((await postJson(`${server.ingressUrl}/Greeter/greet?delay=1s`, "x")).status).toBe(400);
    const health = (await (await fetch(`${server.ingressUrl}/restate/health`)).json()) as { services: string[] };
    expect(health.services).toEqual(["Greeter"]);
  });
});
