// The service-protocol state machine of one invocation attempt (V5, V6, V7).
//
// Owns: decoding the runtime's frames, the replay cursor, completion-id and signal-index
// allocation, the notifications known so far, awaiters, run closures, and the single terminal
// frame of the attempt. Does not own: HTTP (the transports feed bytes in and take bytes out),
// user-facing API shapes (context.ts), serialization of user values (serde.ts).
//
// Invariants:
//   S1. The first frame is Start; then exactly `known_entries` journal entries (commands and
//       notifications); the first command is Input. Anything else is a protocol violation (571).
//   S2. While replayed commands remain, every command the handler issues is compared with the
//       next replayed one; a difference ends the attempt with 570 naming the command. Commands are
//       written to the output only once replay is over.
//   S3. Completion ids start at 1 and signal indexes for awakeables at 17, allocated in command
//       order, so a replay allocates the same ids as the first run.
//   S4. Notifications become known in arrival order, each with the next `seq` (see P1 in
//       restate-promise.ts); the journal stores them in that order, so replay sees the same seqs.
//   S5. The attempt writes exactly one terminal frame (End, Suspension or Error) and nothing after.
//   S6. Suspension happens only once input is closed, nothing awaited can be decided, and no run
//       closure is executing; it names everything awaited plus the cancel signal (while it has not
//       been received).
//   S7. Implicit cancellation: an await decided after the cancel signal (or not decided) fails
//       with CancelledError, after a cancel signal was sent to every child call; the signal is
//       consumed once, so compensation code can await afterwards.
import { CANCEL_SIGNAL_INDEX, FIRST_AWAKEABLE_SIGNAL_INDEX, FIRST_COMPLETION_ID } from "./constants.js";
import {
  ensureError,
  JournalMismatchError,
  ProtocolViolationError,
  RestateError,
  RetryableError,
  TerminalError,
  UnsupportedFeatureError,
} from "./errors.js";
import { FLAG_REQUESTED_ACK, type Frame, FrameDecoder, writeFrameHeader } from "./frame.js";
import { type FutureNode, flatten, futureToMsg, type Leaf, LeafKind } from "./future.js";
import {
  COMMAND_SCHEMAS,
  CombinatorType,
  commandName,
  EndMessage,
  ErrorMessage,
  isCommand,
  isNotification,
  MessageType,
  NotificationTemplate,
  ProposeRunCompletionAckMessage,
  ProposeRunCompletionMessage,
  StartMessage,
  SuspensionMessage,
} from "./messages.js";
import { decodeMessage, encodeMessage, type Msg, ProtoWriter, type Schema } from "./protobuf.js";
import { type BasePromise, type NotificationResult, type PromiseHost, type Ready, SinglePromise } from "./restate-promise.js";

export interface StartInfo {
  readonly id: Uint8Array;
  readonly debugId: string;
  readonly key: string;
  readonly stateMap: Map<string, Uint8Array>;
  readonly partialState: boolean;
  readonly retryCount: number;
  readonly durationSinceLastStoredEntryMs: number;
  readonly randomSeed: bigint;
  readonly idempotencyKey: string | undefined;
  readonly scope: string | undefined;
  readonly limitKey: string | undefined;
  readonly inputHeaders: ReadonlyArray<{ key: string; value: string }>;
  readonly inputBody: Uint8Array;
}

export interface RunRetryPolicy {
  initialIntervalMs: number;
  factor: number;
  maxIntervalMs: number;
  maxAttempts?: number | undefined;
  maxDurationMs?: number | undefined;
}

export interface StateMachineOptions {
  version: number;
  implicitCancellation: boolean;
  /** V7 ErrorMessage.behavior for journal mismatches: 0 retry, 1 pause, 2 fail. */
  journalMismatchBehavior: number;
  /** Called with encoded frames to write (already batched per turn of the event loop). */
  write(bytes: Uint8Array): void;
  /** Called once the terminal frame has been written. */
  onClosed(): void;
  /** Called once Start and the whole journal to replay have arrived. */
  onReady(start: StartInfo): void;
  log?: ((level: "debug" | "warn" | "error", message: string, error?: unknown) => void) | undefined;
}

