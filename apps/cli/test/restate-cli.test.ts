// Goal: the official `restate` CLI 1.7.12 works pointed at Cairn's admin port, as it does at
// restate-server (the reference, same checks); method: runRestateCli (RESTATE_ADMIN_URL, --yes)
// for deployments register|list, services list|describe, invocations list|describe|cancel|kill,
// kv get and sql, against official-SDK e2e services with a known running, inboxed and completed
// invocation and known object state; every output is checked.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingressCall, runRestateCli, startOfficialService, type SdkService } from "@cairn/testkit";
import { startCairn, startRestate, type Target, waitFor } from "./helpers.js";

describe.each([
  ["cairn", startCairn],
  ["restate-server", startRestate],
] as const)("official restate CLI against %s", (_name, start) => {
  let target: Target;
  let services: SdkService;
  const sideEffects = join(mkdtempSync(join(tmpdir(), "restate-cli-se-")), "side-effects.log");
  const restate = async (...args: string[]): Promise<string> => {
    const result = await runRestateCli(target.adminUrl, args);
    if (result.code !== 0) throw new Error(`restate ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    // Tables go to stdout, summaries ("Showing 2/2 invocations", "2 rows.") to stderr.
    return `${result.stdout}\n${result.stderr}`;
  };
  const call = async (path: string, input: unknown): Promise<Response> =>
    ingressCall(`${target.ingressUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  const send = async (path: string, input: unknown): Promise<string> => ((await (await call(`${path}/send`, input)).json()) as { invocationId: string }).invocationId;
  const statusOf = async (id: string): Promise<string | undefined> => {
    const response = await fetch(`${target.adminUrl}/query`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: `SELECT status FROM sys_invocation WHERE id = '${id}'` }),
    });
    const { rows } = (await response.json()) as { rows: { status: string }[] };
    return rows[0]?.status;
  };

  beforeAll(async () => {
    [target, services] = await Promise.all([start(), startOfficialService("e2e-services", { env: { CAIRN_E2E_SIDE_EFFECTS: sideEffects } })]);
  }, 90_000);

  afterAll(async () => {
    await services.close();
    await target.close();
  });

  it("restate deployments register and list", async () => {
    const registered = await restate("deployments", "register", services.url);
    const id = /Deployment ID:\s+(dp_\w+)/.exec(registered)?.[1];
    expect(id).toBeDefined();
    expect(registered).toMatch(/^\s*E2eCounter\s+1\s*$/m);
    const listed = await restate("deployments", "list");
    expect(listed).toContain(id);
    expect(listed).toMatch(/HTTP\s+dp_/);
    expect(listed).toContain("- E2eSleeper [1]");
  });

  it("restate services list and describe", async () => {
    const listed = await restate("services", "list");
    expect(listed).toMatch(/\[public\]\s+E2eCounter\s+1\s+virtual object\s+HTTP\s+dp_/);
    expect(listed).toMatch(/\[public\]\s+E2eGreeter\s+1\s+HTTP\s+dp_/);
    const described = await restate("services", "describe", "E2eCounter");
    expect(described).toMatch(/Service type:\s+VirtualObject/);
    expect(described).toMatch(/SDK Version\s+restate-sdk-typescript\/1\.17\.2/);
    expect(described).toMatch(/^\s*add\s+application\/json\s+application\/json\s*$/m);
  });

  it("restate kv get shows an object's state", async () => {
    expect(await (await call("/E2eCounter/alice/add", { n: 5, client: "cli", seq: 1 })).json()).toBe(5);
    const shown = await restate("kv", "get", "E2eCounter", "alice");
    expect(shown).toMatch(/Service\s+E2eCounter/);
    expect(shown).toMatch(/Key\s+alice/);
    expect(shown).toMatch(/^\s*value\s+5\s*$/m);
    expect(shown).toMatch(/"cli:1"/);
  });

  it("restate invocations list and describe: a running one, an inboxed one, with the journal", async () => {
    const holder = await send("/E2eCounter/bob/hold", { ms: 600_000, tag: "restate-cli" });
    const queued = await send("/E2eCounter/bob/add", { n: 1, client: "cli", seq: 2 });
    await waitFor("the add inboxed", async () => ((await statusOf(queued)) === "pending" ? true : undefined));
    const listed = await restate("invocations", "list");
    expect(listed).toContain(holder);
    expect(listed).toMatch(new RegExp(`${queued}\\s+Target:\\s+E2eCounter/bob/add\\s+Status:\\s+pending`));
    expect(listed).toMatch(/Showing 2\/2 invocations/);
    const described = await waitFor("the sleep journaled", async () => {
      const text = await restate("invocations", "describe", holder);
      return text.includes("Command: Sleep") ? text : undefined;
    });
    expect(described).toMatch(/Target:\s+E2eCounter\/bob\/hold/);
    expect(described).toMatch(/#0 \[[^\]]+\] Command: Input/);
    expect(described).toMatch(/#1 \[[^\]]+\] Command: Run \[mark\]/);
  });

  it("restate invocations cancel and kill", async () => {
    const [toCancel, toKill] = [await send("/E2eSleeper/sleep", 600_000), await send("/E2eSleeper/sleep", 600_001)];
    await waitFor("both started", async () => ((await statusOf(toCancel)) !== undefined && (await statusOf(toKill)) !== undefined ? true : undefined));
    expect(await restate("invocations", "cancel", toCancel)).toMatch(/Cancelled 1 invocations/);
    expect(await restate("invocations", "kill", toKill)).toMatch(/Killed 1 invocations/);
    await waitFor("both completed", async () => ((await statusOf(toCancel)) === "completed" && (await statusOf(toKill)) === "completed" ? true : undefined));
  });

  it("restate sql", async () => {
    const shown = await restate("sql", "SELECT target_service_key, status FROM sys_invocation WHERE target_service_key = 'bob' ORDER BY status");
    expect(shown).toMatch(/^\s*TARGET_SERVICE_KEY\s+STATUS\s*$/m);
    expect(shown).toMatch(/^\s*bob\s+pending\s*$/m);
    expect(shown).toMatch(/2 rows\./);
  });
});
