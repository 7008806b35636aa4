// Goal: POST /query answers Restate's introspection tables from the partition stores of a running server, with invocations in every state (running, suspended, pending behind a held key, completed), journals, state and idempotency keys; bad SQL, the row and time limits, JSON and Arrow answers; method: startServer with official-SDK services (e2e services over HTTP/1.1, so every await suspends; awakeables over HTTP/2, so one stays running), queries over loopback.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { ingressCall, registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let server: CairnServer;
let e2e: SdkService;
let awakeables: SdkService;
const ids: Record<string, string> = {};
const work = mkdtempSync(join(tmpdir(), "cairn-sql-"));

type Row = Record<string, unknown>;

async function query(sql: string, accept = "application/json"): Promise<Response> {
  return postJson(`${server.adminUrl}/query`, { query: sql }, { accept });
}

async function rows(sql: string): Promise<Row[]> {
  const response = await query(sql);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json");
  return (JSON.parse(text) as { rows: Row[] }).rows;
}

async function send(path: string, body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const response = await ingressCall(`${server.ingressUrl}/${path}/send`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { invocationId: string }).invocationId;
}

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statusOf(id: string): Promise<string | undefined> {
  return (await rows(`SELECT status FROM sys_invocation WHERE id = '${id}'`))[0]?.status as string | undefined;
}

beforeAll(async () => {
  [e2e, awakeables] = await Promise.all([
    startOfficialService("e2e-services", { http1: true, env: { CAIRN_E2E_SIDE_EFFECTS: join(work, "effects.jsonl") } }),
    startOfficialService("worker-awakeables"),
  ]);
  server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 2, queryRowsMax: 50, queryTimeoutMs: 3_000 });
  await registerDeployment(server.adminUrl, e2e.url, { useHttp11: true });
  await registerDeployment(server.adminUrl, awakeables.url);

  const greeted = await ingressCall(`${server.ingressUrl}/E2eGreeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify("Ada") });
  expect(greeted.status).toBe(200);
  ids.completed = greeted.headers.get("x-restate-id") ?? "";
  const applied = await ingressCall(`${server.ingressUrl}/E2eState/s1/apply`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ op: "set", key: "name", value: "Ada" }, { op: "set", key: "n", value: 7 }]),
  });
  expect(applied.status).toBe(200);
  const failed = await ingressCall(`${server.ingressUrl}/E2eGreeter/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify("no tea") });
  expect(failed.status).toBe(418);
  ids.failed = failed.headers.get("x-restate-id") ?? "";
  const delayed = await ingressCall(`${server.ingressUrl}/E2eGreeter/greet/send?delay=10m`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify("later") });
  expect(delayed.status).toBe(202);
  ids.scheduled = ((await delayed.json()) as { invocationId: string }).invocationId;
  ids.suspended = await send("E2eSleeper/sleep", 600_000, { "idempotency-key": "sleep-1" });
  ids.holder = await send("E2eCounter/k1/hold", { ms: 600_000, tag: "h" });
  await waitUntil(async () => (await statusOf(ids.holder ?? "")) === "suspended", 20_000);
  ids.pending = await send("E2eCounter/k1/add", { n: 1, client: "c", seq: 1 });
  const idFile = join(work, "awakeable-id");
  ids.running = await send("WorkerAwakeables/await", { idFile });
  await waitUntil(() => existsSync(idFile) && readFileSync(idFile, "utf8").length > 0, 20_000);
  await waitUntil(async () => (await statusOf(ids.suspended ?? "")) === "suspended", 20_000);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([e2e?.close(), awakeables?.close()]);
  removeTempDirs();
});