interface ReplayedCommand {
  readonly type: number;
  readonly msg: Msg;
}

interface RunTask {
  readonly cid: number;
  readonly commandIndex: number;
  readonly name: string;
  readonly closure: () => Promise<Uint8Array>;
  readonly policy: RunRetryPolicy | undefined;
  /** True when this Run was the last replayed command: it is being retried (RESTATE-PROTOCOL §4.7). */
  readonly retried: boolean;
}

/** One encode buffer for all attempts: encoding is synchronous and copied out right away. */
const sharedWriter = new ProtoWriter(4096);
const utf8Decoder = new TextDecoder();

export class StateMachine implements PromiseHost {
  readonly version: number;
  private readonly decoder = new FrameDecoder();
  private start: StartInfo | undefined;
  private entriesToReceive = -1;
  private readonly replay: ReplayedCommand[] = [];
  private replayIndex = 0;
  /** Commands consumed or written so far; Input is index 0. */
  private commandIndex = -1;
  private nextCompletionId = FIRST_COMPLETION_ID;
  private nextSignalIndex = FIRST_AWAKEABLE_SIGNAL_INDEX;
  private seq = 0;
  private readonly readyCompletions = new Map<number, Ready>();
  private readonly readySignals = new Map<number, Ready>();
  private readonly readyNamed = new Map<string, Ready>();
  private readonly journalCompletionIds = new Set<number>();
  private readonly awaiters = new Set<BasePromise<unknown>>();
  private readonly pendingRuns = new Map<number, RunTask>();
  private readonly runsAwaitingAck = new Map<number, NotificationResult>();
  private runsExecuting = 0;
  private cancelSeq = -1;
  private cancelConsumed = false;
  private readonly childCallIds: number[] = [];
  private readonly cancelledChildren = new Set<string>();
  private inputClosed = false;
  private closed = false;
  private readyCalled = false;
  private pokeScheduled = false;
  private outChunks: Uint8Array[] = [];
  private outScheduled = false;

  constructor(private readonly options: StateMachineOptions) {
    this.version = options.version;
  }

  // ---- input side -------------------------------------------------------------------------

  /** Feeds bytes of the request body. */
  push(chunk: Uint8Array): void {
    if (this.closed) return;
    try {
      this.decoder.push(chunk, (frame) => this.onFrame(frame));
    } catch (e) {
      this.fail(e);
    }
  }

  /** The request body ended. */
  endInput(): void {
    if (this.inputClosed) return;
    this.inputClosed = true;
    if (this.closed) return;
    if (this.decoder.bufferedBytes > 0) {
      this.fail(new ProtocolViolationError("input closed in the middle of a frame"));
      return;
    }
    if (!this.readyCalled) {
      this.fail(new ProtocolViolationError("The input was closed while still waiting to receive all journal to replay"));
      return;
    }
    this.schedulePoke();
  }

  private onFrame(frame: Frame): void {
    if (this.closed) return;
    const type = frame.type;
    if (this.start === undefined) {
      if (type !== MessageType.Start) throw new ProtocolViolationError(`expected Start as the first message, got 0x${type.toString(16)}`);
      this.onStart(decodeMessage(StartMessage, frame.payload));
      return;
    }
    if (this.entriesToReceive > 0) {
      this.entriesToReceive--;
      if (isCommand(type)) {
        const schema = COMMAND_SCHEMAS.get(type);
        if (schema === undefined) throw new ProtocolViolationError(`unknown command type 0x${type.toString(16)} in the journal`);
        this.replay.push({ type, msg: decodeMessage(schema, frame.payload) });
      } else if (isNotification(type)) {
        this.onNotification(type, frame.payload, true);
      } else {
        throw new ProtocolViolationError(`Expected incoming message to be an entry, got 0x${type.toString(16)}`);
      }
      if (this.entriesToReceive === 0) this.onJournalComplete();
      return;
    }
    if (isNotification(type)) {
      this.onNotification(type, frame.payload, false);
      return;
    }
    if (type === MessageType.ProposeRunCompletionAck) {
      const cid = (decodeMessage(ProposeRunCompletionAckMessage, frame.payload).completionId as number | undefined) ?? 0;
      const result = this.runsAwaitingAck.get(cid);
      if (result === undefined) throw new ProtocolViolationError(`run completion ack for completion id ${cid}, which this attempt did not propose`);
      this.runsAwaitingAck.delete(cid);
      this.addReady(LeafKind.Completion, cid, result);
      return;
    }
    if (isCommand(type)) throw new ProtocolViolationError("Expected entry messages only when waiting replay entries");
    throw new ProtocolViolationError(`unexpected message type 0x${type.toString(16)}`);
  }

