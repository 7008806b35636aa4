// Spans of invocations, their attempts and their journal commands, exported over OTLP/HTTP
// protobuf. One InvocationTracer per partition worker thread: spans are made where the events
// happen and leave from the same thread (README, "Design").
//
// Owns: the OpenTelemetry tracer provider of one thread, the span names and attributes, the ids
// of invocation spans (derived, trace-context.ts), the attempt counts of running invocations.
// Does not own: when attempts start and end (the partition), the export queue (span-queue.ts).
//
// Span tree of one invocation (kinds in brackets):
//
//   <ingress traceparent | caller's invocation span | root>
//     └ invoke {service}/{handler}            [SERVER]  id = invocationSpanId(invocation id)
//         ├ attempt {service}/{handler}        [CLIENT]  one per attempt, error status on failure
//         │   ├ run {name}                     [INTERNAL] from RunCommand to its proposed result
//         │   ├ sleep | call S/h | send S/h | get_state k | set_state k | …   [INTERNAL]
//         └ invoke {callee}/{handler}          (a call or send made by this invocation)
//
// I1. The invocation span is ended once, when the invocation completes, with start = the
//     invocation's creation time from the store: it spans crashes and restarts. Its children are
//     exported before it and name it as parent by its derived id.
// I2. Nothing here runs when tracing is off: the partition holds no tracer at all.
// I3. A traceparent whose sampled flag is 0 produces no spans (parent-based sampling).
import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOnSampler, BasicTracerProvider, type IdGenerator, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { fromBinary, messageSchemaOf, MessageType } from "@cairn/protocol";
import {
  attributeValueCharsMax,
  commandSpansPerAttemptMax,
  exportTimeoutMs,
  handlerNamesMax,
  openCommandSpansMax,
  spanBatchMax,
  spanFlushIntervalMs,
  spanQueueBytesMax,
  spanQueueMax,
  trackedInvocationsMax,
} from "./constants.js";
import { OtlpProtoExporter } from "./otlp-exporter.js";
import { SpanQueue, type SpanQueueStats } from "./span-queue.js";
import { formatTraceparent, invocationParent, invocationSpanId, randomSpanId, randomTraceId, tracesUrl } from "./trace-context.js";

export interface TracingOptions {
  /** Base URL of an OTLP/HTTP receiver; spans go to `{endpoint}/v1/traces`. */
  endpoint: string;
  /** `service.name` of the resource (default `cairn-server`). */
  serviceName?: string;
  /** More resource attributes (e.g. `cairn.worker`). */
  resourceAttributes?: Record<string, string | number>;
  queueMax?: number;
  batchMax?: number;
  flushIntervalMs?: number;
  exportTimeoutMs?: number;
  /** Replaces the OTLP exporter (tests of the span tree without a receiver). */
  exporter?: SpanExporter;
}

/** What identifies an invocation in its spans. */
export interface InvocationFacts {
  invocationId: string;
  service: string;
  handler: string;
  /** Object or workflow key; null/undefined for plain services. */
  key?: string | null;
  /** The stored trace context (`trace_parent`, `trace_state`). */
  traceparent?: string | null;
  tracestate?: string | null;
}

export type AttemptEnd =
  | { kind: "end" }
  | { kind: "suspended" }
  | { kind: "failed"; code: number; message: string; retryable: boolean };

export type InvocationEnd = { kind: "success" } | { kind: "failure"; code: number; message: string };

/** Restate's attribute names where it has one. */
export const attr = {
  invocationId: "restate.invocation.id",
  invocationTarget: "restate.invocation.target",
  invocationResult: "restate.invocation.result",
  invocationAttempts: "restate.invocation.attempts",
  invocationKey: "restate.invocation.key",
  attempt: "restate.invocation.attempt",
  deploymentId: "restate.deployment.id",
  protocolVersion: "restate.service_protocol.version",
  errorCode: "restate.error.code",
  errorMessage: "restate.error.message",
  errorRetryable: "restate.error.retryable",
  entryType: "restate.journal.entry_type",
  entryName: "restate.journal.entry_name",
  runName: "restate.run.name",
  runResult: "restate.run.result",
  sleepWakeUpTime: "restate.sleep.wake_up_time",
  callService: "restate.coordination.call.service",
  callMethod: "restate.coordination.call.method",
  callKey: "restate.coordination.call.key",
  stateKey: "restate.state.key",
  promiseKey: "restate.promise.key",
  awakeableId: "restate.awakeable.id",
  droppedCommandSpans: "cairn.dropped_command_spans",
  completionMissing: "cairn.completion_missing",
  completionUntracked: "cairn.completion_untracked",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
} as const;

