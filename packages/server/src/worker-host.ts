// One partition worker thread as the main thread sees it: a piscina pool with exactly one thread
// (contract.ts), the events port it posts on, and its life across crashes.
//
// Owns: the pool, its events channel, the state of the thread, restarting it after a crash.
// Does not own: routing (partition-table.ts, dispatcher.ts), what the worker does (@cairn/partition).
//
// H1. Tasks run only on an opened thread: while starting or restarting, run() rejects at once with
//     UnavailableError (503), it never queues work for a thread that may not come back.
// H2. When the thread dies, every task pending on it is rejected (piscina rejects them; run() maps
//     that to a 503 saying the invocation may have been accepted) — never left hanging.
// H3. A crashed thread is replaced by a new pool whose `open` task recovers its partitions from
//     their logs; restarts back off from workerRestartInitialMs to workerRestartMaxMs.
// H4. A thread always opens with the newest schema: the snapshot is read when `open` is sent, and
//     a newer one that arrived meanwhile is pushed right after `open` answers (C4).
// H5. Each incarnation has its own events channel; an outbox-ack for a message sent by a dead
//     incarnation is dropped (the new incarnation resends from its durable outbox).
// H6. Hot-path tasks (ChannelTask: invoke, attach, signal, deliver) travel batched over the
//     incarnation's events port (task-channel.ts, contract C5), every other task as a piscina
//     task. Both obey H1 and H2: when the thread dies, every task pending on the channel is
//     rejected with the same 503 as a piscina task; on close, the answers the worker posted before
//     its `close` task answered are read off the port, and any task still unanswered is rejected.
//     At most concurrentTasks + queueMax channel tasks are pending (what piscina admitted: that
//     many running plus that many queued); past it run() rejects with WorkerOverloaded (429).

import { MessageChannel, type MessagePort } from "node:worker_threads";
import {
  channelTaskKinds,
  type ChannelTask,
  type MainEvent,
  type OpenResult,
  type OutboxMessage,
  type PartitionConfig,
  type SchemaSnapshot,
  type WorkerEvent,
  type WorkerTask,
} from "@cairn/partition";
import { Piscina } from "piscina";
import { workerRestartInitialMs, workerRestartMaxMs } from "./constants.js";
import type { Logger } from "./logger.js";
import { TaskChannel, type TaskChannelStats } from "./task-channel.js";

export type WorkerState = "starting" | "ready" | "restarting" | "closing" | "closed";

export interface WorkerHostOptions {
  readonly index: number;
  readonly partitions: readonly number[];
  readonly partitionCount: number;
  readonly dataDir: string;
  readonly config: PartitionConfig;
  /** The newest schema snapshot (H4). */
  readonly schema: () => SchemaSnapshot;
  /** The worker module piscina loads (`workerEntryPath` of @cairn/partition). */
  readonly filename: string;
  readonly concurrentTasks: number;
  readonly queueMax: number;
  readonly logger: Logger;
  /** An outbox message this worker wants delivered to another worker's partition. */
  readonly onOutbox: (from: WorkerHost, message: OutboxMessage, incarnation: number) => void;
}

/** Why a task could not run: the thread is not open, or died under it. */
export class WorkerUnavailable extends Error {
  constructor(
    message: string,
    /** true when the task may have taken effect before the thread died. */
    readonly mayHaveRun: boolean,
  ) {
    super(message);
    this.name = "WorkerUnavailable";
  }
}

interface Incarnation {
  readonly number: number;
  readonly pool: Piscina;
  readonly port: MessagePort;
  /** Hot-path tasks of this incarnation (H6). */
  readonly channel: TaskChannel;
  crashed: boolean;
}

export class WorkerHost {
  readonly index: number;
  readonly partitions: readonly number[];
  readonly #options: WorkerHostOptions;
  #state: WorkerState = "starting";
  #current: Incarnation | undefined;
  #incarnations = 0;
  #restartDelayMs = workerRestartInitialMs;
  #restartTimer: NodeJS.Timeout | undefined;
  #restarts = 0;
  #opened: Promise<void> | undefined;
  #notifyReady: (() => void) | undefined;

