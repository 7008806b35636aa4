// The main-thread side of SQL introspection: owns the query process, queues queries to it one at a
// time, and kills it when a query runs past the time limit.
//
// Owns: the child process's life (started on the first query, restarted after a kill or a crash),
// the queue, the limits. Does not own: the partition stores (the partitions write them; the query
// process only reads them) or HTTP (the admin API calls `query`).
//
// E1. At most one query runs in the process; at most `queueMax` wait; past it → 429 (D5).
// E2. A query that runs past `timeoutMs` (counted from when it reaches a started process) is answered with QueryTimeoutError at once and its process
//     is killed (SIGKILL), so no CPU stays spent on it; the next query starts a fresh process.
// E3. close() answers every waiting query with QueryUnavailableError and ends the process; it is
//     idempotent. Close the engine before the partitions close their stores.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { queryProcessStartTimeoutMs, queryQueueMax, queryRowsMaxDefault, queryTextBytesMax, queryTimeoutMsDefault } from "./constants.js";
import {
  introspectionErrorFromWire,
  QueryFormatNotAcceptableError,
  QueryInvalidError,
  QueryOverloadedError,
  QueryTimeoutError,
  QueryUnavailableError,
  type IntrospectionError,
} from "./errors.js";
import type { QueryReply, QueryRequest } from "./query-process.js";
import { negotiateFormat, type AnswerFormat } from "./result-format.js";
import type { MetadataRows } from "./views.js";

export interface QueryEngineOptions {
  /** The server's data directory (`{dataDir}/partitions/{p}/store.sqlite`). */
  readonly dataDir: string;
  readonly partitions: number;
  /** The rows of sys_service and sys_deployment, read before every query. */
  readonly metadata: () => MetadataRows;
  /** Default 10 000. */
  readonly rowsMax?: number;
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 32. */
  readonly queueMax?: number;
}

export interface QueryAnswer {
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly rows: number;
}

interface Pending {
  readonly request: Omit<QueryRequest, "metadata">;
  readonly resolve: (answer: QueryAnswer) => void;
  readonly reject: (error: IntrospectionError) => void;
}

interface Running extends Pending {
  timer: NodeJS.Timeout | undefined;
}

const processEntry = fileURLToPath(new URL("./query-process.js", import.meta.url));
const stderrKeptBytes = 4096;

export class QueryEngine {
  readonly #options: QueryEngineOptions;
  readonly #rowsMax: number;
  readonly #timeoutMs: number;
  readonly #queueMax: number;
  readonly #queue: Pending[] = [];
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #running: Running | undefined;
  #nextId = 1;
  #closed = false;

  constructor(options: QueryEngineOptions) {
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${options.partitions}`);
    }
    this.#options = options;
    this.#rowsMax = positive(options.rowsMax ?? queryRowsMaxDefault, "rowsMax");
    this.#timeoutMs = positive(options.timeoutMs ?? queryTimeoutMsDefault, "timeoutMs");
    this.#queueMax = positive(options.queueMax ?? queryQueueMax, "queueMax");
  }

  get rowsMax(): number {
    return this.#rowsMax;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /**
   * Runs one query. `accept` is the request's Accept header: JSON for `application/json`, an Arrow
   * IPC stream for the Arrow type, a wildcard or none; anything else → QueryFormatNotAcceptableError.
   */
  query(sql: unknown, accept?: string): Promise<QueryAnswer> {
    if (this.#closed) return Promise.reject(new QueryUnavailableError("the query engine is closed"));
    if (typeof sql !== "string") return Promise.reject(new QueryInvalidError("the body must be {\"query\": \"SELECT …\"} with a string query"));
    if (Buffer.byteLength(sql) > queryTextBytesMax) return Promise.reject(new QueryInvalidError(`the query is over ${queryTextBytesMax} bytes`));
    const format: AnswerFormat | undefined = negotiateFormat(accept);
    if (format === undefined) {
      return Promise.reject(
        new QueryFormatNotAcceptableError(`cannot answer with ${accept ?? ""}; accept application/json or application/vnd.apache.arrow.stream`),
      );
    }
    if (this.#queue.length >= this.#queueMax) {
      return Promise.reject(new QueryOverloadedError(`${this.#queueMax} queries are already waiting; retry later`));
    }
    return new Promise<QueryAnswer>((resolve, reject) => {
      this.#queue.push({ request: { kind: "query", id: this.#nextId++, sql, format, rowsMax: this.#rowsMax }, resolve, reject });
      this.#pump();
    });
  }

