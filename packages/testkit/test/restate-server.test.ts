// Goal: the testkit starts the real restate-server and official-SDK services and they talk;
// method: register the Greeter fixture over HTTP/2 and HTTP/1.1 and call it through the ingress.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ingressCall,
  registerDeployment,
  startOfficialService,
  startRestateServer,
  type RestateServer,
  type SdkService,
} from "@cairn/testkit";

describe("real restate-server with official-SDK services", () => {
  let server: RestateServer;
  const services: SdkService[] = [];

  beforeAll(async () => {
    server = await startRestateServer();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    await server.close();
  });

  it("runs a greeting handler and a ctx.run handler over HTTP/2", async () => {
    const service = await startOfficialService("greeter");
    services.push(service);
    const registered = (await registerDeployment(server.adminUrl, service.url)) as { services: { name: string }[] };
    expect(registered.services.map((s) => s.name)).toContain("Greeter");

    const greet = await ingressCall(`${server.ingressUrl}/Greeter/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Ada"),
    });
    expect(greet.status).toBe(200);
    expect(greet.headers.get("x-restate-id")).toMatch(/^inv_1/);
    expect(await greet.json()).toBe("Hello, Ada!");

    const run = await ingressCall(`${server.ingressUrl}/Greeter/greetRun`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Grace"),
    });
    expect(await run.json()).toBe("Hello, Grace!");
  }, 60_000);

  it("runs the same handlers over HTTP/1.1 request/response", async () => {
    const service = await startOfficialService("greeter", { http1: true });
    services.push(service);
    await registerDeployment(server.adminUrl, service.url, { useHttp11: true });
    const run = await ingressCall(`${server.ingressUrl}/Greeter/greetRun`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Linus"),
    });
    expect(run.status).toBe(200);
    expect(await run.json()).toBe("Hello, Linus!");
  }, 60_000);
});
