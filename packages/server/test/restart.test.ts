// Goal: a server restarted on its data directory comes back with its partitions (replayed from their logs), its registered services and its objects' state; the partition count is fixed per directory and one live server owns it; method: startServer / close / startServer on one temp dir with an official-SDK fixture.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataDirError,
  DataDirLockedError,
  InvalidOptionsError,
  PartitionCountMismatchError,
  startServer,
  WorkerStartError,
} from "@cairn/server";
import { registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let service: SdkService;
beforeAll(async () => {
  service = await startOfficialService("worker-services");
}, 60_000);
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

const ports = { ingressPort: 0, adminPort: 0 } as const;

describe("restart on the same data directory", () => {
  it("keeps services, partitions and state", async () => {
    const dataDir = tempDataDir();
    const first = await startServer({ dataDir, ...ports, partitions: 3, workers: 2 });
    expect(first.partitions).toBe(3);
    expect(first.recovered.every((r) => r.records === 0)).toBe(true);
    try {
      await registerDeployment(first.adminUrl, service.url, { force: false });
      for (const delta of [1, 2, 3]) expect((await postJson(`${first.ingressUrl}/WorkerCounter/restart-key/add`, delta)).status).toBe(200);
    } finally {
      await first.close();
    }
    expect(JSON.parse(readFileSync(join(dataDir, "cairn.json"), "utf8"))).toMatchObject({ format: 1, partitions: 3 });

    const second = await startServer({ dataDir, ...ports, workers: 1 });
    try {
      expect(second.partitions).toBe(3);
      expect(second.workers).toBe(1);
      expect(second.recovered.map((r) => r.partition)).toEqual([0, 1, 2]);
      // After a clean close the stores have applied their whole logs: replay starts past them.
      expect(second.recovered.some((r) => r.fromLsn > 1)).toBe(true);
      const services = (await (await fetch(`${second.adminUrl}/services`)).json()) as { services: { name: string }[] };
      expect(services.services.map((s) => s.name)).toContain("WorkerCounter");
      const health = (await (await fetch(`${second.ingressUrl}/restate/health`)).json()) as { services: string[] };
      expect(health.services).toContain("WorkerCounter");
      const add = await postJson(`${second.ingressUrl}/WorkerCounter/restart-key/add`, 10);
      expect(add.status).toBe(200);
      expect(await add.json()).toBe(16);
    } finally {
      await second.close();
    }
  });

  it("refuses another partition count for an existing directory", async () => {
    const dataDir = tempDataDir();
    await (await startServer({ dataDir, ...ports, partitions: 2 })).close();
    await expect(startServer({ dataDir, ...ports, partitions: 4 })).rejects.toBeInstanceOf(PartitionCountMismatchError);
    await expect(startServer({ dataDir, ...ports, partitions: 4 })).rejects.toThrow(/created with 2 partitions/);
    // The refused start released the directory: the right count still opens it.
    await (await startServer({ dataDir, ...ports, partitions: 2 })).close();
  });

  it("one live server per directory; a lock left by a dead process is taken over", async () => {
    const dataDir = tempDataDir();
    const server = await startServer({ dataDir, ...ports, partitions: 1 });
    try {
      await expect(startServer({ dataDir, ...ports })).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await server.close();
    }
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(dataDir, "LOCK"), `${dead.stdout}\n`);
    const again = await startServer({ dataDir, ...ports });
    expect(readFileSync(join(dataDir, "LOCK"), "utf8").trim()).toBe(String(process.pid));
    await again.close();
  });

  it("refuses a damaged identity file and bad options with clear errors", async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, "cairn.json"), "{broken");
    await expect(startServer({ dataDir, ...ports })).rejects.toBeInstanceOf(DataDirError);
    await expect(startServer({ dataDir: tempDataDir(), ...ports, partitions: 2, workers: 3 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(startServer({ dataDir: tempDataDir(), ingressPort: 70_000, adminPort: 0 })).rejects.toThrow(/ingressPort/);
    await expect(startServer({ dataDir: tempDataDir(), ...ports, retryPolicy: { onMaxAttempts: "LATER" as "PAUSE" } })).rejects.toThrow(/onMaxAttempts/);
  });

  it("a worker module that cannot open fails the start and leaves nothing behind", async () => {
    const dataDir = tempDataDir();
    const bad = join(dataDir, "bad-worker.mjs");
    writeFileSync(bad, "export default async function () { throw new Error('cannot open here'); }\n");
    await expect(startServer({ dataDir, ...ports, partitions: 1, workerModule: bad })).rejects.toBeInstanceOf(WorkerStartError);
    await (await startServer({ dataDir, ...ports, partitions: 1 })).close();
  });
});
