// Goal: the `attach` and `signal` tasks and the SendSignal/CompleteAwakeable commands — outcomes
// read by id (running, completed, failed, unknown, after a reopen), awakeables resolved and
// rejected from the ingress side and from other handlers (same and other partition), named
// signals and cancel; method: the worker entry in-process on a real log + SQLite against the
// official SDK (testkit services/worker-awakeables.ts), over HTTP/2 and over HTTP/1.1 (where the
// SDK suspends on every await), with the store's status read beside it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatInvocationId, parseAwakeableId } from "@cairn/protocol";
import type { AttachTaskResult, InvokeResult, SchemaSnapshot, SignalTaskResult, WireError } from "@cairn/partition";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { idOnPartition, jsonBody, openWorker, request, schemaFor, tempDir, valueOf, type InProcessWorker } from "./harness.js";

let http2: SdkService;
let http1: SdkService;
let schema2: SchemaSnapshot;
let schema1: SchemaSnapshot;

const services = [
  {
    name: "WorkerAwakeables",
    ty: "SERVICE" as const,
    handlers: [
      { name: "await" },
      { name: "resolve" },
      { name: "reject" },
      { name: "awaitNamed" },
      { name: "signalNamed" },
      { name: "cancel" },
      { name: "fail" },
    ],
  },
];

beforeAll(async () => {
  [http2, http1] = await Promise.all([startOfficialService("worker-awakeables"), startOfficialService("worker-awakeables", { http1: true })]);
  schema2 = schemaFor(http2.url, services);
  schema1 = schemaFor(http1.url, services);
  for (const deployment of Object.values(schema1.deployments)) deployment.useHttp11 = true;
}, 60_000);

