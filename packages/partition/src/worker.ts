// The partition worker entry: the module piscina loads in each partition worker thread. Its
// default export runs one WorkerTask and returns its answer (contract.ts).
//
// Owns: the module-level state of the thread — the open partitions (C1), the schema snapshot
// (C4), the invoker shared by the partitions, and the events port. Does not own: what a partition
// does (partition.ts).
//
// W1. Errors leave a task as WireError { code, message, stack } (C3).
// W2. An outbox message to a partition of this same thread is delivered in-process; to any other
//     partition it goes to the main thread as a WorkerEvent and counts as delivered only on the
//     matching MainEvent `outbox-ack`. Both paths make it durable on the receiver first (D1).
// W3. On `close`, every pending request of every partition is rejected (R4) before the task answers.
// W4. Every task of a TaskBatch (contract C5) is run as the piscina task of its kind would be and
//     answered exactly once, in an AnswerBatch. Answers that settle during one event-loop turn
//     leave in one postMessage, flushed from setImmediate (or at once at answerBatchMax answers). `close` flushes the answers of the
//     requests it rejected (W3) before it answers, so the main thread finds them on the events
//     port by the time it reads the `close` task's answer.
import type { MessagePort } from "node:worker_threads";
import { Invoker } from "@cairn/invoker";
import { WorkerMetrics, levelEnabled } from "@cairn/telemetry";
import {
  channelTaskKinds,
  type AnswerBatch,
  type MainEvent,
  type MetricsTaskResult,
  type OpenResult,
  type OutboxMessage,
  type PartitionConfig,
  type SchemaSnapshot,
  type TaskBatch,
  type WireError,
  type WorkerEvent,
  type WorkerTask,
} from "./contract.js";
import type { WorkerTelemetry } from "./partition-telemetry.js";
import { answerBatchMax, tracingCloseMs } from "./constants.js";
import { PartitionNotOwnedError, WorkerStateError, toWireError } from "./errors.js";
import { type Logger, Partition } from "./partition.js";

/** How long a message sent over the events port may wait for its ack before it is resent. */
const outboxAckTimeoutMs = 10_000;

interface WorkerState {
  workerIndex: number;
  partitionCount: number;
  config: PartitionConfig;
  schema: SchemaSnapshot;
  partitions: Map<number, Partition>;
  events: MessagePort;
  invoker: Invoker;
  acks: Map<string, { resolve: () => void; timer: NodeJS.Timeout }>;
  onEvent: (event: MainEvent) => void;
  telemetry: WorkerTelemetry;
  /** Answers of channel tasks waiting for the next flush (W4). */
  answers: AnswerBatch;
  answersScheduled: boolean;
}

let state: WorkerState | undefined;

/** Runs one task; the default export of the worker module. */
export default async function handleTask(task: WorkerTask): Promise<unknown> {
  try {
    return await dispatch(task);
  } catch (error) {
    // W1: a plain object, not an Error — structured clone drops an Error's own fields such as `code`.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toWireError(error);
  }
}

async function dispatch(task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case "open":
      return open(task);
    case "schema":
      if (state === undefined) throw new WorkerStateError("schema before open");
      if (task.schema.version > state.schema.version) state.schema = task.schema; // C4
      return undefined;
    case "invoke":
      return partitionOf(task.partition).invoke(task.request);
    case "deliver":
      return partitionOf(task.partition).deliver(task.message);
    case "attach":
      return partitionOf(task.partition).attach(task.invocationId, task.wait);
    case "signal":
      return partitionOf(task.partition).signal(task.invocationId, task.signalIndex, task.result);
    case "metrics":
      return metrics();
    case "commit-stores":
      for (const partition of state?.partitions.values() ?? []) partition.commitStore();
      return undefined;
    case "set-state":
      return partitionOf(task.partition).setState(task.service, task.key, task.entries, task.version);
    case "control":
      return partitionOf(task.partition).control(task.invocationId, task.op, task.deploymentId);
    case "close":
      return close();
  }
}