/**
 * Lets the next span take a chosen id (the derived invocation span id); random otherwise, from
 * Math.random through a hex table (the SDK's RandomIdGenerator writes a Buffer and hex-encodes
 * it: measured several times dearer, one of the larger items of span creation in a profile).
 */
class ChosenIdGenerator implements IdGenerator {
  nextSpanId: string | undefined;
  nextTraceId: string | undefined;
  generateTraceId(): string {
    const id = this.nextTraceId;
    this.nextTraceId = undefined;
    return id ?? randomTraceId();
  }
  generateSpanId(): string {
    const id = this.nextSpanId;
    this.nextSpanId = undefined;
    return id ?? randomSpanId();
  }
}

function cut(text: string): string {
  return text.length > attributeValueCharsMax ? `${text.slice(0, attributeValueCharsMax - 1)}…` : text;
}

/**
 * Span names and the unkeyed target of one handler, made once per handler: the same string
 * objects span after span, so the encoder's cache finds them by the hash V8 keeps in a string
 * instead of hashing a new concatenation every time.
 */
interface HandlerNames {
  attempt: string;
  invoke: string;
  target: string;
}

/** What the tracer remembers of a running invocation: derived ids once, attempts so far (I4). */
interface InvocationState {
  names: HandlerNames;
  /** `restate.invocation.target`: `Svc/handler`, or `Svc/key/handler` for a keyed invocation. */
  target: string;
  attempts: number;
  traceId: string;
  parentSpanId: string | undefined;
  flags: number;
  spanId: string;
  /** Parent context of its attempt spans: the invocation span, by its derived id. */
  context: Context;
  /** The registry its command spans wait in (its partition's). */
  open: OpenCommandSpans | undefined;
}

/** Counters shared by the open-command-span registries of one tracer. */
interface OpenStats {
  open: number;
  untracked: number;
}

export interface TracerStats extends SpanQueueStats {
  /** Command spans waiting for their completion now (sleep, call, …). */
  openCommandSpans: number;
  /** Command spans ended at once because their partition's registry was full (O2). */
  untrackedCommandSpans: number;
}

/**
 * The command spans of one partition that wait for a completion (sleep, call, promise, attach):
 * they end when the completion notification is applied, which may be attempts later.
 *
 * O1. At most `max` spans are open; a command that finds the registry full gets a span ended at
 *     once (zero duration, `cairn.completion_untracked`) and is counted (D5).
 * O2. Every span leaves the registry exactly once: at its completion, or when its invocation
 *     completes (ended, status unset, `cairn.completion_missing`).
 */
export class OpenCommandSpans {
  readonly #max: number;
  readonly #stats: OpenStats;
  readonly #byInvocation = new Map<string, Map<number, Span>>();
  #size = 0;

  constructor(max: number, stats: OpenStats = { open: 0, untracked: 0 }) {
    this.#max = max;
    this.#stats = stats;
  }

  get size(): number {
    return this.#size;
  }

  /** Keeps `span` open until completion `completionId` of `invocationId`; false (and counted) when full (O1). */
  add(invocationId: string, completionId: number, span: Span): boolean {
    if (this.#size >= this.#max) {
      this.#stats.untracked += 1;
      return false;
    }
    let spans = this.#byInvocation.get(invocationId);
    if (spans === undefined) {
      spans = new Map();
      this.#byInvocation.set(invocationId, spans);
    }
    const previous = spans.get(completionId);
    if (previous !== undefined) {
      previous.end();
      this.#size -= 1;
      this.#stats.open -= 1;
    }
    spans.set(completionId, span);
    this.#size += 1;
    this.#stats.open += 1;
    return true;
  }

