// A whole Cairn server in one process: the data directory, the admin API and metadata, the
// partition workers (one piscina pool of one thread each) and the ingress, wired together.
//
// Owns: start and close order, the partition table, relaying outbox messages between workers,
// pushing schema changes to workers and ingress.
//
// S1. Nothing listens before every worker has opened (recovered) its partitions: the first request
//     a client can send already finds its partition ready.
// S2. A schema change reaches every open worker, then the ingress, before the admin call answers
//     (A2): a request the ingress routes by the new schema finds it on the worker.
// S3. An outbox message is acknowledged to its sender only after the receiving worker's `deliver`
//     task resolved, i.e. the message is durable on the receiver (C2, D1).
// S4. close() stops accepting first, then closes the workers (their pending requests are answered
//     with 503, their appends finish), then releases the data directory. It is idempotent.
// S5. An outbox message for a worker that is opening is delivered as soon as it is open, not
//     after its sender's resend timeout.

import { Admin, setInvocationControl, sqlMetadataRows, startAdminServer, type AdminServer } from "@cairn/admin";
import { QueryEngine } from "@cairn/introspection";
import { compileIngressSchema, IngressHandler, startIngress, type IngressImplementation, type IngressServer } from "@cairn/ingress";
import { defaultOutboxLengthMax, requestBodyBytesLimit, workerEntryPath, type OpenResult, type OutboxMessage, type PartitionConfig, type RetryPolicy } from "@cairn/partition";
import {
  defaultAbortTimeoutMs,
  defaultAdminPort,
  defaultBind,
  defaultCloseGraceMs,
  defaultDataDir,
  defaultInactivityTimeoutMs,
  defaultInboxLengthMax,
  defaultInflightInvocationsMax,
  defaultIngressPort,
  defaultRetryPolicy,
  defaultWorkerQueueMax,
  defaultWorkers,
  outboxRelayMax,
  outboxRelayPollMs,
  outboxRelayWaitMaxMs,
  serverVersion,
  workerConcurrencyHeadroom,
} from "./constants.js";
import { createStateHook } from "./admin-hooks.js";
import { openDataDir } from "./data-dir.js";
import { createDispatcher } from "./dispatcher.js";
import { createInvocationControl } from "./invocation-control.js";
import { InvalidOptionsError, WorkerStartError } from "./errors.js";
import { silentLogger, type Logger } from "./logger.js";
import { PartitionTable } from "./partition-table.js";
import { WorkerHost, WorkerUnavailable, describe } from "./worker-host.js";
import { createMetricsScraper } from "./metrics.js";
import { tracesUrl } from "@cairn/telemetry";

export interface ServerOptions {
  /** Default `./cairn-data`. Created if missing. */
  readonly dataDir?: string;
  /** Default 8080; 0 picks a free port. */
  readonly ingressPort?: number;
  /** Default 9070; 0 picks a free port. */
  readonly adminPort?: number;
  /** Address both listeners bind. Default 127.0.0.1. */
  readonly bind?: string;
  /** Partitions of a new data directory (default 4); must match an existing one's if given. */
  readonly partitions?: number;
  /** Worker threads; default min(partitions, cores); at most partitions. */
  readonly workers?: number;
  /** Default inactivity timeout of an attempt (60 s). */
  readonly inactivityTimeoutMs?: number;
  /** Default abort timeout of an attempt (10 min). */
  readonly abortTimeoutMs?: number;
  /** Default retry policy of invocations (Restate's: 500 ms ×2 up to 60 s, 70 attempts, then pause). */
  readonly retryPolicy?: Partial<RetryPolicy>;
  /** Invocations admitted per partition and not completed (10 000). */
  readonly inflightInvocationsMax?: number;
  /** Invocations waiting per virtual-object key (1 000). */
  readonly inboxLengthMax?: number;
  /** Messages to other partitions not yet acknowledged, per partition; past it new invocations get 429 (10 000). */
  readonly outboxLengthMax?: number;
  /** Tasks queued per worker beyond its concurrency (1 000). */
  readonly workerQueueMax?: number;
  /** Request bodies larger than this are refused with 413 (32 MiB, also the most a log record carries). */
  readonly requestBodyBytesMax?: number;
  /** Ingress requests served at once; past it 429 (10 000). */
  readonly ingressInflightRequestsMax?: number;
  /** `auto` (uWebSockets.js if it loads, else node:http), `uws` or `node`. */
  readonly ingressImplementation?: IngressImplementation | "auto";
  /** How long close() lets ingress answers flush (5 s). */
  readonly closeGraceMs?: number;
  /** Log appends fsync (default true; only tests of logic may turn it off). */
  readonly fsync?: boolean;
  readonly logger?: Logger;
  /** Least severe level the workers send to `logger` (default debug: `logger` filters). */
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /**
   * Traces: base URL of an OTLP/HTTP receiver (spans go to `{url}/v1/traces`, protobuf). Absent
   * (the default) = tracing off, with no tracer or exporter created.
   */
  readonly tracingEndpoint?: string;
  /** `service.name` of the exported spans' resource (default `cairn-server`). */
  readonly tracingServiceName?: string;
  /** Rows one `POST /query` may return (10 000); past it the query fails with 400. */
  readonly queryRowsMax?: number;
  /** Time one `POST /query` may run (10 s); past it its process is killed and it answers 408. */
  readonly queryTimeoutMs?: number;
  /** The worker module piscina loads; default `workerEntryPath` of @cairn/partition. */
  readonly workerModule?: string;
}

