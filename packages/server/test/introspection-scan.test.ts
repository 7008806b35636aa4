// Goal: POST /query answers the same tables on a server with more partitions than SQLite can ATTACH to one connection (10), where the views scan every store through virtual tables; method: startServer with 12 partitions and official-SDK services over HTTP/1.1, queries over loopback.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { ingressCall, registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let server: CairnServer;
let e2e: SdkService;
const work = mkdtempSync(join(tmpdir(), "cairn-sql-scan-"));

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const response = await postJson(`${server.adminUrl}/query`, { query: sql }, { accept: "application/json" });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows;
}

async function post(path: string, body: unknown): Promise<Response> {
  return ingressCall(`${server.ingressUrl}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  e2e = await startOfficialService("e2e-services", { http1: true, env: { CAIRN_E2E_SIDE_EFFECTS: join(work, "effects.jsonl") } });
  server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 12, workers: 2 });
  await registerDeployment(server.adminUrl, e2e.url, { useHttp11: true });
}, 90_000);

afterAll(async () => {
  await server?.close();
  await e2e?.close();
  removeTempDirs();
});

describe("POST /query with 12 partitions", () => {
  it("invocations, journals and state of every partition are there", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    for (const key of keys) expect((await post(`E2eState/${key}/apply`, [{ op: "set", key: "v", value: key }])).status).toBe(200);
    const held = await post("E2eCounter/h/hold/send", { ms: 600_000, tag: "t" });
    const holder = ((await held.json()) as { invocationId: string }).invocationId;
    for (let i = 0; i < 100 && (await rows(`SELECT status FROM sys_invocation WHERE id = '${holder}'`))[0]?.status !== "suspended"; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const state = await rows("SELECT service_key, value_utf8 FROM state WHERE service_name = 'E2eState' ORDER BY service_key");
    expect(state).toEqual(keys.map((key) => ({ service_key: key, value_utf8: JSON.stringify(key) })));
    const partitions = await rows("SELECT count(DISTINCT partition_key) AS n FROM sys_invocation WHERE target_service_name = 'E2eState'");
    expect(Number(partitions[0]?.n)).toBe(8);
    expect(await rows(`SELECT status FROM sys_invocation WHERE id = '${holder}'`)).toEqual([{ status: "suspended" }]);
    const journal = await rows(`SELECT "index", entry_type, name, completed FROM sys_journal WHERE id = '${holder}' ORDER BY index`);
    expect(journal.map((e) => [e.entry_type, e.completed])).toEqual([
      ["Command: Input", true],
      ["Command: Run", true],
      ["Notification: Run", true],
      ["Command: Sleep", false],
    ]);
    expect(await rows(`SELECT invocation_id FROM sys_keyed_service_status WHERE service_name = 'E2eCounter'`)).toEqual([{ invocation_id: holder }]);
    expect((await rows("SHOW TABLES")).length).toBeGreaterThanOrEqual(9);
  });
});