  /** Whether `invocationId` has spans waiting (a cheap test before decoding notifications). */
  has(invocationId: string): boolean {
    return this.#byInvocation.has(invocationId);
  }

  /** A notification of `invocationId` was applied: ends the span waiting for its completion id. */
  notified(invocationId: string, type: number, payload: Uint8Array): void {
    const spans = this.#byInvocation.get(invocationId);
    if (spans === undefined) return;
    const completionId = completionIdOf(type, payload);
    if (completionId === undefined) return;
    const span = spans.get(completionId);
    if (span === undefined) return;
    spans.delete(completionId);
    if (spans.size === 0) this.#byInvocation.delete(invocationId);
    this.#size -= 1;
    this.#stats.open -= 1;
    if (completionFailed(payload)) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** The invocation completed: spans still waiting end now (O2). */
  endAll(invocationId: string): void {
    const spans = this.#byInvocation.get(invocationId);
    if (spans === undefined) return;
    this.#byInvocation.delete(invocationId);
    for (const span of spans.values()) {
      span.setAttribute(attr.completionMissing, true);
      span.end();
    }
    this.#size -= spans.size;
    this.#stats.open -= spans.size;
  }
}

/**
 * The completion id of a completion notification (0x8000–0x8013 except the call's invocation-id
 * notification 0x800E): field 1, a varint, first on the wire (canonical encoding).
 */
function completionIdOf(type: number, payload: Uint8Array): number | undefined {
  if (type < 0x8000 || type > 0x8013 || type === MessageType.CallInvocationIdCompletionNotification) return undefined;
  if (payload[0] !== 0x08) return 0; // proto3 leaves out a zero completion id
  let value = 0;
  let shift = 0;
  for (let i = 1; i < payload.length && i < 6; i++) {
    const byte = payload[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
    shift += 7;
  }
  return undefined;
}

/** Whether a completion notification carries `failure` (field 6, after the completion id). */
function completionFailed(payload: Uint8Array): boolean {
  let i = 1;
  while (i < payload.length && (payload[i] as number) >= 0x80) i++;
  return payload[i + 1] === 0x32;
}

export class InvocationTracer {
  readonly #provider: BasicTracerProvider;
  readonly #queue: SpanQueue;
  readonly #ids = new ChosenIdGenerator();
  readonly #tracer;
  /** Running invocations: derived ids and attempts (bounded: the oldest entry is evicted, I4). */
  readonly #invocations = new Map<string, InvocationState>();
  /** Span names by service and handler (bounded: cleared when full). */
  readonly #names = new Map<string, Map<string, HandlerNames>>();
  readonly #openStats: OpenStats = { open: 0, untracked: 0 };
  /** Registry of the attempts started without one of their own (embedded use, tests). */
  readonly #defaultOpen: OpenCommandSpans;

  constructor(options: TracingOptions) {
    const url = tracesUrl(options.endpoint);
    const exporter = options.exporter ?? new OtlpProtoExporter({ url, timeoutMs: options.exportTimeoutMs ?? exportTimeoutMs });
    this.#queue = new SpanQueue(exporter, {
      queueMax: options.queueMax ?? spanQueueMax,
      batchMax: options.batchMax ?? spanBatchMax,
      flushIntervalMs: options.flushIntervalMs ?? spanFlushIntervalMs,
      exportTimeoutMs: options.exportTimeoutMs ?? exportTimeoutMs,
      queueBytesMax: spanQueueBytesMax,
    });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": options.serviceName ?? "cairn-server", ...options.resourceAttributes }),
      // Sampling is decided once per invocation here (I3), not again for each span.
      sampler: new AlwaysOnSampler(),
      idGenerator: this.#ids,
      spanProcessors: [this.#queue],
      spanLimits: { attributeValueLengthLimit: attributeValueCharsMax },
    });
    this.#tracer = this.#provider.getTracer("@cairn/telemetry");
    this.#defaultOpen = this.openCommandSpans();
  }

  stats(): TracerStats {
    return { ...this.#queue.stats(), openCommandSpans: this.#openStats.open, untrackedCommandSpans: this.#openStats.untracked };
  }

  /** A registry of command spans waiting for completions, for one partition (O1). */
  openCommandSpans(max: number = openCommandSpansMax): OpenCommandSpans {
    return new OpenCommandSpans(max, this.#openStats);
  }

  /**
   * Starts the span of one attempt; the caller ends it with AttemptSpan.end. `failures`: the
   * durable count of failed attempts before this one (the partition's retry counter), so the
   * attempt number survives a restart of the process (I4).
   */
  startAttempt(
    facts: InvocationFacts,
    details: { deploymentId: string; protocolVersion: number; failures?: number; open?: OpenCommandSpans },
  ): AttemptSpan {
    const state = this.#state(facts);
    state.attempts = Math.max(state.attempts + 1, (details.failures ?? 0) + 1);
    if (details.open !== undefined) state.open = details.open;
    if ((state.flags & TraceFlags.SAMPLED) === 0) {
      // I3: no spans; a non-recording span passes no traceparent of its own on.
      return new AttemptSpan(this.#tracer, trace.wrapSpanContext({ traceId: state.traceId, spanId: state.spanId, traceFlags: state.flags }), facts, details.open ?? this.#defaultOpen);
    }
    // Attributes are set on the started span, not passed to startSpan: the SDK checks and copies
    // startSpan's attributes twice before the span sets them (a third pass).
    const span = this.#tracer.startSpan(state.names.attempt, { kind: SpanKind.CLIENT }, state.context);
    span.setAttributes({
      [attr.invocationId]: facts.invocationId,
      [attr.invocationTarget]: state.target,
      [attr.attempt]: state.attempts,
      [attr.deploymentId]: details.deploymentId,
      [attr.protocolVersion]: details.protocolVersion,
    });
    return new AttemptSpan(this.#tracer, span, facts, details.open ?? this.#defaultOpen);
  }

  /**
   * Ends the invocation span (I1): from `startMs` (creation) to `endMs` (completion). `failures`:
   * the durable count of failed attempts, the floor of `restate.invocation.attempts` (I4).
   */
  endInvocation(facts: InvocationFacts, end: InvocationEnd, startMs: number, endMs: number, failures = 0, open?: OpenCommandSpans): void {
    const state = this.#invocations.get(facts.invocationId) ?? this.#derive(facts);
    (open ?? state.open ?? this.#defaultOpen).endAll(facts.invocationId);
    this.#invocations.delete(facts.invocationId);
    const { traceId, parentSpanId, flags } = state;
    if ((flags & TraceFlags.SAMPLED) === 0) return; // I3
    const context: Context =
      parentSpanId === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentSpanId, traceFlags: flags, isRemote: true });
    if (parentSpanId === undefined) this.#ids.nextTraceId = traceId;
    this.#ids.nextSpanId = state.spanId;
    const attributes: Attributes = {
      [attr.invocationId]: facts.invocationId,
      [attr.invocationTarget]: state.target,
      [attr.rpcService]: facts.service,
      [attr.rpcMethod]: facts.handler,
      [attr.invocationResult]: end.kind === "success" ? "Success" : "Failure",
    };
    if (facts.key !== null && facts.key !== undefined) attributes[attr.invocationKey] = facts.key;
    const attempts = Math.max(state.attempts, failures + (end.kind === "success" ? 1 : 0));
    if (attempts > 0) attributes[attr.invocationAttempts] = attempts;
    if (end.kind === "failure") {
      attributes[attr.errorCode] = end.code;
      attributes[attr.errorMessage] = cut(end.message);
    }
    if (facts.tracestate !== null && facts.tracestate !== undefined) attributes["w3c.tracestate"] = facts.tracestate;
    const span = this.#tracer.startSpan(state.names.invoke, { kind: SpanKind.SERVER, startTime: startMs }, context);
    span.setAttributes(attributes);
    span.setStatus(end.kind === "success" ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: cut(end.message) });
    span.end(Math.max(endMs, startMs));
  }

  /** Exports what is queued. */
  async flush(): Promise<void> {
    await this.#queue.forceFlush();
  }

  /** Exports what is queued, then stops. */
  async shutdown(): Promise<void> {
    await this.#provider.shutdown();
  }

  /** The remembered state of a running invocation, made (ids derived once) on its first attempt. */
  #state(facts: InvocationFacts): InvocationState {
    const existing = this.#invocations.get(facts.invocationId);
    if (existing !== undefined) return existing;
    const state = this.#derive(facts);
    this.#invocations.set(facts.invocationId, state);
    if (this.#invocations.size > trackedInvocationsMax) {
      const oldest = this.#invocations.keys().next().value;
      if (oldest !== undefined) this.#invocations.delete(oldest);
    }
    return state;
  }

  #derive(facts: InvocationFacts): InvocationState {
    const { traceId, parentSpanId, flags } = invocationParent(facts.invocationId, facts.traceparent);
    const spanId = invocationSpanId(facts.invocationId);
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: flags, isRemote: false });
    const names = this.#namesOf(facts.service, facts.handler);
    const target = facts.key === null || facts.key === undefined ? names.target : `${facts.service}/${facts.key}/${facts.handler}`;
    return { names, target, attempts: 0, traceId, parentSpanId, flags, spanId, context, open: undefined };
  }

  #namesOf(service: string, handler: string): HandlerNames {
    let handlers = this.#names.get(service);
    if (handlers === undefined) {
      if (this.#names.size >= handlerNamesMax) this.#names.clear(); // D5; made again on demand
      handlers = new Map();
      this.#names.set(service, handlers);
    }
    let names = handlers.get(handler);
    if (names === undefined) {
      if (handlers.size >= handlerNamesMax) handlers.clear();
      names = { attempt: `attempt ${service}/${handler}`, invoke: `invoke ${service}/${handler}`, target: `${service}/${handler}` };
      handlers.set(handler, names);
    }
    return names;
  }
}