export interface CairnServer {
  readonly ingressPort: number;
  readonly adminPort: number;
  readonly ingressUrl: string;
  readonly adminUrl: string;
  readonly ingressImplementation: IngressImplementation;
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly partitions: number;
  readonly workers: number;
  /** What each partition replayed when its worker opened. */
  readonly recovered: OpenResult["recovered"];
  /** Stops the server (S4); safe to call more than once. */
  close(): Promise<void>;
}

/** Test-only access to a running server's parts (src/internal.ts). */
export const serverInternals = new WeakMap<CairnServer, { readonly workers: readonly WorkerHost[]; readonly ingress: IngressHandler }>();

export async function startServer(options: ServerOptions = {}): Promise<CairnServer> {
  const logger = options.logger ?? silentLogger;
  const bind = options.bind ?? defaultBind;
  const ingressPort = port(options.ingressPort ?? defaultIngressPort, "ingressPort");
  const adminPort = port(options.adminPort ?? defaultAdminPort, "adminPort");
  const config: PartitionConfig = {
    inactivityTimeoutMs: positive(options.inactivityTimeoutMs ?? defaultInactivityTimeoutMs, "inactivityTimeoutMs"),
    abortTimeoutMs: positive(options.abortTimeoutMs ?? defaultAbortTimeoutMs, "abortTimeoutMs"),
    defaultRetryPolicy: retryPolicy(options.retryPolicy),
    inflightInvocationsMax: positive(options.inflightInvocationsMax ?? defaultInflightInvocationsMax, "inflightInvocationsMax"),
    inboxLengthMax: positive(options.inboxLengthMax ?? defaultInboxLengthMax, "inboxLengthMax"),
    outboxLengthMax: positive(options.outboxLengthMax ?? defaultOutboxLengthMax, "outboxLengthMax"),
    fsync: options.fsync ?? true,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.tracingEndpoint === undefined ? {} : { tracing: tracingConfig(options.tracingEndpoint, options.tracingServiceName) }),
  };
  const workerQueueMax = positive(options.workerQueueMax ?? defaultWorkerQueueMax, "workerQueueMax");
  if (options.partitions !== undefined) positive(options.partitions, "partitions");

  const dataDir = await openDataDir(options.dataDir ?? defaultDataDir, options.partitions);
  const cleanups: (() => Promise<void>)[] = [() => dataDir.release()];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        logger("warn", "cleanup step failed", { error: describe(error) });
      }
    }
  };

  try {
    const partitions = dataDir.partitions;
    const workerCount = options.workers ?? defaultWorkers(partitions);
    if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > partitions) {
      throw new InvalidOptionsError(`workers must be an integer in [1, ${partitions}] (the partition count), got ${workerCount}`);
    }

    const admin = await Admin.open({
      metadataDir: dataDir.metadataDir,
      defaults: { inactivityTimeoutMs: config.inactivityTimeoutMs, abortTimeoutMs: config.abortTimeoutMs, retryPolicy: config.defaultRetryPolicy },
    });

    // Outbox relay (S3), bounded: past outboxRelayMax a message is dropped, and its sender resends it.
    // A message for a worker that is still opening (at start, or restarting after a crash) waits
    // until it opens, polling every outboxRelayPollMs up to outboxRelayWaitMaxMs, instead of
    // leaving it to the sender's resend (S5).
    const routing: { table?: PartitionTable } = {};
    let relaying = 0;
    let stopped = false;
    const relay = (from: WorkerHost, message: OutboxMessage, incarnation: number): void => {
      if (!Number.isInteger(message.toPartition) || message.toPartition < 0 || message.toPartition >= partitions) {
        logger("error", "outbox message for an unknown partition dropped", { from: message.fromPartition, to: message.toPartition, seq: message.seq });
        return;
      }
      if (relaying >= outboxRelayMax) return;
      relaying += 1;
      const deliver = async (): Promise<void> => {
        const deadline = Date.now() + outboxRelayWaitMaxMs;
        for (;;) {
          const table = routing.table;
          try {
            if (table === undefined) throw new WorkerUnavailable("the workers are still opening", false);
            await table.workerOfPartition(message.toPartition).run<void>({ kind: "deliver", partition: message.toPartition, message });
            from.ack(incarnation, message.fromPartition, message.seq);
            return;
          } catch (error) {
            // A delivery that may have run is safe to repeat: the receiver deduplicates on (from, seq).
            if (!(error instanceof WorkerUnavailable) || stopped || Date.now() >= deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, outboxRelayPollMs));
          }
        }
      };
      deliver()
        .catch((error: unknown) => logger("debug", "outbox delivery failed; the sender resends", { from: message.fromPartition, to: message.toPartition, seq: message.seq, error: describe(error) }))
        .finally(() => {
          relaying -= 1;
        });
    };

    const partitionsPerWorker = Math.ceil(partitions / workerCount);
    const hosts = Array.from(
      { length: workerCount },
      (_, index) =>
        new WorkerHost({
          index,
          partitions: PartitionTable.partitionsOf(index, partitions, workerCount),
          partitionCount: partitions,
          dataDir: dataDir.path,
          config,
          schema: () => admin.snapshot,
          filename: options.workerModule ?? workerEntryPath,
          concurrentTasks: partitionsPerWorker * config.inflightInvocationsMax + workerConcurrencyHeadroom,
          queueMax: workerQueueMax,
          logger,
          onOutbox: relay,
        }),
    );
    cleanups.push(async () => {
      await Promise.all(hosts.map((host) => host.close()));
    });
    let recovered: OpenResult["recovered"];
    try {
      recovered = (await Promise.all(hosts.map((host) => host.start()))).flatMap((result) => result.recovered).sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw new WorkerStartError(describe(error), { cause: error });
    }
    const table = new PartitionTable(partitions, hosts);
    routing.table = table;
    setInvocationControl(admin, createInvocationControl(table));

    const handler = new IngressHandler({
      dispatcher: createDispatcher(table),
      schema: compileIngressSchema(admin.services),
      ...(options.requestBodyBytesMax === undefined ? {} : { requestBodyBytesMax: bodyLimit(options.requestBodyBytesMax) }),
      ...(options.ingressInflightRequestsMax === undefined ? {} : { inflightRequestsMax: positive(options.ingressInflightRequestsMax, "ingressInflightRequestsMax") }),
    });
    admin.setSchemaListener(async ({ snapshot, services }) => {
      // The change is already durable (A2): a worker that fails to take it is logged, not allowed
      // to fail the admin call or to keep the ingress on the old schema. A worker that is not open
      // gets the newest snapshot when it (re)opens (H4).
      const pushed = await Promise.allSettled(hosts.map((host) => host.pushSchema(snapshot)));
      pushed.forEach((result, index) => {
        if (result.status === "rejected") {
          logger("error", `worker ${index} did not take schema version ${snapshot.version}`, { worker: index, error: describe(result.reason) });
        }
      });
      handler.setSchema(compileIngressSchema(services));
      logger("info", "schema updated", { version: snapshot.version, services: Object.keys(snapshot.services) });
    });

    const ingress: IngressServer = await startIngress({ handler, host: bind, port: ingressPort, implementation: options.ingressImplementation ?? "auto" });
    const closeGraceMs = options.closeGraceMs ?? defaultCloseGraceMs;
    let ingressClosing: Promise<void> | undefined;
    const closeIngress = (): Promise<void> => (ingressClosing ??= ingress.close(closeGraceMs));
    cleanups.splice(1, 0, closeIngress); // after the workers in reverse order: ingress first
    const ingressUrl = `http://${urlHost(bind)}:${ingress.port}`;

    const metrics = createMetricsScraper(hosts);
    cleanups.push(() => Promise.resolve(metrics.close()));
    // SQL introspection reads the partition stores, so it opens after the workers (S1) and closes
    // before them (S4).
    const queryEngine = new QueryEngine({
      dataDir: dataDir.path,
      partitions,
      metadata: () => sqlMetadataRows(admin.state),
      ...(options.queryRowsMax === undefined ? {} : { rowsMax: positive(options.queryRowsMax, "queryRowsMax") }),
      ...(options.queryTimeoutMs === undefined ? {} : { timeoutMs: positive(options.queryTimeoutMs, "queryTimeoutMs") }),
    });
    cleanups.push(() => queryEngine.close());
    const adminServer: AdminServer = await startAdminServer(admin, {
      host: bind,
      port: adminPort,
      serverVersion,
      ingressUrl: `${ingressUrl}/`,
      query: async (sql, accept) => {
        // The workers group-commit their stores (partition R5); the query reads them from another
        // connection, so it first asks for the open transactions to commit (read your own writes).
        // A worker that cannot answer (restarting) is skipped: its store is as its replay left it.
        await Promise.allSettled(hosts.map((host) => host.run({ kind: "commit-stores" })));
        return queryEngine.query(sql, accept);
      },
      setState: createStateHook(table),
      metrics: () => metrics.scrape(),
    });
    cleanups.push(() => adminServer.close());
    const adminUrl = `http://${urlHost(bind)}:${adminServer.port}`;

    logger("info", "cairn server started", {
      version: serverVersion,
      ingress: ingressUrl,
      admin: adminUrl,
      ingressImplementation: ingress.implementation,
      ...(ingress.fallbackReason === undefined ? {} : { uwsUnavailable: ingress.fallbackReason }),
      dataDir: dataDir.path,
      dataDirCreated: dataDir.created,
      partitions,
      workers: workerCount,
      recovered,
      tracing: config.tracing === undefined ? "off" : tracesUrl(config.tracing.endpoint),
    });

    let closing: Promise<void> | undefined;
    const server: CairnServer = {
      ingressPort: ingress.port,
      adminPort: adminServer.port,
      ingressUrl,
      adminUrl,
      ingressImplementation: ingress.implementation,
      dataDir: dataDir.path,
      partitions,
      workers: workerCount,
      recovered,
      close: () =>
        (closing ??= (async () => {
          logger("info", "cairn server stopping", {});
          stopped = true;
          const ingressClosed = closeIngress(); // stops accepting at once
          await adminServer.close();
          await queryEngine.close();
          await Promise.all(hosts.map((host) => host.close()));
          await ingressClosed;
          await dataDir.release();
          metrics.close();
          logger("info", "cairn server stopped", {});
        })()),
    };
    serverInternals.set(server, { workers: hosts, ingress: handler });
    return server;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function tracingConfig(endpoint: string, serviceName: string | undefined): NonNullable<PartitionConfig["tracing"]> {
  try {
    tracesUrl(endpoint);
  } catch (error) {
    throw new InvalidOptionsError(`tracingEndpoint: ${error instanceof Error ? error.message : String(error)}`);
  }
  return serviceName === undefined ? { endpoint } : { endpoint, serviceName };
}