  /** E3. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new QueryUnavailableError("the query engine closed");
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    this.#finish(undefined, error);
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    }
  }

  #pump(): void {
    if (this.#running !== undefined || this.#closed) return;
    const next = this.#queue.shift();
    if (next === undefined) return;
    // The time limit counts from when the query reaches a started process: a process start (up to
    // queryProcessStartTimeoutMs, slower on a loaded machine) is not the query's time.
    const running: Running = { ...next, timer: undefined };
    this.#running = running;
    this.#start()
      .then((child) => {
        if (this.#running !== running) return;
        running.timer = setTimeout(() => this.#timeout(), this.#timeoutMs);
        child.send({ ...next.request, metadata: this.#options.metadata() } satisfies QueryRequest);
      })
      .catch((error: unknown) => {
        this.#finish(undefined, error instanceof QueryUnavailableError ? error : new QueryUnavailableError(String(error)));
      });
  }

  #finish(answer: QueryAnswer | undefined, error?: IntrospectionError): void {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    clearTimeout(running.timer);
    if (error !== undefined) running.reject(error);
    else if (answer !== undefined) running.resolve(answer);
    queueMicrotask(() => this.#pump());
  }

  #timeout(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    child?.kill("SIGKILL");
    this.#finish(undefined, new QueryTimeoutError(`the query ran longer than ${this.#timeoutMs} ms (the time limit) and was stopped; narrow it with WHERE or add a LIMIT`));
  }

  #start(): Promise<ChildProcess> {
    if (this.#ready !== undefined && this.#child !== undefined) {
      const child = this.#child;
      return this.#ready.then(() => child);
    }
    const child = fork(processEntry, [], {
      serialization: "advanced",
      execArgv: [],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, CAIRN_QUERY_DATA_DIR: this.#options.dataDir, CAIRN_QUERY_PARTITIONS: String(this.#options.partitions) },
    });
    this.#child = child;
    let stderr = "";
    let startFailure: string | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < stderrKeptBytes) stderr += chunk.toString("utf8").slice(0, stderrKeptBytes - stderr.length);
    });
    const ready = new Promise<void>((resolve, reject) => {
      const startTimer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new QueryUnavailableError(`the query process did not start within ${queryProcessStartTimeoutMs} ms`));
      }, queryProcessStartTimeoutMs);
      child.on("message", (reply: QueryReply) => {
        if (reply.kind === "ready") {
          clearTimeout(startTimer);
          resolve();
          return;
        }
        if (reply.kind === "start-failed") {
          startFailure = reply.message;
          return; // the exit that follows rejects with it
        }
        if (this.#child !== child || this.#running?.request.id !== reply.id) return;
        if (reply.kind === "result") this.#finish({ contentType: reply.contentType, body: reply.body, rows: reply.rows });
        else this.#finish(undefined, introspectionErrorFromWire(reply));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(startTimer);
        const reason =
          startFailure !== undefined
            ? `the query process cannot open the partition stores: ${startFailure}`
            : `the query process exited (${signal ?? `code ${code}`})${stderr === "" ? "" : `: ${lastLine(stderr)}`}`;
        reject(new QueryUnavailableError(reason));
        if (this.#child === child) {
          this.#child = undefined;
          this.#ready = undefined;
          this.#finish(undefined, new QueryUnavailableError(reason));
        }
      });
    });
    this.#ready = ready;
    return ready.then(() => child);
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n").filter((line) => /Error|error/.test(line));
  return (lines[0] ?? text.trim().split("\n")[0] ?? "").trim();
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