type OtelTracer = ReturnType<BasicTracerProvider["getTracer"]>;

/** The span of one attempt and the command spans under it. */
export class AttemptSpan {
  readonly #tracer: OtelTracer;
  readonly #span: Span;
  /** Parent context of command spans; made with the first one (most attempts have none). */
  #context: Context | undefined;
  readonly #facts: InvocationFacts;
  readonly #open: OpenCommandSpans;
  /** Runs started in this attempt and not yet completed, by completion id (made when needed). */
  #runs: Map<number, Span> | undefined;
  /** Runs journaled by an earlier attempt and not completed: name by completion id (replay). */
  #replayedRuns: Map<number, string> | undefined;
  #commandSpans = 0;
  #droppedCommandSpans = 0;
  #ended = false;
  readonly #startedAt = Date.now();

  constructor(tracer: OtelTracer, span: Span, facts: InvocationFacts, open: OpenCommandSpans) {
    this.#tracer = tracer;
    this.#span = span;
    this.#facts = facts;
    this.#open = open;
  }

  #parent(): Context {
    this.#context ??= trace.setSpan(ROOT_CONTEXT, this.#span);
    return this.#context;
  }

  /** The `traceparent` for the attempt's request to the deployment: this attempt span as parent. */
  get traceparent(): string | undefined {
    const context = this.#span.spanContext();
    if (!this.#span.isRecording()) return undefined;
    return formatTraceparent({ traceId: context.traceId, spanId: context.spanId, flags: context.traceFlags });
  }

  get tracestate(): string | undefined {
    return this.#facts.tracestate ?? undefined;
  }

  /**
   * One journal entry the attempt starts from (replay). A run journaled by an earlier attempt
   * whose result is proposed in this one gets its span here, named from its RunCommand. A
   * completion notification applied while the invocation was suspended ends its command's span.
   */
  replayed(type: number, payload: Uint8Array): void {
    if (type >= 0x8000) {
      if (this.#open.has(this.#facts.invocationId)) this.#open.notified(this.#facts.invocationId, type, payload);
      if (type !== MessageType.RunCompletionNotification) return;
    } else if (type !== MessageType.RunCommand) return;
    try {
      const schema = messageSchemaOf(type);
      if (schema === undefined) return;
      const m = fromBinary(schema, payload) as unknown as { resultCompletionId?: number; completionId?: number; name?: string };
      if (type === MessageType.RunCommand && m.resultCompletionId !== undefined) (this.#replayedRuns ??= new Map()).set(m.resultCompletionId, m.name ?? "");
      else if (m.completionId !== undefined) this.#replayedRuns?.delete(m.completionId);
    } catch {
      // a journal entry that does not decode names no run
    }
  }

  /** One frame the SDK sent (a command, or a proposed run completion). */
  frame(type: number, payload: Uint8Array): void {
    if (this.#ended || !this.#span.isRecording()) return;
    if (type === MessageType.ProposeRunCompletion) {
      this.#runCompleted(payload);
      return;
    }
    // Input is the server's own entry; Output is the attempt's end (its span says End): no span.
    if (type < 0x0400 || type >= 0x8000 || type === MessageType.InputCommand || type === MessageType.OutputCommand) return;
    if (this.#commandSpans >= commandSpansPerAttemptMax) {
      this.#droppedCommandSpans += 1;
      return;
    }
    this.#commandSpans += 1;
    const described = describeCommand(type, payload);
    const span = this.#tracer.startSpan(described.name, { kind: SpanKind.INTERNAL }, this.#parent());
    span.setAttributes(described.attributes);
    if (described.completionId !== undefined) {
      if (type === MessageType.RunCommand) {
        (this.#runs ??= new Map()).set(described.completionId, span);
        return;
      }
      // Sleep, call, promise, attach, lazy state: the span ends with the completion (O1, O2).
      if (this.#open.add(this.#facts.invocationId, described.completionId, span)) return;
      span.setAttribute(attr.completionUntracked, true);
    }
    span.end();
  }

  /** Ends the attempt span (and any run still open under it). */
  end(outcome: AttemptEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#runs !== undefined) {
      for (const run of this.#runs.values()) {
        run.setStatus({ code: SpanStatusCode.ERROR, message: "the attempt ended before the run completed" });
        run.end();
      }
      this.#runs = undefined;
    }
    if (this.#droppedCommandSpans > 0) this.#span.setAttribute(attr.droppedCommandSpans, this.#droppedCommandSpans);
    if (outcome.kind === "failed") {
      this.#span.setAttributes({ [attr.errorCode]: outcome.code, [attr.errorMessage]: cut(outcome.message), [attr.errorRetryable]: outcome.retryable });
      this.#span.addEvent("attempt failed", { [attr.errorCode]: outcome.code, [attr.errorMessage]: cut(outcome.message) });
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: cut(outcome.message) });
    } else {
      this.#span.setAttribute("restate.attempt.outcome", outcome.kind === "end" ? "End" : "Suspended");
    }
    this.#span.end();
  }

  #runCompleted(payload: Uint8Array): void {
    let message: { resultCompletionId?: number; result?: { case?: string; value?: unknown } };
    try {
      const schema = messageSchemaOf(MessageType.ProposeRunCompletion);
      if (schema === undefined) return;
      message = fromBinary(schema, payload) as typeof message;
    } catch {
      return;
    }
    const id = message.resultCompletionId ?? 0;
    let span = this.#runs?.get(id);
    if (span === undefined) {
      const name = this.#replayedRuns?.get(id);
      if (name === undefined) return;
      this.#replayedRuns?.delete(id);
      const attributes: Attributes = { [attr.entryType]: "run", [attr.runName]: name, "restate.run.replayed": true };
      span = this.#tracer.startSpan(name === "" ? "run" : `run ${name}`, { kind: SpanKind.INTERNAL, startTime: this.#startedAt }, this.#parent());
      span.setAttributes(attributes);
    }
    this.#runs?.delete(id);
    if (message.result?.case === "failure") {
      const failure = message.result.value as { code?: number; message?: string };
      span.setAttributes({ [attr.runResult]: "Failure", [attr.errorCode]: failure.code ?? 0, [attr.errorMessage]: cut(failure.message ?? "") });
      span.setStatus({ code: SpanStatusCode.ERROR, message: cut(failure.message ?? "") });
    } else {
      span.setAttribute(attr.runResult, "Success");
    }
    span.end();
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

interface Described {
  name: string;
  attributes: Attributes;
  completionId?: number;
}

function withCompletion(described: Described, completionId: number | undefined): Described {
  if (completionId !== undefined) described.completionId = completionId;
  return described;
}

const commandNames: Record<number, string> = {
  [MessageType.OutputCommand]: "output",
  [MessageType.GetLazyStateCommand]: "get_state",
  [MessageType.GetEagerStateCommand]: "get_state",
  [MessageType.SetStateCommand]: "set_state",
  [MessageType.ClearStateCommand]: "clear_state",
  [MessageType.ClearAllStateCommand]: "clear_all_state",
  [MessageType.GetLazyStateKeysCommand]: "get_state_keys",
  [MessageType.GetEagerStateKeysCommand]: "get_state_keys",
  [MessageType.GetPromiseCommand]: "get_promise",
  [MessageType.PeekPromiseCommand]: "peek_promise",
  [MessageType.CompletePromiseCommand]: "complete_promise",
  [MessageType.SleepCommand]: "sleep",
  [MessageType.CallCommand]: "call",
  [MessageType.OneWayCallCommand]: "send",
  [MessageType.SendSignalCommand]: "send_signal",
  [MessageType.RunCommand]: "run",
  [MessageType.AttachInvocationCommand]: "attach_invocation",
  [MessageType.GetInvocationOutputCommand]: "get_invocation_output",
  [MessageType.CompleteAwakeableCommand]: "complete_awakeable",
};

/**
 * Span name and attributes of one journal command, from its protobuf payload, and the completion
 * id its result arrives with (run, sleep, call, promise, attach, lazy state).
 */
export function describeCommand(type: number, payload: Uint8Array): Described {
  const base = commandNames[type] ?? `command_0x${type.toString(16)}`;
  const attributes: Attributes = { [attr.entryType]: base };
  let m: Record<string, unknown> = {};
  try {
    const schema = messageSchemaOf(type);
    if (schema !== undefined) m = fromBinary(schema, payload);
  } catch {
    return { name: base, attributes };
  }
  const name = typeof m.name === "string" && m.name.length > 0 ? m.name : undefined;
  if (name !== undefined) attributes[attr.entryName] = name;
  const completionId = typeof m.resultCompletionId === "number" ? m.resultCompletionId : undefined;
  switch (type) {
    case MessageType.RunCommand:
      if (name !== undefined) attributes[attr.runName] = name;
      return withCompletion({ name: name === undefined ? "run" : `run ${name}`, attributes }, completionId);
    case MessageType.SleepCommand:
      attributes[attr.sleepWakeUpTime] = Number((m.wakeUpTime as bigint | number | undefined) ?? 0);
      return withCompletion({ name: base, attributes }, completionId);
    case MessageType.CallCommand:
    case MessageType.OneWayCallCommand: {
      const service = typeof m.serviceName === "string" ? m.serviceName : "";
      const handler = typeof m.handlerName === "string" ? m.handlerName : "";
      attributes[attr.callService] = service;
      attributes[attr.callMethod] = handler;
      if (typeof m.key === "string" && m.key.length > 0) attributes[attr.callKey] = m.key;
      return withCompletion({ name: `${base} ${service}/${handler}`, attributes }, completionId);
    }
    case MessageType.GetLazyStateCommand:
    case MessageType.GetEagerStateCommand:
    case MessageType.SetStateCommand:
    case MessageType.ClearStateCommand: {
      const key = m.key instanceof Uint8Array ? cut(utf8.decode(m.key)) : "";
      attributes[attr.stateKey] = key;
      return withCompletion({ name: `${base} ${key}`, attributes }, completionId);
    }
    case MessageType.GetPromiseCommand:
    case MessageType.PeekPromiseCommand:
    case MessageType.CompletePromiseCommand: {
      const key = typeof m.key === "string" ? m.key : "";
      attributes[attr.promiseKey] = key;
      return withCompletion({ name: `${base} ${key}`, attributes }, completionId);
    }
    case MessageType.CompleteAwakeableCommand:
      if (typeof m.awakeableId === "string") attributes[attr.awakeableId] = m.awakeableId;
      return withCompletion({ name: base, attributes }, completionId);
    default:
      return withCompletion({ name: base, attributes }, completionId);
  }
}