function port(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new InvalidOptionsError(`${name} must be a port number in [0, 65535], got ${value}`);
  return value;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidOptionsError(`${name} must be a positive number, got ${value}`);
  return value;
}

function bodyLimit(value: number): number {
  positive(value, "requestBodyBytesMax");
  if (value > requestBodyBytesLimit) throw new InvalidOptionsError(`requestBodyBytesMax must be at most ${requestBodyBytesLimit} bytes (what one log record carries), got ${value}`);
  return value;
}

function retryPolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...overrides };
  positive(policy.initialIntervalMs, "retryPolicy.initialIntervalMs");
  positive(policy.maxIntervalMs, "retryPolicy.maxIntervalMs");
  positive(policy.maxAttempts, "retryPolicy.maxAttempts");
  if (!(policy.exponentiationFactor >= 1)) throw new InvalidOptionsError(`retryPolicy.exponentiationFactor must be ≥ 1, got ${policy.exponentiationFactor}`);
  if (policy.onMaxAttempts !== "PAUSE" && policy.onMaxAttempts !== "KILL") {
    throw new InvalidOptionsError(`retryPolicy.onMaxAttempts must be PAUSE or KILL, got ${String(policy.onMaxAttempts)}`);
  }
  return policy;
}

function urlHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "") return "127.0.0.1";
  if (bind === "::") return "[::1]";
  return bind.includes(":") ? `[${bind}]` : bind;
}
