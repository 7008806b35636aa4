// Defaults and limits of a whole Cairn server. Units are in the names; every queue has a bound (D5).

import { availableParallelism } from "node:os";
import type { RetryPolicy } from "@cairn/partition";

export const serverVersion = "0.1.0";

export const defaultDataDir = "./cairn-data";
export const defaultIngressPort = 8080;
export const defaultAdminPort = 9070;
export const defaultBind = "127.0.0.1";

/**
 * Partitions of a new data directory (fixed for its life): one per core, so that every core can
 * run a worker thread, and each worker owns one partition — one log and one store, whose group
 * commit and apply transaction then batch every append of that worker. Measured on 2 cores with
 * the official-SDK greet at 50 connections: 2 partitions use ~12 % less server CPU per request
 * than 4 (two logs, two fsync streams and two SQLite stores per worker). Choose more with
 * --partitions when creating a data dir that will move to a bigger machine.
 */
export const defaultPartitions = Math.max(1, Math.min(16, availableParallelism()));
/** Largest partition count accepted. */
export const partitionsMax = 1024;

/** Worker threads: one per core, never more than partitions (a worker without partitions is idle). */
export function defaultWorkers(partitions: number): number {
  return Math.max(1, Math.min(partitions, availableParallelism()));
}

/** Attempt inactivity timeout (Restate: 60 s); the invoker ends the request body when it fires. */
export const defaultInactivityTimeoutMs = 60_000;
/** Attempt abort timeout (Restate: 10 min). */
export const defaultAbortTimeoutMs = 10 * 60_000;
/** Restate 1.7's default invocation retry policy. */
export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  initialIntervalMs: 500,
  exponentiationFactor: 2,
  maxIntervalMs: 60_000,
  maxAttempts: 70,
  onMaxAttempts: "PAUSE",
});

/** Invocations admitted to one partition and not yet completed (past it → 429). */
export const defaultInflightInvocationsMax = 10_000;
/** Invocations waiting in one virtual-object key's inbox (past it → 429). */
export const defaultInboxLengthMax = 1_000;
/** Tasks queued for one worker when it is at its concurrency limit (piscina maxQueue; past it → 429). */
export const defaultWorkerQueueMax = 1_000;
/** Tasks above the partitions' own in-flight bounds a worker may run at once (deliveries, schema pushes, calls waiting). */
export const workerConcurrencyHeadroom = 4_096;

/**
 * Tasks in one task-channel message (task-channel.ts T3): a turn that queues more sends them in
 * messages of this many, so no single structured clone grows with a burst. uWS hands at most a few
 * hundred requests to one event-loop turn; greet at 50 connections batches ≈ 6.
 */
export const taskBatchTasksMax = 512;
/** Outbox messages being relayed between workers at once; past it a message is dropped and its sender resends it. */
export const outboxRelayMax = 4_096;
/** How often a relayed outbox message retries a worker that is still opening (S5). */
export const outboxRelayPollMs = 25;
/** How long a relayed outbox message waits for its worker to open before its sender resends it. */
export const outboxRelayWaitMaxMs = 60_000;

/** First wait before restarting a crashed worker; doubles per failed restart up to the max. */
export const workerRestartInitialMs = 100;
export const workerRestartMaxMs = 5_000;

/** How long GET /metrics waits for one worker's snapshot before leaving it out. */
export const metricsScrapeTimeoutMs = 2_000;

/** How long close() lets in-flight ingress requests finish before dropping their connections. */
export const defaultCloseGraceMs = 5_000;

if (workerRestartInitialMs > workerRestartMaxMs) throw new Error("workerRestartInitialMs exceeds workerRestartMaxMs");
if (defaultPartitions > partitionsMax) throw new Error("defaultPartitions exceeds partitionsMax");