  private onStart(msg: Msg): void {
    const knownEntries = (msg.knownEntries as number | undefined) ?? 0;
    if (knownEntries < 1) throw new ProtocolViolationError("Known entries is zero, expected >= 1");
    const stateMap = new Map<string, Uint8Array>();
    const decoder = utf8Decoder;
    for (const entry of (msg.stateMap as Msg[] | undefined) ?? []) {
      stateMap.set(decoder.decode((entry.key as Uint8Array | undefined) ?? new Uint8Array(0)), (entry.value as Uint8Array | undefined) ?? new Uint8Array(0));
    }
    const id = (msg.id as Uint8Array | undefined) ?? new Uint8Array(0);
    this.start = {
      id,
      debugId: (msg.debugId as string | undefined) ?? "",
      key: (msg.key as string | undefined) ?? "",
      stateMap,
      partialState: (msg.partialState as boolean | undefined) ?? false,
      retryCount: (msg.retryCountSinceLastStoredEntry as number | undefined) ?? 0,
      durationSinceLastStoredEntryMs: (msg.durationSinceLastStoredEntry as number | undefined) ?? 0,
      randomSeed: this.version >= 6 ? ((msg.randomSeed as bigint | undefined) ?? 0n) : seedFromId(id),
      idempotencyKey: this.version >= 7 ? (msg.idempotencyKey as string | undefined) : undefined,
      scope: this.version >= 7 ? (msg.scope as string | undefined) : undefined,
      limitKey: this.version >= 7 ? (msg.limitKey as string | undefined) : undefined,
      inputHeaders: [],
      inputBody: new Uint8Array(0),
    };
    this.entriesToReceive = knownEntries;
  }

  private onJournalComplete(): void {
    const first = this.replay[0];
    if (first?.type !== MessageType.InputCommand) throw new ProtocolViolationError("the journal does not start with an Input command");
    this.replayIndex = 1;
    this.commandIndex = 0;
    const input = first.msg;
    const start = this.start!;
    this.start = {
      ...start,
      inputHeaders: ((input.headers as Msg[] | undefined) ?? []).map((h) => ({ key: (h.key as string | undefined) ?? "", value: (h.value as string | undefined) ?? "" })),
      inputBody: ((input.value as Msg | undefined)?.content as Uint8Array | undefined) ?? new Uint8Array(0),
    };
    this.readyCalled = true;
    this.options.onReady(this.start);
  }

  private onNotification(type: number, payload: Uint8Array, replayed: boolean): void {
    const n = decodeMessage(NotificationTemplate, payload);
    let result: NotificationResult;
    if (n.value !== undefined) result = { kind: "value", value: ((n.value as Msg).content as Uint8Array | undefined) ?? new Uint8Array(0) };
    else if (n.failure !== undefined) result = failureFromMsg(n.failure as Msg);
    else if (n.invocationId !== undefined) result = { kind: "invocationId", id: n.invocationId as string };
    else if (n.stateKeys !== undefined) {
      const decoder = utf8Decoder;
      result = { kind: "stateKeys", keys: (((n.stateKeys as Msg).keys as Uint8Array[] | undefined) ?? []).map((k) => decoder.decode(k)) };
    } else if (n.void !== undefined) result = { kind: "void" };
    else throw new ProtocolViolationError(`expected notification 0x${type.toString(16)} to have field result`);
    if (n.completionId !== undefined) {
      if (replayed) this.journalCompletionIds.add(n.completionId as number);
      this.addReady(LeafKind.Completion, n.completionId as number, result);
    } else if (n.signalId !== undefined) {
      this.addReady(LeafKind.Signal, n.signalId as number, result);
    } else if (n.signalName !== undefined) {
      this.addReady(LeafKind.NamedSignal, n.signalName as string, result);
    } else {
      throw new ProtocolViolationError(`notification 0x${type.toString(16)} has no id`);
    }
  }