describe("POST /query", () => {
  it("sys_invocation shows each invocation with Restate's computed status and target", async () => {
    const found = await rows(`SELECT id, target, target_service_ty, status, invoked_by, completion_result FROM sys_invocation ORDER BY created_at`);
    const byId = new Map(found.map((row) => [row.id, row]));
    expect(byId.get(ids.completed)).toMatchObject({ target: "E2eGreeter/greet", target_service_ty: "service", status: "completed", invoked_by: "ingress", completion_result: "success" });
    expect(byId.get(ids.suspended)).toMatchObject({ target: "E2eSleeper/sleep", status: "suspended" });
    expect(byId.get(ids.holder)).toMatchObject({ target: "E2eCounter/k1/hold", target_service_ty: "virtual_object", status: "suspended" });
    expect(byId.get(ids.pending)).toMatchObject({ target: "E2eCounter/k1/add", status: "pending" });
    expect(byId.get(ids.running)).toMatchObject({ target: "WorkerAwakeables/await", status: "running" });
    expect(byId.get(ids.failed)).toMatchObject({ status: "completed", completion_result: "failure" });
    expect(byId.get(ids.scheduled)).toMatchObject({ target: "E2eGreeter/greet", status: "scheduled" });
    const [failure] = await rows(`SELECT completion_failure FROM sys_invocation WHERE id = '${ids.failed}'`);
    expect(failure?.completion_failure).toBe("[418] no tea");
    const [scheduled] = await rows(`SELECT scheduled_at, scheduled_start_at FROM sys_invocation WHERE id = '${ids.scheduled}'`);
    expect(Date.parse(String(scheduled?.scheduled_start_at)) - Date.parse(String(scheduled?.scheduled_at))).toBeGreaterThan(590_000);
    // retry_count as restate-server reports it: attempts started, so 1 for a first attempt in flight.
    const state = await rows(`SELECT id, in_flight, retry_count FROM sys_invocation_state`);
    expect(state).toEqual([{ id: ids.running, in_flight: true, retry_count: 1 }]);
    const [waiting] = await rows(`SELECT suspended_waiting_for_completions AS completions, suspended_waiting_future_json AS future FROM sys_invocation WHERE id = '${ids.suspended}'`);
    expect(waiting?.completions).toBe("1");
    expect(JSON.parse(String(waiting?.future))).toMatchObject({ waitingCompletions: [1] });
    const raw = await rows(`SELECT status FROM sys_invocation_status WHERE id = '${ids.pending}'`);
    expect(raw).toEqual([{ status: "inboxed" }]);
  });

  it("timestamps are RFC 3339 and order like time", async () => {
    const [row] = await rows(`SELECT created_at, modified_at, completed_at FROM sys_invocation WHERE id = '${ids.completed}'`);
    expect(row?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(String(row?.completed_at))).toBeGreaterThanOrEqual(Date.parse(String(row?.created_at)));
    expect(Math.abs(Date.parse(String(row?.created_at)) - Date.now())).toBeLessThan(120_000);
  });

  it("sys_journal decodes each entry: type, name, sleep wake-up, completion", async () => {
    const journal = await rows(`SELECT "index", entry_type, name, completed, sleep_wakeup_at, version, raw_length, entry_json FROM sys_journal WHERE id = '${ids.suspended}' ORDER BY "index"`);
    expect(journal.map((e) => e.entry_type)).toEqual(["Command: Input", "Command: Sleep"]);
    const sleep = journal[1];
    expect(sleep).toMatchObject({ index: 1, completed: false, version: 2 });
    expect(Date.parse(String(sleep?.sleep_wakeup_at)) - Date.now()).toBeGreaterThan(500_000);
    expect(Number(sleep?.raw_length)).toBeGreaterThan(0);
    const sleepJson = JSON.parse(String(sleep?.entry_json)) as { Command: { Sleep: { wake_up_time: number; completion_id: number } } };
    expect(sleepJson.Command.Sleep.wake_up_time).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof sleepJson.Command.Sleep.completion_id).toBe("number");
    const run = await rows(`SELECT entry_type, name, completed FROM sys_journal WHERE id = '${ids.holder}' AND entry_type = 'Command: Run'`);
    expect(run).toEqual([{ entry_type: "Command: Run", name: "mark", completed: true }]);
  });

  it("state has the object's keys with UTF-8 and binary values (hex in JSON, as Restate's CLI reads them)", async () => {
    const state = await rows(`SELECT service_name, service_key, key, value_utf8, value, value_length FROM state WHERE service_name = 'E2eState' AND service_key = 's1' ORDER BY key`);
    expect(state).toEqual([
      { service_name: "E2eState", service_key: "s1", key: "n", value_utf8: "7", value: Buffer.from("7").toString("hex"), value_length: 1 },
      { service_name: "E2eState", service_key: "s1", key: "name", value_utf8: '"Ada"', value: Buffer.from('"Ada"').toString("hex"), value_length: 5 },
    ]);
  });

  it("sys_inbox, sys_keyed_service_status and sys_idempotency show the held key, its queue and the idempotency key", async () => {
    expect(await rows(`SELECT service_name, service_key, id FROM sys_inbox`)).toEqual([{ service_name: "E2eCounter", service_key: "k1", id: ids.pending }]);
    expect(await rows(`SELECT invocation_id FROM sys_keyed_service_status WHERE service_name = 'E2eCounter' AND service_key = 'k1'`)).toEqual([{ invocation_id: ids.holder }]);
    expect(await rows(`SELECT service_name, service_handler, idempotency_key, invocation_id FROM sys_idempotency`)).toEqual([
      { service_name: "E2eSleeper", service_handler: "sleep", idempotency_key: "sleep-1", invocation_id: ids.suspended },
    ]);
    expect(await rows(`SELECT count(*) AS n FROM sys_promise`)).toHaveLength(1);
    // partition_key agrees across tables: the inboxed invocation's, the state key's and its invocation's.
    expect(await rows(`SELECT count(*) AS n FROM sys_inbox i JOIN sys_invocation v ON v.id = i.id AND v.partition_key = i.partition_key`)).toEqual([{ n: 1 }]);
    expect(
      await rows(`SELECT count(*) AS n FROM state s JOIN sys_invocation v ON v.target_service_key = s.service_key AND v.partition_key = s.partition_key WHERE s.service_key = 's1'`),
    ).toEqual([{ n: 2 }]);
  });

  it("sys_service and sys_deployment come from the admin metadata", async () => {
    const services = await rows(`SELECT name, ty, public, revision FROM sys_service ORDER BY name`);
    expect(services).toContainEqual({ name: "E2eCounter", ty: "virtual_object", public: true, revision: 1 });
    expect(services).toContainEqual({ name: "E2eApproval", ty: "workflow", public: true, revision: 1 });
    const deployments = await rows(`SELECT id, ty, endpoint, services FROM sys_deployment ORDER BY endpoint`);
    expect(deployments).toHaveLength(2);
    expect(deployments.map((d) => d.ty)).toEqual(["http", "http"]);
    expect(JSON.parse(String(deployments.find((d) => String(d.endpoint).startsWith(e2e.url))?.services))).toContain("E2eSleeper");
  });

  it("runs the query shapes of Restate's CLI: information_schema, first_value with ORDER BY, joins with sys_service and sys_deployment, window functions", async () => {
    const [columns] = await rows(`SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'sys_invocation' AND column_name IN ('completion_result', 'completion_failure', 'idempotency_key')`);
    expect(Object.values(columns ?? {})).toEqual([3]);
    const stats = await rows(`SELECT target_service_name, target_handler_name, status, COUNT(id) AS num_invocations, MIN(created_at) AS oldest_at,
      FIRST_VALUE(id ORDER BY created_at ASC) AS oldest_invocation FROM sys_invocation WHERE target_service_name IN ('E2eCounter')
      GROUP BY target_service_name, target_handler_name, status ORDER BY target_handler_name`);
    expect(stats.map((s) => [s.target_handler_name, s.status, s.num_invocations, s.oldest_invocation])).toEqual([
      ["add", "pending", 1, ids.pending],
      ["hold", "suspended", 1, ids.holder],
    ]);
    const listed = await rows(`WITH invocations AS (SELECT inv.id, inv.target, inv.status, inv.created_at, inv.pinned_deployment_id, inv.retry_count AS num_retries,
        row_number() OVER () AS row FROM sys_invocation inv WHERE inv.target_service_name = 'E2eCounter'),
      with_svc AS (SELECT inv.*, svc.deployment_id AS comp_latest_deployment FROM sys_service svc RIGHT JOIN invocations inv ON svc.name = inv.target
        OR svc.name = substr(inv.target, 1, instr(inv.target, '/') - 1)),
      with_dp AS (SELECT inv.*, dp.id AS known_deployment_id FROM sys_deployment dp RIGHT JOIN with_svc inv ON dp.id = inv.pinned_deployment_id),
      recent AS (SELECT * FROM with_dp WHERE status != 'completed' ORDER BY created_at DESC LIMIT 10)
      SELECT *, max(row) OVER () AS minimum_count FROM recent`);
    expect(listed.map((r) => r.id).sort()).toEqual([ids.holder, ids.pending].sort());
    expect(listed.every((r) => r.minimum_count === 2 && typeof r.comp_latest_deployment === "string")).toBe(true);
    expect(listed.find((r) => r.id === ids.holder)?.known_deployment_id).toMatch(/^dp_/);
    // DataFusion's `index` column unquoted (SQLite's keyword), as `restate invocations describe` sends it.
    const journal = await rows(`SELECT sj.index, sj.entry_type, sj.completed, sj.invoked_id, sj.invoked_target, sj.sleep_wakeup_at, sj.name,
      sj.promise_name, sj.version, sj.entry_json, sj.appended_at FROM sys_journal sj WHERE sj.id = '${ids.suspended}' ORDER BY index DESC LIMIT 100`);
    expect(journal.map((e) => e.index)).toEqual([1, 0]);
  });

  it("answers an Arrow IPC stream without accept: application/json (COUNT(*) as Int64), and 406 for other formats", async () => {
    const response = await query("SELECT COUNT(*) AS n, 'x' AS s FROM sys_invocation", "*/*");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([["n", "Int64"], ["s", "Utf8"]]);
    expect(Number(table.get(0)?.n)).toBeGreaterThanOrEqual(5);
    const empty = await query("SELECT COUNT(id) AS inv_count FROM sys_invocation_status WHERE pinned_deployment_id = 'dp_none' GROUP BY pinned_deployment_id", "*/*");
    const emptyTable = tableFromIPC(new Uint8Array(await empty.arrayBuffer()));
    expect([emptyTable.numRows, String(emptyTable.schema.fields[0]?.type)]).toEqual([0, "Int64"]);
    const csv = await query("SELECT 1", "text/csv");
    expect(csv.status).toBe(406);
    expect(((await csv.json()) as { message: string }).message).toMatch(/application\/json/);
  });

  it("bad SQL is 400 with SQLite's message; writes and non-queries are refused", async () => {
    const bad = await query("SELEC id FROM sys_invocation");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/syntax error/);
    const unknown = await query("SELECT nope FROM sys_invocation");
    expect(((await unknown.json()) as { message: string }).message).toMatch(/no such column: nope/);
    for (const sql of ["DELETE FROM state", "ATTACH DATABASE '/tmp/x' AS x", "PRAGMA query_only = 0", "CREATE TABLE t (x)"]) {
      const refused = await query(sql);
      expect(refused.status, sql).toBe(400);
      await refused.arrayBuffer();
    }
    expect((await rows("SELECT count(*) AS n FROM state WHERE service_name = 'E2eState'"))[0]?.n).toBe(2);
    const noQuery = await postJson(`${server.adminUrl}/query`, { sql: "SELECT 1" }, { accept: "application/json" });
    expect(noQuery.status).toBe(400);
    await noQuery.arrayBuffer();
  });

  it("a result over the row limit is refused with the limit in the message; under it is answered", async () => {
    const over = await query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 51) SELECT x FROM c");
    expect(over.status).toBe(400);
    expect(((await over.json()) as { message: string }).message).toMatch(/more than 50 rows/);
    expect(await rows("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 50) SELECT x FROM c")).toHaveLength(50);
  });

  it("a query past the time limit answers 408 and is killed; the ingress answers meanwhile; the next query runs", async () => {
    const started = Date.now();
    let settled = false;
    const pending = query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    const greeted = await ingressCall(`${server.ingressUrl}/E2eGreeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify("meanwhile") });
    expect(await greeted.json()).toBe("Hello, meanwhile!");
    expect(settled).toBe(false); // answered while the query was still running
    const slow = await pending;
    expect(slow.status).toBe(408);
    expect(((await slow.json()) as { message: string }).message).toMatch(/3000 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await rows("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("answers DataFusion's SHOW TABLES and DESCRIBE from information_schema", async () => {
    const tables = (await rows("SHOW TABLES")).map((t) => t.table_name);
    expect(tables).toEqual(expect.arrayContaining(["sys_invocation", "sys_journal", "state", "sys_inbox", "sys_keyed_service_status", "sys_idempotency", "sys_promise", "sys_service", "sys_deployment"]));
    const columns = (await rows("DESCRIBE sys_journal")).map((c) => c.column_name);
    expect(columns).toEqual(expect.arrayContaining(["id", "index", "entry_type", "name", "completed", "raw", "entry_json", "appended_at"]));
  });

  it("is served under /v2–/v4 as well", async () => {
    for (const prefix of ["/v2", "/v3", "/v4"]) {
      const response = await postJson(`${server.adminUrl}${prefix}/query`, { query: "SELECT 2 AS two" }, { accept: "application/json" });
      expect(await response.json()).toEqual({ rows: [{ two: 2 }] });
    }
  });
});