afterAll(async () => {
  await Promise.all([http2.close(), http1.close()]);
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The awakeable id the fixture wrote to `file`, split into (invocation id, signal index). */
async function awakeableIn(file: string): Promise<{ awakeableId: string; invocationId: string; signalIndex: number }> {
  const awakeableId = await until("the awakeable id", () => (existsSync(file) && readFileSync(file, "utf8").length > 0 ? readFileSync(file, "utf8") : undefined));
  const parsed = parseAwakeableId(awakeableId);
  if (parsed.kind !== "signal") throw new Error(`unexpected awakeable id ${awakeableId}`);
  return { awakeableId, invocationId: formatInvocationId(parsed.invocationId), signalIndex: parsed.signalIndex };
}

/** The invocation's status as the partition's store holds it (read through a second connection). */
/** Read from a second connection, as SQL introspection does: the worker commits its open store transactions first. */
async function statusOf(worker: InProcessWorker, dataDir: string, partition: number, id: string): Promise<string | undefined> {
  await worker.run({ kind: "commit-stores" });
  const db = new Database(join(dataDir, "partitions", String(partition), "store.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT status FROM sys_invocation_status WHERE id = ?").pluck().get(id) as string | undefined;
  } finally {
    db.close();
  }
}

function attach(worker: InProcessWorker, partition: number, invocationId: string, wait: boolean): Promise<AttachTaskResult> {
  return worker.run({ kind: "attach", partition, invocationId, wait }) as Promise<AttachTaskResult>;
}

function signal(
  worker: InProcessWorker,
  partition: number,
  invocationId: string,
  signalIndex: number,
  result: { value: Uint8Array } | { failure: { code: number; message: string } },
): Promise<SignalTaskResult> {
  return worker.run({ kind: "signal", partition, invocationId, signalIndex, result }) as Promise<SignalTaskResult>;
}

function send(worker: InProcessWorker, partition: number, id: string, handler: string, body: unknown): Promise<InvokeResult> {
  return worker.invoke(partition, request("WorkerAwakeables", handler, body, { invocationId: id, mode: "send" }));
}

function completedValue(result: AttachTaskResult): unknown {
  if (result.kind !== "completed") throw new Error(`not completed: ${JSON.stringify(result)}`);
  return valueOf(result);
}

async function rejection(promise: Promise<unknown>): Promise<WireError> {
  try {
    await promise;
  } catch (error) {
    return error as WireError;
  }
  throw new Error("expected a rejection");
}

const unknownId = "inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy";

describe("attach", () => {
  it("answers not-found for an unknown id, not-ready while running, and the outcome once completed (wait and no wait)", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema2 });
    try {
      expect(await attach(worker, 0, idOnPartition(0, 1), false)).toEqual({ kind: "not-found" });
      expect(await attach(worker, 0, idOnPartition(0, 1), true)).toEqual({ kind: "not-found" });

      const id = idOnPartition(0, 1);
      const idFile = join(tmp.dir, "awakeable-id");
      expect(await send(worker, 0, id, "await", { idFile })).toMatchObject({ kind: "accepted", status: "Accepted" });
      const awakeable = await awakeableIn(idFile);
      expect(awakeable.invocationId).toBe(id);
      expect(awakeable.signalIndex).toBeGreaterThanOrEqual(17);

      expect(await attach(worker, 0, id, false)).toEqual({ kind: "not-ready", invocationId: id });
      let settled = false;
      const waiting = attach(worker, 0, id, true).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(settled).toBe(false);

      expect(await signal(worker, 0, id, awakeable.signalIndex, { value: jsonBody("hi") })).toEqual({ accepted: true });
      const attached = await waiting;
      expect(attached).toMatchObject({ kind: "completed", invocationId: id, service: "WorkerAwakeables", handler: "await" });
      expect(completedValue(attached)).toBe("resolved: hi");
      // Completed: both forms answer at once with the same outcome.
      expect(completedValue(await attach(worker, 0, id, false))).toBe("resolved: hi");
      expect(completedValue(await attach(worker, 0, id, true))).toBe("resolved: hi");
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("reads a terminal failure back through attach, also after close and reopen", async () => {
    const tmp = tempDir();
    const id = idOnPartition(0, 1);
    let worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema2 });
    try {
      await send(worker, 0, id, "fail", "boom");
      const attached = await attach(worker, 0, id, true);
      expect(attached).toMatchObject({ kind: "completed", invocationId: id, outcome: { failure: { code: 418, message: "boom" } } });
    } finally {
      await worker.close();
    }
    worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema2 });
    try {
      expect(await attach(worker, 0, id, false)).toMatchObject({
        kind: "completed",
        service: "WorkerAwakeables",
        handler: "fail",
        outcome: { failure: { code: 418, message: "boom" } },
      });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("rejects a waiting attach with ERR_PARTITION_CLOSED when the partition closes", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema2 });
    try {
      const id = idOnPartition(0, 1);
      const idFile = join(tmp.dir, "awakeable-id");
      await send(worker, 0, id, "await", { idFile });
      await awakeableIn(idFile);
      const waiting = rejection(attach(worker, 0, id, true));
      await new Promise((r) => setTimeout(r, 50));
      await worker.close();
      expect((await waiting).code).toBe("ERR_PARTITION_CLOSED");
    } finally {
      tmp.remove();
    }
  });

  it("refuses a malformed id and an id of another partition", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 2, schema: schema2 });
    try {
      expect((await rejection(attach(worker, 0, "inv_nonsense", false))).code).toBe("ERR_PARTITION_BAD_REQUEST");
      expect((await rejection(attach(worker, 0, idOnPartition(1, 2), false))).code).toBe("ERR_PARTITION_WRONG_PARTITION");
      expect((await rejection(signal(worker, 0, idOnPartition(0, 2), 0, { value: new Uint8Array(0) }))).code).toBe("ERR_PARTITION_BAD_REQUEST");
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("signal task", () => {
  it("resumes a suspended invocation on its awakeable's signal, and the outcome survives close and reopen", async () => {
    const tmp = tempDir();
    const id = idOnPartition(0, 1);
    let worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema1 });
    try {
      const idFile = join(tmp.dir, "awakeable-id");
      await send(worker, 0, id, "await", { idFile });
      const awakeable = await awakeableIn(idFile);
      // Over HTTP/1.1 the SDK suspends on the awakeable.
      await until("suspension", async () => ((await statusOf(worker, tmp.dir, 0, id)) === "suspended" ? true : undefined));
      expect(await attach(worker, 0, id, false)).toEqual({ kind: "not-ready", invocationId: id });
      expect(await signal(worker, 0, id, awakeable.signalIndex, { value: jsonBody("after suspension") })).toEqual({ accepted: true });
      expect(completedValue(await attach(worker, 0, id, true))).toBe("resolved: after suspension");
    } finally {
      await worker.close();
    }
    worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema1 });
    try {
      expect(completedValue(await attach(worker, 0, id, false))).toBe("resolved: after suspension");
      expect(await attach(worker, 0, unknownId, false)).toEqual({ kind: "not-found" });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("rejects an awakeable with the given failure, which attach reads back", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema1 });
    try {
      const id = idOnPartition(0, 1);
      const idFile = join(tmp.dir, "awakeable-id");
      await send(worker, 0, id, "await", { idFile });
      const awakeable = await awakeableIn(idFile);
      await signal(worker, 0, id, awakeable.signalIndex, { failure: { code: 500, message: "nope" } });
      expect(await attach(worker, 0, id, true)).toMatchObject({ kind: "completed", outcome: { failure: { code: 500, message: "nope" } } });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("accepts and ignores a signal for an unknown or completed invocation", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema2 });
    try {
      const id = idOnPartition(0, 1);
      expect(await signal(worker, 0, id, 17, { value: jsonBody(1) })).toEqual({ accepted: true });
      expect(await attach(worker, 0, id, false)).toEqual({ kind: "not-found" });
      await send(worker, 0, id, "fail", "done already");
      await attach(worker, 0, id, true);
      expect(await signal(worker, 0, id, 17, { value: jsonBody(1) })).toEqual({ accepted: true });
      expect(await attach(worker, 0, id, false)).toMatchObject({ outcome: { failure: { code: 418, message: "done already" } } });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});