  private addReady(kind: LeafKind, id: number | string, result: NotificationResult): void {
    const ready: Ready = { result, seq: ++this.seq };
    if (kind === LeafKind.Completion) {
      if (!this.readyCompletions.has(id as number)) this.readyCompletions.set(id as number, ready);
    } else if (kind === LeafKind.Signal) {
      if (id === CANCEL_SIGNAL_INDEX && this.cancelSeq < 0 && this.options.implicitCancellation) this.cancelSeq = ready.seq;
      if (!this.readySignals.has(id as number)) this.readySignals.set(id as number, ready);
    } else if (!this.readyNamed.has(id as string)) {
      this.readyNamed.set(id as string, ready);
    }
    if (this.readyCalled) this.schedulePoke();
  }

  // ---- PromiseHost --------------------------------------------------------------------------

  lookup(leaf: Leaf): Ready | undefined {
    if (leaf.kind === LeafKind.Completion) return this.readyCompletions.get(leaf.id as number);
    if (leaf.kind === LeafKind.Signal) return this.readySignals.get(leaf.id as number);
    return this.readyNamed.get(leaf.id as string);
  }

  awaitPromise(promise: BasePromise<unknown>): void {
    if (this.closed) return;
    this.awaiters.add(promise);
    this.schedulePoke();
  }

  sleepFor(durationMs: number): BasePromise<void> {
    return this.sleep(durationMs, "");
  }

  abort(error: unknown): void {
    this.fail(error);
  }

  // ---- the await loop ------------------------------------------------------------------------

  private schedulePoke(): void {
    if (this.pokeScheduled || this.closed) return;
    this.pokeScheduled = true;
    queueMicrotask(() => {
      this.pokeScheduled = false;
      this.poke();
    });
  }

  private poke(): void {
    if (this.closed || this.awaiters.size === 0) return;
    const cancelling = this.cancelSeq >= 0 && !this.cancelConsumed;
    const toCancel: BasePromise<unknown>[] = [];
    for (const awaiter of this.awaiters) {
      const s = awaiter.evaluate();
      if (cancelling && (s < 0 || s > this.cancelSeq)) {
        toCancel.push(awaiter);
      } else if (s >= 0) {
        this.awaiters.delete(awaiter);
        awaiter.deliver();
      }
    }
    let extraLeaves: Leaf[] = [];
    if (toCancel.length > 0) {
      // S7: know every child call's invocation id before cancelling it.
      extraLeaves = this.childCallIds.filter((cid) => !this.readyCompletions.has(cid)).map((cid) => ({ kind: LeafKind.Completion, id: cid }));
      if (extraLeaves.length === 0) {
        try {
          for (const cid of this.childCallIds) {
            const ready = this.readyCompletions.get(cid)!;
            if (ready.result.kind !== "invocationId") continue;
            const target = ready.result.id;
            if (this.cancelledChildren.has(target)) continue;
            this.cancelledChildren.add(target);
            this.command(MessageType.SendSignalCommand, { targetInvocationId: target, idx: CANCEL_SIGNAL_INDEX, void: {} }, compareSendSignal);
          }
        } catch (e) {
          this.fail(e);
          return;
        }
        this.cancelConsumed = true;
        for (const awaiter of toCancel) {
          this.awaiters.delete(awaiter);
          awaiter.cancel();
        }
        return;
      }
    }
    if (this.awaiters.size === 0) return;
    // Run closures the awaited trees depend on.
    const nodes: FutureNode[] = [];
    for (const awaiter of this.awaiters) {
      const n = awaiter.node();
      if (n !== null) nodes.push(n);
    }
    for (const n of nodes) this.startRunsIn(n);
    if (this.runsExecuting > 0 || this.closed) return;
    if (this.inputClosed) this.suspend(nodes, extraLeaves);
  }

