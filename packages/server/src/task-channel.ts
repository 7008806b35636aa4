// The main thread's end of the hot-path task channel to one worker incarnation (contract.ts C5):
// tasks are queued and flushed once per event-loop turn as one TaskBatch over the incarnation's
// events port; their answers come back in AnswerBatches and settle the callers' promises by id.
// It replaces one piscina task per request (a structured clone, a postMessage, piscina's task
// bookkeeping and an async resource each way) with one postMessage per turn per direction.
//
// Owns: task ids, the pending table, the outgoing batch and when it is flushed. Does not own: the
// port's life, or what a failure means to the caller (worker-host.ts).
//
// T1. A task is pending from call() until its answer arrives or fail() runs — never longer. fail()
//     settles every pending task, sent or not, with one error, and the channel accepts nothing
//     after it (call() rejects with that error).
// T2. At most pendingMax tasks are pending at once; past it call() rejects at once with
//     WorkerOverloaded and sends nothing (D5).
// T3. Every task queued during one event-loop turn leaves in one postMessage, flushed from
//     setImmediate (after the poll phase that delivered the requests), or at once when the batch
//     reaches taskBatchTasksMax tasks. A batch that cannot be cloned is resent task by task, so a
//     task that does not clone fails alone.
// T4. An answer whose id is not pending (its task already failed) is ignored.

import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { AnswerBatch, ChannelTask, MainEvent, TaskBatch } from "@cairn/partition";
import { taskBatchTasksMax } from "./constants.js";

/** The worker has as many tasks pending as it may (T2); the ingress answers 429. */
export class WorkerOverloaded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerOverloaded";
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface TaskChannelStats {
  /** TaskBatch messages posted. */
  readonly batches: number;
  /** Tasks sent in them. */
  readonly tasks: number;
  /** AnswerBatch messages received. */
  readonly answerBatches: number;
  /** Answers (results and failures) in them, counted whether or not still pending. */
  readonly answers: number;
}

export class TaskChannel {
  readonly #port: MessagePort;
  readonly #pendingMax: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  // The batch being filled (T3): parallel arrays, the grammar of TaskBatch plus per-task transfers.
  #ids: number[] = [];
  #tasks: ChannelTask[] = [];
  #transfers: (readonly ArrayBuffer[] | undefined)[] = [];
  #transferCount = 0;
  #flushScheduled = false;
  #failed: Error | undefined;
  #batches = 0;
  #sent = 0;
  #answerBatches = 0;
  #answers = 0;

  constructor(port: MessagePort, pendingMax: number) {
    if (!Number.isInteger(pendingMax) || pendingMax < 1) throw new RangeError(`pendingMax must be a positive integer, got ${pendingMax}`);
    this.#port = port;
    this.#pendingMax = pendingMax;
  }

  /** Tasks waiting for their answer, sent or not (T2 bounds it). */
  get pending(): number {
    return this.#pending.size;
  }

  /** Tasks queued for the next flush, not sent yet. */
  get queued(): number {
    return this.#ids.length;
  }

  get stats(): TaskChannelStats {
    return { batches: this.#batches, tasks: this.#sent, answerBatches: this.#answerBatches, answers: this.#answers };
  }

  /** Queues a task for the next flush; resolves with its answer, rejects with its WireError (C3). */
  call<T>(task: ChannelTask, transfer?: readonly ArrayBuffer[]): Promise<T> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed); // T1
    if (this.#pending.size >= this.#pendingMax) {
      return Promise.reject(new WorkerOverloaded(`${this.#pending.size} tasks are pending on the worker, its limit`)); // T2
    }
    const id = ++this.#nextId;
    const answer = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.#ids.push(id);
    this.#tasks.push(task);
    this.#transfers.push(transfer);
    if (transfer !== undefined) this.#transferCount += transfer.length;
    if (this.#ids.length >= taskBatchTasksMax) {
      this.#flush(); // the turn's later tasks go in the next batch (T3)
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#onImmediate);
    }
    return answer;
  }

  /** Settles the tasks an AnswerBatch answers (T4). */
  onAnswers(batch: AnswerBatch): void {
    const { ids, results, failures } = batch;
    this.#answerBatches += 1;
    this.#answers += ids.length + failures.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const waiting = this.#pending.get(id);
      if (waiting === undefined) continue;
      this.#pending.delete(id);
      waiting.resolve(results[i]);
    }
    for (const { id, error } of failures) {
      const waiting = this.#pending.get(id);
      if (waiting === undefined) continue;
      this.#pending.delete(id);
      waiting.reject(error);
    }
  }

  /**
   * Reads, without waiting for the event loop, every message already on the port, handing each
   * to `onMessage` — used on close, when the worker has posted its last answers and its `close`
   * task has answered on another port.
   */
  drain(onMessage: (message: unknown) => void): void {
    for (;;) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) return;
      onMessage(received.message);
    }
  }

  /** Settles every pending task with `error` and refuses every later call (T1). */
  fail(error: Error): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    this.#ids = [];
    this.#tasks = [];
    this.#transfers = [];
    this.#transferCount = 0;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiting of pending) waiting.reject(error);
  }

  readonly #onImmediate = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  readonly #flush = (): void => {
    if (this.#failed !== undefined || this.#ids.length === 0) return;
    const ids = this.#ids;
    const tasks = this.#tasks;
    const transfers = this.#transfers;
    const transferCount = this.#transferCount;
    this.#ids = [];
    this.#tasks = [];
    this.#transfers = [];
    this.#transferCount = 0;
    const batch: TaskBatch = { kind: "tasks", ids, tasks };
    try {
      this.#post(batch, transferCount === 0 ? undefined : transfers.flatMap((list) => list ?? []));
      this.#batches += 1;
      this.#sent += ids.length;
      return;
    } catch {
      // Something in the batch does not clone or transfer: send each task alone (T3).
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const task = tasks[i] as ChannelTask;
      const transfer = transfers[i];
      try {
        this.#post({ kind: "tasks", ids: [id], tasks: [task] }, transfer === undefined ? undefined : [...transfer]);
        this.#batches += 1;
        this.#sent += 1;
      } catch (error) {
        const waiting = this.#pending.get(id);
        this.#pending.delete(id);
        waiting?.reject(error);
      }
    }
  };

  #post(batch: MainEvent, transferList: ArrayBuffer[] | undefined): void {
    if (transferList === undefined) this.#port.postMessage(batch);
    else this.#port.postMessage(batch, transferList);
  }
}