describe("signals from handlers", () => {
  for (const [label, resolverPartition] of [
    ["on the same partition", 0],
    ["on another partition (outbox)", 1],
  ] as const) {
    it(`CompleteAwakeable resolves and rejects an awakeable ${label}`, async () => {
      const tmp = tempDir();
      const worker = await openWorker({ dataDir: tmp.dir, partitions: [0, 1], partitionCount: 2, schema: schema1 });
      try {
        const resolved = idOnPartition(0, 2);
        await send(worker, 0, resolved, "await", { idFile: join(tmp.dir, "a") });
        const a = await awakeableIn(join(tmp.dir, "a"));
        const rejected = idOnPartition(0, 2);
        await send(worker, 0, rejected, "await", { idFile: join(tmp.dir, "b") });
        const b = await awakeableIn(join(tmp.dir, "b"));

        const r1 = await worker.invoke(resolverPartition, request("WorkerAwakeables", "resolve", { id: a.awakeableId, value: "from a handler" }, { invocationId: idOnPartition(resolverPartition, 2) }));
        expect(valueOf(r1)).toBe("done");
        const r2 = await worker.invoke(resolverPartition, request("WorkerAwakeables", "reject", { id: b.awakeableId, reason: "refused" }, { invocationId: idOnPartition(resolverPartition, 2) }));
        expect(valueOf(r2)).toBe("done");

        expect(completedValue(await attach(worker, 0, resolved, true))).toBe("resolved: from a handler");
        expect(await attach(worker, 0, rejected, true)).toMatchObject({ kind: "completed", outcome: { failure: { message: "refused" } } });
      } finally {
        await worker.close();
        tmp.remove();
      }
    });
  }

  it("SendSignal by name resolves ctx.signal of another invocation", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0, 1], partitionCount: 2, schema: schema2 });
    try {
      const id = idOnPartition(1, 2);
      const idFile = join(tmp.dir, "id");
      await send(worker, 1, id, "awaitNamed", { idFile, name: "go" });
      await until("the invocation id", () => (existsSync(idFile) && readFileSync(idFile, "utf8") === id ? true : undefined));
      const sender = await worker.invoke(0, request("WorkerAwakeables", "signalNamed", { invocationId: id, name: "go", value: "now" }, { invocationId: idOnPartition(0, 2) }));
      expect(valueOf(sender)).toBe("done");
      expect(completedValue(await attach(worker, 1, id, true))).toBe("signalled: now");
    } finally {
      await worker.close();
      tmp.remove();
    }
  });

  it("SendSignal idx 1 cancels a suspended invocation (409) and a scheduled one before it starts", async () => {
    const tmp = tempDir();
    const worker = await openWorker({ dataDir: tmp.dir, partitions: [0], partitionCount: 1, schema: schema1 });
    try {
      const id = idOnPartition(0, 1);
      const idFile = join(tmp.dir, "awakeable-id");
      await send(worker, 0, id, "await", { idFile });
      await awakeableIn(idFile);
      await until("suspension", async () => ((await statusOf(worker, tmp.dir, 0, id)) === "suspended" ? true : undefined));
      expect(valueOf(await worker.invoke(0, request("WorkerAwakeables", "cancel", id, { invocationId: idOnPartition(0, 1) })))).toBe("done");
      expect(await attach(worker, 0, id, true)).toMatchObject({ kind: "completed", outcome: { failure: { code: 409 } } });

      // A delayed invocation that has not started is completed with 409 without running; its waiter is answered.
      const later = idOnPartition(0, 1);
      const delayed = await worker.invoke(
        0,
        request("WorkerAwakeables", "fail", "never runs", { invocationId: later, mode: "send", executeAtMs: Date.now() + 60_000 }),
      );
      expect(delayed).toMatchObject({ kind: "accepted" });
      expect(await statusOf(worker, tmp.dir, 0, later)).toBe("scheduled");
      const waiting = attach(worker, 0, later, true);
      await worker.invoke(0, request("WorkerAwakeables", "cancel", later, { invocationId: idOnPartition(0, 1) }));
      expect(await waiting).toMatchObject({ kind: "completed", outcome: { failure: { code: 409, message: "canceled" } } });
      // Never started: answered, then not retained (as restate-server).
      expect(await attach(worker, 0, later, false)).toEqual({ kind: "not-found" });
    } finally {
      await worker.close();
      tmp.remove();
    }
  });
});