  private startRunsIn(node: FutureNode): void {
    for (const leaf of node.leaves) {
      if (leaf.kind !== LeafKind.Completion) continue;
      const task = this.pendingRuns.get(leaf.id as number);
      if (task !== undefined) {
        this.pendingRuns.delete(task.cid);
        this.executeRun(task);
      }
    }
    for (const child of node.nested) this.startRunsIn(child);
  }

  private suspend(nodes: FutureNode[], extraLeaves: Leaf[]): void {
    const top: FutureNode = { combinator: CombinatorType.FirstCompleted, leaves: [...extraLeaves], nested: [] };
    for (const n of nodes) {
      if (n.nested.length === 0 && n.leaves.length === 1) top.leaves.push(n.leaves[0]!);
      else top.nested.push(n);
    }
    if (this.options.implicitCancellation && this.cancelSeq < 0) top.leaves.push({ kind: LeafKind.Signal, id: CANCEL_SIGNAL_INDEX });
    if (top.leaves.length === 0 && top.nested.length === 0) {
      this.fail(new ProtocolViolationError("the handler awaits nothing the runtime can complete, yet it cannot make progress"));
      return;
    }
    let msg: Msg;
    if (this.version >= 7) {
      msg = { awaitingOn: futureToMsg(top) };
    } else {
      const flat = flatten(top);
      msg = { waitingCompletions: flat.completions, waitingSignals: flat.signals, waitingNamedSignals: flat.named };
    }
    this.writeMessage(MessageType.Suspension, SuspensionMessage, msg);
    this.close();
  }

  // ---- commands -----------------------------------------------------------------------------

