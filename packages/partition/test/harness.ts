// Shared helpers of the partition tests: a hand-built schema snapshot, invocation ids routed to a
// chosen partition, and the worker entry driven in-process over a real MessageChannel.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { formatInvocationId, invocationIdPartitionKey, newInvocationId } from "@cairn/protocol";
import {
  partitionOf,
  type InvokeRequest,
  type InvokeResult,
  type OpenResult,
  type PartitionConfig,
  type SchemaSnapshot,
  type ServiceInfo,
  type WorkerEvent,
  type WorkerTask,
} from "@cairn/partition";
import type { Log } from "@cairn/log";
import { decodeCommand, emptyEffects, encodeCommand, handleTask, type Command, type Effects, type Processor, type Store } from "../src/internal.js";

export const testConfig: PartitionConfig = {
  inactivityTimeoutMs: 60_000,
  abortTimeoutMs: 600_000,
  defaultRetryPolicy: { initialIntervalMs: 50, exponentiationFactor: 2, maxIntervalMs: 500, maxAttempts: 70, onMaxAttempts: "PAUSE" },
  inflightInvocationsMax: 1000,
  inboxLengthMax: 100,
  fsync: false,
};

export function tempDir(prefix = "cairn-partition-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type HandlerSpec = Partial<ServiceInfo["handlers"][string]> & { name: string };

/** A schema snapshot with one deployment serving the given services. */
export function schemaFor(
  uri: string,
  services: { name: string; ty: ServiceInfo["ty"]; handlers: HandlerSpec[] }[],
  options: { maxProtocolVersion?: number; version?: number; deploymentId?: string } = {},
): SchemaSnapshot {
  const deploymentId = options.deploymentId ?? "dp_1testdeployment00000000";
  const snapshot: SchemaSnapshot = {
    version: options.version ?? 1,
    deployments: {
      [deploymentId]: {
        id: deploymentId,
        uri,
        useHttp11: false,
        additionalHeaders: {},
        minProtocolVersion: 5,
        maxProtocolVersion: options.maxProtocolVersion ?? 7,
      },
    },
    services: {},
  };
  for (const service of services) {
    const handlers: ServiceInfo["handlers"] = {};
    for (const h of service.handlers) handlers[h.name] = { public: true, ty: undefined, ...h };
    snapshot.services[service.name] = { name: service.name, ty: service.ty, deploymentId, revision: 1, public: true, handlers };
  }
  return snapshot;
}

/** A fresh `inv_1…` id for an unkeyed target that routes to `partition` of `count`. */
export function idOnPartition(partition: number, count: number): string {
  for (;;) {
    const raw = newInvocationId();
    if (partitionOf(invocationIdPartitionKey(raw), count) === partition) return formatInvocationId(raw);
  }
}

/** A fresh id for a keyed target (its partition follows from the key). */
export function idForKey(key: string): string {
  return formatInvocationId(newInvocationId({ key }));
}

export function partitionOfId(id: string, count: number): number {
  return partitionOf(invocationIdPartitionKey(parseRaw(id)), count);
}

import { parseInvocationId } from "@cairn/protocol";
function parseRaw(id: string): Uint8Array {
  return parseInvocationId(id);
}

export interface InProcessWorker {
  open: OpenResult;
  events: WorkerEvent[];
  port: MessagePort;
  invoke(partition: number, request: InvokeRequest): Promise<InvokeResult>;
  /** Any task (attach, signal, …), answered as the worker answers it. */
  run(task: WorkerTask): Promise<unknown>;
  close(): Promise<void>;
}

/** Opens the worker entry in this thread; `mainPort` sees its events. */
export async function openWorker(options: {
  dataDir: string;
  partitions: number[];
  partitionCount: number;
  schema: SchemaSnapshot;
  config?: PartitionConfig;
  onEvent?: (event: WorkerEvent, mainPort: MessagePort) => void;
}): Promise<InProcessWorker> {
  const channel = new MessageChannel();
  const events: WorkerEvent[] = [];
  channel.port2.on("message", (event: WorkerEvent) => {
    events.push(event);
    options.onEvent?.(event, channel.port2);
  });
  const open = (await handleTask({
    kind: "open",
    workerIndex: 0,
    partitions: options.partitions,
    partitionCount: options.partitionCount,
    dataDir: options.dataDir,
    config: options.config ?? testConfig,
    schema: options.schema,
    events: channel.port1,
  })) as OpenResult;
  return {
    open,
    events,
    port: channel.port2,
    invoke: async (partition, request) => (await handleTask({ kind: "invoke", partition, request })) as InvokeResult,
    run: (task) => handleTask(task),
    close: async () => {
      await handleTask({ kind: "close" });
      channel.port2.close();
    },
  };
}

export function jsonBody(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function request(service: string, handler: string, body: unknown, extra: Partial<InvokeRequest> & { invocationId: string }): InvokeRequest {
  return { service, handler, headers: [["content-type", "application/json"]], body: jsonBody(body), mode: "call", ...extra };
}

/** The JSON value of a completed invocation, or throws with its failure. */
export function valueOf(result: InvokeResult): unknown {
  if (result.kind !== "completed") throw new Error(`not completed: ${JSON.stringify(result)}`);
  if ("failure" in result.outcome) throw new Error(`failed: ${result.outcome.failure.code} ${result.outcome.failure.message}`);
  return JSON.parse(new TextDecoder().decode(result.outcome.value)) as unknown;
}

/** Appends each command to the log, then applies it at its LSN in its own transaction. */
export async function run(log: Log, store: Store, processor: Processor, commands: Command[]): Promise<Effects> {
  const fx = emptyEffects();
  for (const command of commands) {
    const bytes = encodeCommand(command);
    const lsn = await log.append(bytes);
    store.db.transaction(() => processor.apply(decodeCommand(bytes), lsn, fx))();
  }
  return fx;
}