function partitionOf(partition: number): Partition {
  if (state === undefined) throw new WorkerStateError("task before open");
  const owned = state.partitions.get(partition);
  if (owned === undefined) throw new PartitionNotOwnedError(`partition ${partition} is not owned by worker ${state.workerIndex}`);
  return owned;
}

async function open(task: Extract<WorkerTask, { kind: "open" }>): Promise<OpenResult> {
  if (state !== undefined) throw new WorkerStateError(`worker ${state.workerIndex} is already open`);
  const events = task.events;
  // Off unless configured: no tracer, no exporter, no span objects, and OpenTelemetry is not even
  // loaded (its SDK costs ~150 ms of start-up per worker).
  const tracing = task.config.tracing;
  const tracer =
    tracing === undefined
      ? undefined
      : new (await import("@cairn/telemetry/tracing")).InvocationTracer({
          endpoint: tracing.endpoint,
          serviceName: tracing.serviceName ?? "cairn-server",
          resourceAttributes: { "cairn.worker": task.workerIndex },
        });
  const current: WorkerState = {
    workerIndex: task.workerIndex,
    partitionCount: task.partitionCount,
    config: task.config,
    schema: task.schema,
    partitions: new Map(),
    events,
    invoker: new Invoker(),
    acks: new Map(),
    onEvent: (event) => onMainEvent(current, event),
    telemetry: {
      metrics: new WorkerMetrics(task.workerIndex),
      tracer,
    },
    answers: { kind: "answers", ids: [], results: [], failures: [] },
    answersScheduled: false,
  };
  state = current;
  events.on("message", current.onEvent);
  const minimumLevel = task.config.logLevel ?? "debug";
  const logger: Logger = (level, message, fields) => {
    if (!levelEnabled(level, minimumLevel)) return;
    const event: WorkerEvent = { kind: "log", level, message };
    if (fields !== undefined) event.fields = fields;
    try {
      events.postMessage(event);
    } catch {
      // fields that do not clone are dropped rather than failing the caller
      events.postMessage({ kind: "log", level, message } satisfies WorkerEvent);
    }
  };
  const recovered: OpenResult["recovered"] = [];
  try {
    for (const p of task.partitions) {
      const { partition, recovered: r } = await Partition.open({
        partition: p,
        partitionCount: task.partitionCount,
        dataDir: task.dataDir,
        config: task.config,
        schema: () => current.schema,
        invoker: current.invoker,
        outbox: (message) => sendOutbox(current, message),
        logger,
        telemetry: current.telemetry,
      });
      current.partitions.set(p, partition);
      recovered.push({ partition: p, fromLsn: r.fromLsn, records: r.records });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { recovered };
}

/** Counters since open and gauges now, as plain snapshots for the main thread. */
function metrics(): MetricsTaskResult {
  if (state === undefined) throw new WorkerStateError("metrics before open");
  const depths = new Map([...state.partitions].map(([p, partition]) => [p, partition.depths()]));
  return { metrics: state.telemetry.metrics.collect(depths, state.invoker.connections, state.telemetry.tracer?.stats()) };
}

/** W2: in-process for partitions of this thread, the events port otherwise. */
function sendOutbox(current: WorkerState, message: OutboxMessage): Promise<void> {
  const local = current.partitions.get(message.toPartition);
  if (local !== undefined) return local.deliver(message);
  return new Promise<void>((resolve, reject) => {
    const key = `${message.fromPartition}:${message.seq}`;
    const timer = setTimeout(() => {
      current.acks.delete(key);
      reject(new Error(`no outbox-ack within ${outboxAckTimeoutMs} ms`));
    }, outboxAckTimeoutMs);
    current.acks.set(key, { resolve, timer });
    current.events.postMessage({ kind: "outbox", message } satisfies WorkerEvent);
  });
}

function onMainEvent(current: WorkerState, event: MainEvent): void {
  if (event.kind === "tasks") {
    runBatch(current, event);
    return;
  }
  if (event.kind !== "outbox-ack") return;
  const key = `${event.fromPartition}:${event.seq}`;
  const waiting = current.acks.get(key);
  if (waiting !== undefined) {
    current.acks.delete(key);
    clearTimeout(waiting.timer);
    waiting.resolve();
    return;
  }
  // An ack that arrived after its wait timed out still saves a resend.
  current.partitions.get(event.fromPartition)?.outboxAcked(event.seq);
}

/** W4: each task runs as its piscina task would; its answer joins the turn's AnswerBatch. */
function runBatch(current: WorkerState, batch: TaskBatch): void {
  const { ids, tasks } = batch;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    const task = tasks[i];
    if (task === undefined || !(channelTaskKinds as readonly string[]).includes(task.kind)) {
      answerFailure(current, id, toWireError(new Error(`task kind ${String(task?.kind)} cannot travel over the task channel`)));
      continue;
    }
    dispatch(task).then(
      (result) => {
        current.answers.ids.push(id);
        current.answers.results.push(result);
        scheduleAnswers(current);
      },
      (error: unknown) => answerFailure(current, id, toWireError(error)),
    );
  }
}

function answerFailure(current: WorkerState, id: number, error: WireError): void {
  current.answers.failures.push({ id, error });
  scheduleAnswers(current);
}

function scheduleAnswers(current: WorkerState): void {
  if (current.answers.ids.length + current.answers.failures.length >= answerBatchMax) {
    flushAnswers(current);
  } else if (!current.answersScheduled) {
    current.answersScheduled = true;
    setImmediate(onAnswersImmediate, current);
  }
}

function onAnswersImmediate(current: WorkerState): void {
  current.answersScheduled = false;
  flushAnswers(current);
}

function flushAnswers(current: WorkerState): void {
  const batch = current.answers;
  if (batch.ids.length === 0 && batch.failures.length === 0) return;
  current.answers = { kind: "answers", ids: [], results: [], failures: [] };
  try {
    current.events.postMessage(batch satisfies WorkerEvent);
    return;
  } catch {
    // An answer that does not clone: send each alone, and a failure for the one that fails.
  }
  for (let i = 0; i < batch.ids.length; i++) {
    const id = batch.ids[i] as number;
    try {
      current.events.postMessage({ kind: "answers", ids: [id], results: [batch.results[i]], failures: [] } satisfies WorkerEvent);
    } catch (error) {
      current.events.postMessage({ kind: "answers", ids: [], results: [], failures: [{ id, error: toWireError(error) }] } satisfies WorkerEvent);
    }
  }
  if (batch.failures.length > 0) current.events.postMessage({ kind: "answers", ids: [], results: [], failures: batch.failures } satisfies WorkerEvent);
}

async function close(): Promise<void> {
  const current = state;
  if (current === undefined) return;
  state = undefined;
  current.invoker.close();
  for (const { timer } of current.acks.values()) clearTimeout(timer);
  current.acks.clear();
  current.events.off("message", current.onEvent);
  const errors: unknown[] = [];
  for (const partition of current.partitions.values()) {
    try {
      await partition.close(); // W3
    } catch (error) {
      errors.push(error);
    }
  }
  // W4: the requests rejected above settle within this turn; their answers leave before `close` answers.
  await new Promise<void>((resolve) => setImmediate(resolve));
  flushAnswers(current);
  current.events.close();
  current.telemetry.metrics.close();
  const tracer = current.telemetry.tracer;
  if (tracer !== undefined) {
    // Exports what is queued, but a slow or unreachable collector never holds up close: past
    // tracingCloseMs the remaining spans are lost.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      tracer.shutdown().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, tracingCloseMs);
      }),
    ]);
    clearTimeout(timer);
  }
  if (errors.length > 0) throw errors[0];
}