  constructor(options: WorkerHostOptions) {
    this.index = options.index;
    this.partitions = options.partitions;
    this.#options = options;
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** Tasks waiting to be sent: in the pool's queue, or queued for the channel's next flush; 0 while no thread is open. */
  get queueSize(): number {
    const current = this.#current;
    return current === undefined ? 0 : current.pool.queueSize + current.channel.queued;
  }

  /** Channel tasks (H6) of the current incarnation waiting for their answer. */
  get channelPending(): number {
    return this.#current?.channel.pending ?? 0;
  }

  /** Batches and tasks the current incarnation's channel has sent (H6). */
  get channelStats(): TaskChannelStats {
    return this.#current?.channel.stats ?? { batches: 0, tasks: 0, answerBatches: 0, answers: 0 };
  }

  /** Times the thread was restarted after a crash. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts the thread and opens its partitions; rejects if that fails (the server does not start). */
  async start(): Promise<OpenResult> {
    if (this.#state !== "starting") throw new Error(`worker ${this.index} was started twice`);
    const result = await this.#open();
    this.#state = "ready";
    return result;
  }

  /** Resolves once the thread is ready again (after a restart), or at once if it is. */
  async ready(): Promise<void> {
    if (this.#state === "ready") return;
    this.#opened ??= new Promise<void>((resolve) => (this.#notifyReady = resolve));
    await this.#opened;
  }

  /** Runs a task on the open thread (H1, H2), over the channel if it is a hot-path task (H6). */
  async run<T>(task: WorkerTask, transferList?: ArrayBuffer[]): Promise<T> {
    const current = this.#current;
    if (this.#state !== "ready" || current === undefined) {
      throw new WorkerUnavailable(this.#unavailableMessage(), false);
    }
    if (isChannelTask(task)) return current.channel.call<T>(task, transferList);
    try {
      return (await current.pool.run(task, transferList === undefined ? {} : { transferList })) as T;
    } catch (error) {
      if (current.crashed || isThreadDeath(error)) throw new WorkerUnavailable(this.#stoppedMessage(), true);
      throw error;
    }
  }

  /** Acknowledges an outbox message on the port of the incarnation that sent it (H5). */
  ack(incarnation: number, fromPartition: number, seq: number): void {
    const current = this.#current;
    if (current === undefined || current.number !== incarnation || current.crashed) return;
    const event: MainEvent = { kind: "outbox-ack", fromPartition, seq };
    current.port.postMessage(event);
  }

  /** Pushes a schema to the open thread; a thread that is not open gets it when it opens (H4). */
  async pushSchema(schema: SchemaSnapshot): Promise<void> {
    if (this.#state !== "ready") return;
    try {
      await this.run<void>({ kind: "schema", schema });
    } catch (error) {
      if (!(error instanceof WorkerUnavailable)) throw error;
    }
  }

  /** Closes the partitions (pending requests are rejected by the worker), then the thread. */
  async close(): Promise<void> {
    if (this.#state === "closed" || this.#state === "closing") return;
    const wasReady = this.#state === "ready";
    this.#state = "closing";
    clearTimeout(this.#restartTimer);
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) {
      this.#state = "closed";
      return;
    }
    if (wasReady && !current.crashed) {
      try {
        await current.pool.run({ kind: "close" } satisfies WorkerTask);
      } catch (error) {
        this.#options.logger("warn", `worker ${this.index} did not close cleanly`, { worker: this.index, error: describe(error) });
      }
      // H6: the worker posted its last answers (W3) before `close` answered on the pool's port.
      current.channel.drain((message) => this.#onEvent(current, message as WorkerEvent));
    }
    await this.#dispose(current);
    this.#state = "closed";
  }

  /** Test hook: kills the thread as a crash would (internal.ts). */
  async terminateThread(): Promise<void> {
    const thread = this.#current?.pool.threads[0];
    if (thread === undefined) throw new Error(`worker ${this.index} has no thread to terminate`);
    await thread.terminate();
  }

  async #open(): Promise<OpenResult> {
    const number = ++this.#incarnations;
    const { port1, port2 } = new MessageChannel();
    const pool = new Piscina({
      filename: this.#options.filename,
      name: "default",
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: this.#options.concurrentTasks,
      maxQueue: this.#options.queueMax,
      // A partition works between tasks (attempts, timers, outbox resends). With atomics on, an
      // idle piscina thread sleeps in Atomics.wait and its event loop stops until the next task.
      atomics: "disabled",
    });
    const channel = new TaskChannel(port1, this.#options.concurrentTasks + this.#options.queueMax);
    const incarnation: Incarnation = { number, pool, port: port1, channel, crashed: false };
    this.#current = incarnation;
    port1.on("message", (event: WorkerEvent) => this.#onEvent(incarnation, event));
    pool.on("workerDestroy", () => this.#onCrash(incarnation, "the worker thread exited"));
    pool.on("error", (error: unknown) => this.#onCrash(incarnation, describe(error)));

    const schema = this.#options.schema();
    let result: OpenResult;
    try {
      result = (await pool.run(
        {
          kind: "open",
          workerIndex: this.index,
          partitions: [...this.partitions],
          partitionCount: this.#options.partitionCount,
          dataDir: this.#options.dataDir,
          config: this.#options.config,
          schema,
          events: port2,
        } satisfies WorkerTask,
        { transferList: [port2] },
      )) as OpenResult;
    } catch (error) {
      incarnation.crashed = true;
      await this.#dispose(incarnation);
      throw new Error(`worker ${this.index} could not open partitions ${this.partitions.join(", ")}: ${describe(error)}`, { cause: error });
    }
    const latest = this.#options.schema();
    if (latest.version > schema.version) await pool.run({ kind: "schema", schema: latest } satisfies WorkerTask);
    return result;
  }

  #onEvent(incarnation: Incarnation, event: WorkerEvent): void {
    if (incarnation.crashed) return;
    if (event.kind === "answers") {
      incarnation.channel.onAnswers(event);
    } else if (event.kind === "outbox") {
      this.#options.onOutbox(this, event.message, incarnation.number);
    } else if (event.kind === "log") {
      this.#options.logger(event.level, event.message, { worker: this.index, ...event.fields });
    }
  }

  #onCrash(incarnation: Incarnation, reason: string): void {
    if (incarnation.crashed || this.#current !== incarnation) return;
    if (this.#state === "closing" || this.#state === "closed") return;
    incarnation.crashed = true;
    const wasReady = this.#state === "ready";
    this.#options.logger("error", `worker ${this.index} crashed: ${reason}`, { worker: this.index, partitions: this.partitions });
    incarnation.channel.fail(new WorkerUnavailable(this.#stoppedMessage(), true)); // H2, H6
    void this.#dispose(incarnation);
    // While starting or restarting, the pending `open` fails and its caller (start() or #restart())
    // decides what comes next; scheduling here too would run two restarts at once.
    if (!wasReady) return;
    this.#state = "restarting";
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    clearTimeout(this.#restartTimer);
    const delayMs = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, workerRestartMaxMs);
    this.#restartTimer = setTimeout(() => void this.#restart(), delayMs);
  }

  async #restart(): Promise<void> {
    if (this.#state !== "restarting") return;
    try {
      const result = await this.#open();
      if (this.#state !== "restarting") return;
      this.#state = "ready";
      this.#restarts += 1;
      this.#restartDelayMs = workerRestartInitialMs;
      this.#options.logger("info", `worker ${this.index} restarted`, { worker: this.index, recovered: result.recovered });
      this.#notifyReady?.();
      this.#opened = undefined;
      this.#notifyReady = undefined;
    } catch (error) {
      if (this.#state !== "restarting") return;
      this.#options.logger("error", `worker ${this.index} failed to restart; retrying`, { worker: this.index, error: describe(error) });
      this.#scheduleRestart();
    }
  }

  async #dispose(incarnation: Incarnation): Promise<void> {
    // Whatever is still pending now will never be answered (H6): nothing hangs.
    incarnation.channel.fail(new WorkerUnavailable(this.#unavailableMessage(), false));
    incarnation.port.close();
    try {
      await incarnation.pool.destroy();
    } catch {
      // A pool whose thread already died may fail to destroy cleanly; there is nothing left to free.
    }
  }

  #stoppedMessage(): string {
    return `worker ${this.index} (partitions ${this.partitions.join(", ")}) stopped while running the request; it restarts and recovers its partitions from their logs`;
  }

  #unavailableMessage(): string {
    const what = `worker ${this.index} (partitions ${this.partitions.join(", ")})`;
    switch (this.#state) {
      case "starting":
        return `${what} is starting`;
      case "restarting":
        return `${what} is restarting after a crash and recovering its partitions from their logs; retry shortly`;
      default:
        return "the server is shutting down";
    }
  }
}

function isChannelTask(task: WorkerTask): task is ChannelTask {
  return (channelTaskKinds as readonly string[]).includes(task.kind);
}

function isThreadDeath(error: unknown): boolean {
  return error instanceof Error && /worker exited|Terminating worker thread|thread was terminated/i.test(error.message);
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === "string" ? `${code}: ` : ""}${(error as { message: string }).message}`;
  }
  return String(error);
}
