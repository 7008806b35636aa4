// Goal: every cairn command works as a user runs it, against a real Cairn server (and, with CAIRN_CLI_TEST_TARGETS=cairn,restate-server, against the reference restate-server too); method: the built binary as a child process against official-SDK e2e services, --json parsed and checked, human output checked, confirmations and progress bars in a pseudo-terminal, exit codes on errors.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { ansi, cairn, cairnInPty, cairnJson, startCairn, startRestate, type Target, waitFor } from "./helpers.js";

interface Invocation {
  id: string;
  target: string;
  status: string;
  completion_result: string | null;
}

// Cairn always; restate-server (the reference, ~40 s more) when CAIRN_CLI_TEST_TARGETS names it,
// e.g. CAIRN_CLI_TEST_TARGETS=cairn,restate-server. The official-CLI test runs against both always.
const targets = (process.env.CAIRN_CLI_TEST_TARGETS ?? "cairn").split(",").map((t) => t.trim());
for (const t of targets) if (t !== "cairn" && t !== "restate-server") throw new Error(`CAIRN_CLI_TEST_TARGETS: unknown target '${t}'`);
const starters = { cairn: startCairn, "restate-server": startRestate } as const;

describe.each(targets.map((t) => [t, starters[t as keyof typeof starters]] as const))("cairn against %s", (name, start) => {
  let target: Target;
  let services: SdkService;
  let env: Record<string, string>;
  const sideEffects = join(mkdtempSync(join(tmpdir(), "cairn-cli-se-")), "side-effects.log");
  let deploymentId = "";

  const send = async (path: string, input: unknown): Promise<string> => {
    const accepted = await cairnJson<{ invocationId: string }>(["invoke", path, JSON.stringify(input), "--send"], env);
    expect(accepted.invocationId).toMatch(/^inv_1/);
    return accepted.invocationId;
  };
  const list = (args: readonly string[]): Promise<Invocation[]> => cairnJson<Invocation[]>(["invocations", "list", ...args], env);
  const statusOf = async (id: string): Promise<Invocation | undefined> => (await list(["--all"])).find((i) => i.id === id);

  beforeAll(async () => {
    [target, services] = await Promise.all([start(), startOfficialService("e2e-services", { env: { CAIRN_E2E_SIDE_EFFECTS: sideEffects } })]);
    env = { CAIRN_ADMIN_URL: target.adminUrl, CAIRN_INGRESS_URL: target.ingressUrl };
  }, 90_000);

  afterAll(async () => {
    await services.close();
    await target.close();
  });

  it("deployments register: --json answer, then human output on a second (unchanged) registration", async () => {
    const registered = await cairnJson<{ id: string; services: { name: string }[] }>(["deployments", "register", services.url], env);
    expect(registered.id).toMatch(/^dp_/);
    deploymentId = registered.id;
    expect(registered.services.map((s) => s.name)).toEqual(expect.arrayContaining(["E2eGreeter", "E2eCounter", "E2eSleeper"]));
    const again = await cairn(["deployments", "register", services.url], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Registered deployment ${deploymentId}`);
    expect(again.stdout).toMatch(/^SERVICE\s+TYPE\s+REVISION\s+HANDLERS$/m);
    expect(again.stdout).toMatch(/^E2eCounter\s+VirtualObject\s+1\s+.*add/m);
  });

  it("deployments list and describe", async () => {
    const deployments = await cairnJson<{ id: string; uri: string }[]>(["deployments", "list"], env);
    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.id).toBe(deploymentId);
    const human = await cairn(["deployments", "list"], env);
    expect(human.stdout).toMatch(new RegExp(`^${deploymentId}\\s+${services.url.replace(/[/.]/g, "\\$&")}/?\\s+HTTP/2`, "m"));
    const described = await cairnJson<{ id: string; services: { name: string }[] }>(["deployments", "describe", deploymentId], env);
    expect(described.services.map((s) => s.name)).toContain("E2eSleeper");
    const text = await cairn(["deployments", "describe", deploymentId], env);
    expect(text.stdout).toMatch(new RegExp(`^ID:\\s+${deploymentId}$`, "m"));
    expect(text.stdout).toMatch(/^SDK:\s+restate-sdk-typescript\/1\.17\.2$/m);
    const unknown = await cairn(["deployments", "describe", "dp_11nGQpCRmau6ypL82KH2TnP"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error: GET \/deployments\/dp_11nGQpCRmau6ypL82KH2TnP failed with 404/);
  });

  it("services list, describe, config view and config patch", async () => {
    const all = await cairnJson<{ name: string; ty: string }[]>(["services", "list"], env);
    expect(all.find((s) => s.name === "E2eCounter")?.ty).toBe("VirtualObject");
    const human = await cairn(["services", "list"], env);
    expect(human.stdout).toMatch(/^NAME\s+TYPE\s+REVISION\s+PUBLIC\s+HANDLERS\s+DEPLOYMENT$/m);
    expect(human.stdout).toMatch(new RegExp(`^E2eGreeter\\s+Service\\s+1\\s+true\\s+3\\s+${deploymentId}$`, "m"));
    const described = await cairn(["services", "describe", "E2eCounter"], env);
    expect(described.stdout).toMatch(/^Type:\s+VirtualObject$/m);
    expect(described.stdout).toMatch(/^get\s+Shared\b/m);
    const config = await cairnJson<{ public: boolean }>(["services", "config", "view", "E2eGreeter"], env);
    expect(config.public).toBe(true);
    const patched = await cairnJson<{ public: boolean }>(["services", "config", "patch", "E2eGreeter", "--public", "false"], env);
    expect(patched.public).toBe(false);
    const view = await cairn(["services", "config", "view", "E2eGreeter"], env);
    expect(view.stdout).toMatch(/^public:\s+false$/m);
    const restored = await cairn(["services", "config", "patch", "E2eGreeter", "--public=true"], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^Updated E2eGreeter\npublic:\s+true$/m);
    const missing = await cairn(["services", "describe", "Nope"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/failed with 404/);
  });

  it("invoke: a call, an object call with --json, a send, and a handler's terminal error", async () => {
    const greet = await cairn(["invoke", "E2eGreeter/greet", '"Ada"'], env);
    expect(greet.code, greet.stderr).toBe(0);
    expect(greet.stdout).toBe('"Hello, Ada!"\n');
    const added = await cairnJson<{ invocation_id: string; status: number; output: unknown }>(["invoke", "E2eCounter/alice/add", JSON.stringify({ n: 5, client: "cli", seq: 1 })], env);
    expect(added).toMatchObject({ status: 200, output: 5 });
    expect(added.invocation_id).toMatch(/^inv_1/);
    const sent = await cairn(["invoke", "E2eSleeper/sleep", "600000", "--send"], env);
    expect(sent.stdout).toMatch(/^Accepted inv_1\w+\n$/);
    const failed = await cairn(["invoke", "E2eFlaky/runTerminal", '"t1"'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: POST \/E2eFlaky\/runTerminal failed with \d+: .*t1/);
  });

  it("state get, set and clear of one object key", async () => {
    const state = await waitFor("alice's state", async () => {
      const s = await cairnJson<{ state: Record<string, unknown> }>(["state", "get", "E2eCounter", "alice"], env);
      return s.state.value === 5 ? s : undefined;
    });
    expect(state).toEqual({ service: "E2eCounter", key: "alice", state: { value: 5, log: ["cli:1"] } });
    const human = await cairn(["state", "get", "E2eCounter", "alice"], env);
    expect(human.stdout).toMatch(/^KEY\s+VALUE\nlog\s+\["cli:1"\]\nvalue\s+5\n$/);

    // set waits until its change is applied: the next read sees it.
    expect((await cairn(["state", "set", "E2eCounter", "alice", "value", "41"], env)).stdout).toBe("Set E2eCounter/alice value\n");
    expect((await cairnJson<{ state: Record<string, unknown> }>(["state", "get", "E2eCounter", "alice", "value"], env)).state).toEqual({ value: 41 });
    // The handler sees the new value: 41 + 1.
    expect((await cairnJson<{ output: unknown }>(["invoke", "E2eCounter/alice/add", JSON.stringify({ n: 1, client: "cli", seq: 2 })], env)).output).toBe(42);

    expect((await cairn(["state", "clear", "E2eCounter", "alice", "log"], env)).stdout).toBe("Removed log from E2eCounter/alice\n");
    expect(Object.keys((await cairnJson<{ state: Record<string, unknown> }>(["state", "get", "E2eCounter", "alice"], env)).state)).toEqual(["value"]);
    const refused = await cairn(["state", "clear", "E2eCounter", "alice"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs a confirmation; run it on a terminal or pass --yes/);
    const cleared = await cairn(["state", "clear", "E2eCounter", "alice", "--yes"], env);
    expect(cleared.stdout).toBe("Cleared E2eCounter/alice\n");
    expect((await cairn(["state", "get", "E2eCounter", "alice"], env)).stdout).toBe("No state for E2eCounter/alice.\n");
  });

  it("state set on a busy key: queued and a stale write reported as a conflict, or refused with 409 (each server's behaviour)", async () => {
    const holder = await send("E2eCounter/carol/hold", { ms: 600_000, tag: "state" });
    await waitFor("carol's hold running", async () => ((await statusOf(holder))?.status === "running" ? true : undefined));
    if (name === "cairn") {
      // Cairn refuses a state change while an invocation holds the key (restate-server queues it).
      const refused = await cairn(["state", "set", "E2eCounter", "carol", "first", "1"], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/error: POST \/services\/E2eCounter\/state failed with 409.*held by invocation/);
      expect((await cairn(["invocations", "kill", holder], env)).code).toBe(0);
      await waitFor("the key free", async () => ((await statusOf(holder))?.status === "completed" ? true : undefined));
      expect((await cairn(["state", "set", "E2eCounter", "carol", "first", "1"], env)).stdout).toBe("Set E2eCounter/carol first\n");
      expect((await cairnJson<{ state: Record<string, unknown> }>(["state", "get", "E2eCounter", "carol"], env)).state).toEqual({ first: 1 });
      return;
    }
    const queued = await cairn(["state", "set", "E2eCounter", "carol", "first", "1", "--wait", "1000"], env);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toBe("Queued E2eCounter/carol first\n");
    expect(queued.stderr).toMatch(/accepted but not applied yet: the key is busy/);
    // The second write read the same (old) state; once the hold ends the first write applies, so
    // the second one's version is stale: the server drops it and the command says so.
    // (2 s: time for the second command to start and read the state on a loaded machine.)
    const second = cairn(["state", "set", "E2eCounter", "carol", "second", "2", "--wait", "10000"], env);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await cairn(["invocations", "kill", holder], env)).code).toBe(0);
    const conflict = await second;
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/error: the state of E2eCounter\/carol changed while this command ran; nothing was written/);
    expect((await cairnJson<{ state: Record<string, unknown> }>(["state", "get", "E2eCounter", "carol"], env)).state).toEqual({ first: 1 });
  });

  it("invocations list with filters, describe with its journal, and sql", async () => {
    const sleeping = await send("E2eSleeper/sleep", 600_000);
    const holder = await send("E2eCounter/bob/hold", { ms: 600_000, tag: "cli" });
    const queued = await send("E2eCounter/bob/add", { n: 1, client: "cli", seq: 3 });
    const inbox = await waitFor("the add queued behind hold", async () => (await list(["--key", "bob", "--status", "pending"])).find((i) => i.id === queued));
    expect(inbox).toMatchObject({ target: "E2eCounter/bob/add", status: "pending" });
    const active = await list(["--service", "E2eCounter", "--key", "bob"]);
    expect(active.map((i) => i.id).sort()).toEqual([holder, queued].sort());
    expect(["running", "suspended"]).toContain(active.find((i) => i.id === holder)?.status);
    const byHandler = await list(["--service", "E2eSleeper", "--handler", "sleep"]);
    expect(byHandler.map((i) => i.id)).toContain(sleeping);

    const human = await cairn(["invocations", "list", "--key", "bob"], env);
    expect(human.stdout).toMatch(/^ID\s+TARGET\s+STATUS\s+CREATED\s+RETRIES\s+LAST FAILURE$/m);
    expect(human.stdout).toMatch(new RegExp(`^${queued}\\s+E2eCounter/bob/add\\s+pending\\s`, "m"));
    expect(human.stdout).toMatch(/^2 invocations$/m);

    const journal = await waitFor("hold's sleep in its journal", async () => {
      const d = await cairnJson<{ target: string; journal: { entry_type: string }[] }>(["invocations", "describe", holder], env);
      return d.journal.some((e) => e.entry_type === "Command: Sleep") ? d : undefined;
    });
    expect(journal.target).toBe("E2eCounter/bob/hold");
    expect(journal.journal[0]?.entry_type).toBe("Command: Input");
    const described = await cairn(["invocations", "describe", holder], env);
    expect(described.stdout).toMatch(/^Target:\s+E2eCounter\/bob\/hold$/m);
    expect(described.stdout).toMatch(/^Deployment:\s+dp_/m);
    expect(described.stdout).toMatch(/^1\s+Command: Run\s+mark\b/m);

    const rows = await cairnJson<{ id: string; status: string }[]>(["sql", `SELECT id, status FROM sys_invocation WHERE target_service_key = 'bob' ORDER BY id`], env);
    expect(rows.map((r) => r.id)).toEqual([holder, queued].sort());
    const table = await cairn(["sql", "SELECT service_key, key FROM state WHERE service_name = 'E2eCounter' AND service_key = 'nobody'"], env);
    expect(table.stdout).toBe("0 rows\n");
    const bad = await cairn(["sql", "SELEKT nonsense"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: POST \/query failed with 400/);
  });

  it("invocations describe, cancel and kill of an unknown invocation exit 1", async () => {
    const described = await cairn(["invocations", "describe", "inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwJ"], env);
    expect(described.code).toBe(1);
    expect(described.stderr).toMatch(/no invocation inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwJ/);
    const killed = await cairn(["invocations", "kill", "inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwJ"], env);
    expect(killed.code).toBe(1);
    expect(killed.stderr).toMatch(/PATCH \/invocations\/inv_1jJOFEtKQPi11c1TVN4ZKoWynqJsOUbtwJ\/kill failed with 404/);
  });

  it("pause, resume, cancel and purge one invocation by id", async () => {
    const id = await send("E2eSleeper/sleep", 600_000);
    await waitFor("it to run", async () => ((await statusOf(id))?.status === "running" || (await statusOf(id))?.status === "suspended" ? true : undefined));
    expect((await cairn(["invocations", "pause", id], env)).stdout).toBe(`Paused ${id}\n`);
    await waitFor("paused", async () => ((await statusOf(id))?.status === "paused" ? true : undefined));
    expect((await cairn(["invocations", "resume", id], env)).stdout).toBe(`Resumed ${id}\n`);
    await waitFor("resumed", async () => ((await statusOf(id))?.status !== "paused" ? true : undefined));
    expect((await cairn(["invocations", "cancel", id], env)).stdout).toBe(`Cancelled ${id}\n`);
    const done = await waitFor("cancelled", async () => {
      const s = await statusOf(id);
      return s?.status === "completed" ? s : undefined;
    });
    expect(done.completion_result).toBe("failure");
    expect((await cairn(["invocations", "purge", id], env)).stdout).toBe(`Purged ${id}\n`);
    await waitFor("purged", async () => ((await statusOf(id)) === undefined ? true : undefined));
  });

  it("bulk cancel in a terminal: the targets, a prompt (no aborts), then a progress bar", async () => {
    const ids = [await send("E2eSleeper/sleepMarked", { tag: "b1", ms: 600_000 }), await send("E2eSleeper/sleepMarked", { tag: "b2", ms: 600_000 }), await send("E2eSleeper/sleepMarked", { tag: "b3", ms: 600_000 })];
    await waitFor("three active", async () => ((await list(["--handler", "sleepMarked"])).length === 3 ? true : undefined));

    const declined = await cairnInPty(["invocations", "cancel", "--handler", "sleepMarked"], env, "n\n");
    expect(declined.code).toBe(1);
    for (const id of ids) expect(declined.stdout).toContain(id);
    expect(declined.stdout).toMatch(/Cancel 3 invocations\?.*\[y\/N\]/);
    expect(declined.stdout).toContain("aborted: nothing was changed");
    expect(declined.stdout).toMatch(ansi); // a terminal gets colour
    expect(await list(["--handler", "sleepMarked"])).toHaveLength(3);

    const refused = await cairn(["invocations", "cancel", "--handler", "sleepMarked"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);

    const accepted = await cairnInPty(["invocations", "cancel", "--handler", "sleepMarked"], env, "y\n");
    expect(accepted.code, accepted.stdout).toBe(0);
    expect(accepted.stdout).toMatch(/cancel .*█{30}.* 3\/3/);
    expect(accepted.stdout).toMatch(/Cancelled 3 of 3 invocations/);
    await waitFor("all cancelled", async () => ((await list(["--handler", "sleepMarked"])).length === 0 ? true : undefined));
  });

  it("bulk kill and purge with --yes --json, colourless off a terminal and with NO_COLOR", async () => {
    const ids = [await send("E2eSleeper/sleep", 600_001), await send("E2eSleeper/sleep", 600_002)];
    await waitFor("both listed", async () => ((await list(["--service", "E2eSleeper"])).filter((i) => ids.includes(i.id)).length === 2 ? true : undefined));
    const plain = await cairn(["invocations", "list", "--service", "E2eSleeper"], env);
    expect(plain.stdout).not.toMatch(ansi);
    const noColor = await cairnInPty(["invocations", "list", "--service", "E2eSleeper"], { ...env, NO_COLOR: "1" });
    expect(noColor.stdout).toMatch(/STATUS/);
    expect(noColor.stdout).not.toMatch(ansi);

    const killed = await cairnJson<{ operation: string; succeeded: string[]; failed: unknown[] }>(["invocations", "kill", "--service", "E2eSleeper", "--yes"], env);
    expect(killed.operation).toBe("kill");
    expect(killed.failed).toEqual([]);
    expect(killed.succeeded).toEqual(expect.arrayContaining(ids));
    await waitFor("no active sleeper", async () => ((await list(["--service", "E2eSleeper"])).length === 0 ? true : undefined));
    const purged = await cairnJson<{ succeeded: string[] }>(["invocations", "purge", "--service", "E2eSleeper", "--yes"], env);
    expect(purged.succeeded).toEqual(expect.arrayContaining(ids));
    await waitFor("sleepers purged", async () => ((await list(["--service", "E2eSleeper", "--all"])).length === 0 ? true : undefined));
  });

  it("deployments remove: refused off a terminal without --yes, done with it", async () => {
    const refused = await cairn(["deployments", "remove", deploymentId], env);
    expect(refused.code).toBe(2);
    const removed = await cairn(["deployments", "remove", deploymentId, "--yes"], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`Removed deployment ${deploymentId}\n`);
    expect(await cairnJson<unknown[]>(["deployments", "list"], env)).toEqual([]);
  });
});
