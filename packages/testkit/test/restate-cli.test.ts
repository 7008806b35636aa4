// Goal: the testkit runs the official restate CLI 1.7.12 against an admin API; method: its
// --version, a registration and a listing against the real restate-server, and its exit status
// when the admin API is unreachable.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, restateCliPath, runRestateCli, startOfficialService, startRestateServer, type RestateServer, type SdkService } from "@cairn/testkit";

describe("official restate CLI", () => {
  let server: RestateServer;
  let greeter: SdkService;

  beforeAll(async () => {
    [server, greeter] = await Promise.all([startRestateServer({ partitions: 2 }), startOfficialService("greeter")]);
  }, 90_000);

  afterAll(async () => {
    await greeter.close();
    await server.close();
  });

  it("is installed for this platform and reports version 1.7.12", async () => {
    expect(existsSync(restateCliPath())).toBe(true);
    const result = await runRestateCli(server.adminUrl, ["--version"], { yes: false });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^restate-cli 1\.7\.12 /);
  });

  it("registers a deployment and lists its service on restate-server", async () => {
    const registered = await runRestateCli(server.adminUrl, ["deployments", "register", greeter.url]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toMatch(/Deployment ID:\s+dp_/);
    const listed = await runRestateCli(server.adminUrl, ["services", "list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/Greeter\s+1/);
  });

  it("exits non-zero with a message when the admin API is unreachable", async () => {
    const result = await runRestateCli(`http://127.0.0.1:${await freePort()}`, ["services", "list"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/error/i);
  });
});