  get isReplaying(): boolean {
    return this.replayIndex < this.replay.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get startInfo(): StartInfo {
    return this.start!;
  }

  /** Type of the next replayed command, if replaying. */
  peekReplayType(): number | undefined {
    return this.replay[this.replayIndex]?.type;
  }

  allocateCompletionId(): number {
    return this.nextCompletionId++;
  }

  allocateSignalIndex(): number {
    return this.nextSignalIndex++;
  }

  /**
   * Issues a command (S2): in replay, checks it against the next replayed command and returns
   * the replayed message; otherwise writes it and returns the message given.
   */
  command(type: number, msg: Msg, compare: (expected: Msg, actual: Msg) => string | undefined): Msg {
    if (this.closed) throw new AttemptClosed();
    this.commandIndex++;
    if (this.replayIndex < this.replay.length) {
      const replayed = this.replay[this.replayIndex++]!;
      if (replayed.type !== type) {
        throw new JournalMismatchError(
          `Journal mismatch at command index ${this.commandIndex}: the journal has ${commandName(replayed.type)} but the handler issued ${commandName(type)}${describe(msg)}`,
          this.commandIndex,
          type,
          (msg.name as string | undefined) ?? commandName(type),
        );
      }
      const difference = compare(replayed.msg, msg);
      if (difference !== undefined) {
        throw new JournalMismatchError(
          `Journal mismatch at command index ${this.commandIndex} (${commandName(type)}${describe(msg)}): ${difference}`,
          this.commandIndex,
          type,
          (msg.name as string | undefined) ?? commandName(type),
        );
      }
      return replayed.msg;
    }
    this.writeMessage(type, COMMAND_SCHEMAS.get(type)!, msg);
    return msg;
  }

  get lastCommandIndex(): number {
    return this.commandIndex;
  }

  /** Completion leaf promise. */
  completion<T>(cid: number, map: (r: NotificationResult) => T): SinglePromise<T> {
    return new SinglePromise<T>(this, { kind: LeafKind.Completion, id: cid }, map);
  }

  sleep(durationMs: number, name: string): SinglePromise<void> {
    const cid = this.allocateCompletionId();
    this.command(MessageType.SleepCommand, { wakeUpTime: Date.now() + durationMs, resultCompletionId: cid, name }, compareSleep);
    return this.completion<void>(cid, () => undefined);
  }

  /** Tracks a call's invocation-id completion for implicit cancellation (S7). */
  trackChildCall(invocationIdCid: number): void {
    if (this.options.implicitCancellation) this.childCallIds.push(invocationIdCid);
  }

  /** Registers a run: executes its closure when awaited, unless its result is in the journal. */
  run(name: string, closure: () => Promise<Uint8Array>, policy: RunRetryPolicy | undefined): number {
    const cid = this.allocateCompletionId();
    const wasReplaying = this.isReplaying;
    this.command(MessageType.RunCommand, { resultCompletionId: cid, name }, compareRun);
    if (wasReplaying && this.journalCompletionIds.has(cid)) return cid;
    const retried = wasReplaying && !this.isReplaying;
    this.pendingRuns.set(cid, { cid, commandIndex: this.commandIndex, name, closure, policy, retried });
    return cid;
  }

  private executeRun(task: RunTask): void {
    this.runsExecuting++;
    const startedAt = Date.now();
    let closurePromise: Promise<Uint8Array>;
    try {
      closurePromise = task.closure();
    } catch (e) {
      closurePromise = Promise.reject(ensureError(e));
    }
    closurePromise.then(
      (value) => {
        this.runsExecuting--;
        this.proposeRun(task.cid, { value });
      },
      (error: unknown) => {
        this.runsExecuting--;
        this.onRunFailure(task, error, Date.now() - startedAt);
      },
    );
  }

  private onRunFailure(task: RunTask, error: unknown, attemptMs: number): void {
    if (this.closed) return;
    const err = ensureError(error);
    if (err instanceof TerminalError) {
      this.proposeRun(task.cid, { failure: failureMsg(err, this.version) });
      return;
    }
    const retryCount = (task.retried ? this.start!.retryCount : 0) + 1;
    const elapsedMs = (task.retried ? this.start!.durationSinceLastStoredEntryMs : 0) + attemptMs;
    const policy = task.policy;
    const related = { relatedCommandIndex: task.commandIndex, relatedCommandName: task.name, relatedCommandType: MessageType.RunCommand };
    if (err instanceof RetryableError && err.retryAfter !== undefined) {
      const delay = typeof err.retryAfter === "number" ? err.retryAfter : durationToMsLocal(err.retryAfter);
      this.writeError(err, { ...related, nextRetryDelay: delay });
      return;
    }
    if (policy === undefined) {
      this.writeError(err, related);
      return;
    }
    const exhausted =
      (policy.maxAttempts !== undefined && retryCount >= policy.maxAttempts) ||
      (policy.maxDurationMs !== undefined && elapsedMs >= policy.maxDurationMs);
    if (exhausted) {
      const code = err instanceof RestateError ? err.code : 500;
      this.proposeRun(task.cid, { failure: { code, message: err.message } });
      return;
    }
    const delay = Math.min(policy.initialIntervalMs * Math.pow(policy.factor, retryCount - 1), policy.maxIntervalMs);
    this.writeError(err, { ...related, nextRetryDelay: Math.round(delay) });
  }

  private proposeRun(cid: number, result: { value: Uint8Array } | { failure: Msg }): void {
    if (this.closed) return;
    const msg: Msg = { resultCompletionId: cid, ...result };
    if (this.version >= 7) {
      this.runsAwaitingAck.set(
        cid,
        "value" in result ? { kind: "value", value: result.value } : failureFromMsg(result.failure),
      );
      this.writeMessage(MessageType.ProposeRunCompletion, ProposeRunCompletionMessage, msg, FLAG_REQUESTED_ACK);
    } else {
      this.writeMessage(MessageType.ProposeRunCompletion, ProposeRunCompletionMessage, msg);
    }
    this.schedulePoke();
  }

  // ---- ending -------------------------------------------------------------------------------

  /** Output + End (S5). */
  complete(result: { value: Uint8Array } | { failure: TerminalError }): void {
    if (this.closed) return;
    try {
      const msg: Msg =
        "value" in result ? { value: { content: result.value } } : { failure: failureMsg(result.failure, this.version) };
      this.command(MessageType.OutputCommand, msg, compareOutput);
      this.writeMessage(MessageType.End, EndMessage, {});
      this.close();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Ends the attempt with an ErrorMessage (S5); retryable unless the behavior says otherwise. */
  fail(error: unknown): void {
    if (this.closed || error instanceof AttemptClosed) return;
    const err = ensureError(error);
    if (err instanceof JournalMismatchError) {
      this.writeError(err, {
        relatedCommandIndex: err.commandIndex,
        relatedCommandName: err.commandName,
        relatedCommandType: err.commandType,
        ...(this.version >= 7 ? { behavior: this.options.journalMismatchBehavior } : {}),
      });
      return;
    }
    const extra: Msg = {};
    if (err instanceof RetryableError && err.retryAfter !== undefined) {
      extra.nextRetryDelay = typeof err.retryAfter === "number" ? err.retryAfter : durationToMsLocal(err.retryAfter);
    }
    this.writeError(err, extra);
  }

  private writeError(err: Error, extra: Msg): void {
    if (this.closed) return;
    const code = err instanceof RestateError ? err.code : 500;
    this.options.log?.("warn", `attempt failed with ${code}: ${err.message}`);
    this.writeMessage(MessageType.Error, ErrorMessage, { code, message: err.message, stacktrace: err.stack ?? "", ...extra });
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.awaiters.clear();
    this.pendingRuns.clear();
    this.flush();
    this.options.onClosed();
  }

  // ---- output -------------------------------------------------------------------------------


  private writeMessage(type: number, schema: Schema, msg: Msg, flags = 0): void {
    const w = sharedWriter;
    w.pos = 8;
    encodeMessage(schema, msg, w);
    const length = w.pos - 8;
    const frame = w.buf.slice(0, w.pos);
    writeFrameHeader(frame, 0, type, flags, length);
    this.outChunks.push(frame);
    if (!this.outScheduled) {
      this.outScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.outScheduled = false;
    if (this.outChunks.length === 0) return;
    const chunks = this.outChunks;
    this.outChunks = [];
    if (chunks.length === 1) {
      this.options.write(chunks[0]!);
      return;
    }
    let total = 0;
    for (const c of chunks) total += c.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.options.write(out);
  }
}

/** Thrown by commands issued after the attempt ended; swallowed by the context. */
export class AttemptClosed extends Error {
  constructor() {
    super("the invocation attempt is closed");
  }
}

export function failureFromMsg(f: Msg): NotificationResult {
  const metadata: Record<string, string> = {};
  for (const m of (f.metadata as Msg[] | undefined) ?? []) metadata[(m.key as string | undefined) ?? ""] = (m.value as string | undefined) ?? "";
  return { kind: "failure", code: (f.code as number | undefined) ?? 0, message: (f.message as string | undefined) ?? "", metadata };
}

export function failureMsg(err: TerminalError, version: number): Msg {
  const entries = Object.entries(err.metadata);
  if (entries.length > 0 && version < 6) {
    throw new UnsupportedFeatureError(`Feature 'TerminalError metadata' is not supported by the negotiated protocol version V${version}; it needs V6 or newer`);
  }
  return { code: err.code, message: err.message, metadata: entries.map(([key, value]) => ({ key, value })) };
}

function durationToMsLocal(d: { days?: number; hours?: number; minutes?: number; seconds?: number; milliseconds?: number }): number {
  return (d.days ?? 0) * 86_400_000 + (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
}

/** V5 has no random seed in Start: derive one from the invocation id (FNV-1a 64). */
function seedFromId(id: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of id) {
    h ^= BigInt(b);
    h = BigInt.asUintN(64, h * 0x100000001b3n);
  }
  return h;
}

function describe(msg: Msg): string {
  const name = msg.name;
  return typeof name === "string" && name !== "" ? ` '${name}'` : "";
}

// ---- replay comparisons (S2): which fields of each command must match ----------------------

const bytesEqual = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => {
  const x = a ?? EMPTY;
  const y = b ?? EMPTY;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
};
const EMPTY = new Uint8Array(0);
const textDecoder = new TextDecoder();
const show = (v: unknown): string => {
  if (v instanceof Uint8Array) return JSON.stringify(textDecoder.decode(v));
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? textDecoder.decode(x) : typeof x === "bigint" ? x.toString() : x));
};

function diffFields(expected: Msg, actual: Msg, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    const e = expected[f];
    const a = actual[f];
    if (e instanceof Uint8Array || a instanceof Uint8Array) {
      if (!bytesEqual(e as Uint8Array | undefined, a as Uint8Array | undefined)) return `${f} differs: journal ${show(e ?? EMPTY)}, handler ${show(a ?? EMPTY)}`;
      continue;
    }
    const norm = (v: unknown): string => (v === undefined || v === "" || v === 0 ? "" : show(v));
    if (norm(e) !== norm(a)) return `${f} differs: journal ${show(e)}, handler ${show(a)}`;
  }
  return undefined;
}

function valueBytes(m: unknown): Uint8Array | undefined {
  return (m as Msg | undefined)?.content as Uint8Array | undefined;
}

function resultDiff(expected: Msg, actual: Msg, valueField: string, failureField: string): string | undefined {
  const ev = expected[valueField];
  const av = actual[valueField];
  if ((ev === undefined) !== (av === undefined)) return `result kind differs`;
  if (ev !== undefined && !bytesEqual(valueBytes(ev), valueBytes(av))) {
    return `${valueField} differs: journal ${show(valueBytes(ev) ?? EMPTY)}, handler ${show(valueBytes(av) ?? EMPTY)}`;
  }
  const ef = expected[failureField] as Msg | undefined;
  const af = actual[failureField] as Msg | undefined;
  if ((ef === undefined) !== (af === undefined)) return `result kind differs`;
  if (ef !== undefined && af !== undefined) return diffFields(ef, af, ["code", "message"]);
  return undefined;
}

const headersKey = (h: unknown): string =>
  ((h as Msg[] | undefined) ?? []).map((x) => `${x.key as string}=${x.value as string}`).join("\n");

export const compareSleep = (e: Msg, a: Msg): string | undefined => diffFields(e, a, ["resultCompletionId", "name"]);
export const compareRun = (e: Msg, a: Msg): string | undefined => diffFields(e, a, ["resultCompletionId", "name"]);
export const compareOutput = (e: Msg, a: Msg): string | undefined => resultDiff(e, a, "value", "failure");
export const compareKey = (e: Msg, a: Msg): string | undefined => diffFields(e, a, ["key"]);
export const compareNothing = (): string | undefined => undefined;
export const compareSetState = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["key"]) ?? (bytesEqual(valueBytes(e.value), valueBytes(a.value)) ? undefined : `value differs: journal ${show(valueBytes(e.value) ?? EMPTY)}, handler ${show(valueBytes(a.value) ?? EMPTY)}`);
export const compareKeyAndCid = (e: Msg, a: Msg): string | undefined => diffFields(e, a, ["key", "resultCompletionId"]);
export const compareCid = (e: Msg, a: Msg): string | undefined => diffFields(e, a, ["resultCompletionId"]);
export const compareCompletePromise = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["key", "resultCompletionId"]) ?? resultDiff(e, a, "completionValue", "completionFailure");
export const compareCall = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["serviceName", "handlerName", "key", "idempotencyKey", "invocationIdNotificationIdx", "resultCompletionId", "name", "parameter"]) ??
  (headersKey(e.headers) === headersKey(a.headers) ? undefined : "headers differ");
export const compareOneWayCall = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["serviceName", "handlerName", "key", "idempotencyKey", "invocationIdNotificationIdx", "name", "parameter"]) ??
  (headersKey(e.headers) === headersKey(a.headers) ? undefined : "headers differ");
export const compareSendSignal = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["targetInvocationId", "idx", "name"]) ?? resultDiff(e, a, "value", "failure");
export const compareTarget = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["invocationId", "resultCompletionId"]) ??
  (show(e.workflowTarget) === show(a.workflowTarget) && show(e.idempotentRequestTarget) === show(a.idempotentRequestTarget) ? undefined : "target differs");
export const compareCompleteAwakeable = (e: Msg, a: Msg): string | undefined =>
  diffFields(e, a, ["awakeableId"]) ?? resultDiff(e, a, "value", "failure");
