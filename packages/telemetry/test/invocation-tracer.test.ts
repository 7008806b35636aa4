// Goal: the tracer's spans reach a real OTLP/HTTP receiver through the OpenTelemetry protobuf exporter with the derived ids, names and attributes; command spans wait for their completion in a bounded registry (O1, O2); attempt numbers survive a restart (I4); the bounded queue drops and counts past its limits (Q1), counts failed exports (Q2) and never sends inside span end (Q4), encoding spans as they end (E3, E4); method: InvocationTracer against startOtlpReceiver or a capturing exporter, and a SpanQueue over a stalled exporter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OtlpDecodeError,
  TelemetryConfigError,
  decodeTraceExportRequest,
  invocationSpanId,
  parseTraceparent,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from "@cairn/telemetry";
import { InvocationTracer, SpanQueue, describeCommand, encodeTraceExportRequest } from "@cairn/telemetry/tracing";
import {
  CallCommandMessageSchema,
  CallCompletionNotificationMessageSchema,
  MessageType,
  RunCommandMessageSchema,
  SleepCommandMessageSchema,
  SleepCompletionNotificationMessageSchema,
  create,
  toBinary,
} from "@cairn/protocol";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** A tracer whose exporter keeps the spans it is given. */
function capturingTracer(): { tracer: InvocationTracer; spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  const exporter = {
    export: (batch: ReadableSpan[], done: (result: { code: number }) => void) => {
      spans.push(...batch);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  return { tracer: new InvocationTracer({ endpoint: "http://127.0.0.1:1", exporter, flushIntervalMs: 5 }), spans };
}

const durationMs = (span: ReadableSpan | undefined): number => (span === undefined ? -1 : span.duration[0] * 1000 + span.duration[1] / 1e6);

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe("InvocationTracer", () => {
  it("exports attempt, command and invocation spans over OTLP/HTTP protobuf", async () => {
    const tracer = new InvocationTracer({ endpoint: `${receiver.url}/`, flushIntervalMs: 10 });
    const facts = { invocationId: "inv_1abc", service: "Svc", handler: "h", key: "k1", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: null };
    const attempt = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6 });
    const header = parseTraceparent(attempt.traceparent ?? "");
    expect(header.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    attempt.frame(MessageType.SleepCommand, toBinary(SleepCommandMessageSchema, create(SleepCommandMessageSchema, { wakeUpTime: 1234n, resultCompletionId: 1 })));
    attempt.frame(MessageType.RunCommand, toBinary(RunCommandMessageSchema, create(RunCommandMessageSchema, { name: "step", resultCompletionId: 2 })));
    attempt.end({ kind: "failed", code: 500, message: "boom", retryable: true });
    tracer.endInvocation(facts, { kind: "failure", code: 409, message: "refused" }, Date.now() - 5, Date.now());
    await tracer.shutdown();
    await receiver.waitFor((spans) => spans.length >= 4);
    const byName = new Map(receiver.spans.map((s) => [s.name, s]));
    const invocation = byName.get("invoke Svc/h");
    const attemptSpan = byName.get("attempt Svc/h");
    expect(invocation?.spanId).toBe(invocationSpanId("inv_1abc"));
    expect(invocation?.parentSpanId).toBe("00f067aa0ba902b7");
    expect(invocation?.attributes).toMatchObject({ "restate.invocation.target": "Svc/k1/h", "restate.invocation.attempts": 1, "restate.error.code": 409, "restate.invocation.result": "Failure" });
    expect(attemptSpan?.parentSpanId).toBe(invocation?.spanId);
    expect(attemptSpan?.spanId).toBe(header.spanId);
    expect(attemptSpan?.status).toEqual({ code: 2, message: "boom" });
    expect(byName.get("sleep")?.attributes["restate.sleep.wake_up_time"]).toBe(1234);
    expect(byName.get("run step")?.parentSpanId).toBe(attemptSpan?.spanId);
    expect(byName.get("run step")?.status.code).toBe(2);
    expect(tracer.stats()).toMatchObject({ exported: 4, dropped: 0, failedSpans: 0, queued: 0 });
  });

  it("ends sleep and call spans when their completion is applied, also attempts later", async () => {
    const { tracer, spans } = capturingTracer();
    const open = tracer.openCommandSpans(10);
    const facts = { invocationId: "inv_1wait", service: "Svc", handler: "h" };
    const first = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6, open });
    first.frame(MessageType.SleepCommand, toBinary(SleepCommandMessageSchema, create(SleepCommandMessageSchema, { wakeUpTime: 1n, resultCompletionId: 1 })));
    first.frame(MessageType.CallCommand, toBinary(CallCommandMessageSchema, create(CallCommandMessageSchema, { serviceName: "B", handlerName: "x", resultCompletionId: 2, invocationIdNotificationIdx: 3 })));
    first.end({ kind: "suspended" });
    expect(open.size).toBe(2);
    expect(tracer.stats()).toMatchObject({ openCommandSpans: 2 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The call's result reaches a running invocation (forwarded); the sleep's is found on resume.
    open.notified(facts.invocationId, MessageType.CallCompletionNotification, toBinary(CallCompletionNotificationMessageSchema, create(CallCompletionNotificationMessageSchema, { completionId: 2, result: { case: "failure", value: { code: 500, message: "no" } } })));
    const second = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6, open });
    second.replayed(MessageType.SleepCompletionNotification, toBinary(SleepCompletionNotificationMessageSchema, create(SleepCompletionNotificationMessageSchema, { completionId: 1, void: {} })));
    expect(open.size).toBe(0);
    second.end({ kind: "end" });
    tracer.endInvocation(facts, { kind: "success" }, Date.now() - 50, Date.now());
    await tracer.flush();
    const sleep = spans.find((span) => span.name === "sleep");
    const call = spans.find((span) => span.name === "call B/x");
    expect(durationMs(sleep)).toBeGreaterThanOrEqual(25);
    expect(durationMs(call)).toBeGreaterThanOrEqual(25);
    expect(call?.status.code).toBe(2);
    expect(sleep?.attributes["cairn.completion_missing"]).toBeUndefined();
    expect(spans.find((span) => span.name === "invoke Svc/h")?.attributes["restate.invocation.attempts"]).toBe(2);
    await tracer.shutdown();
  });

  it("bounds open command spans: past the limit they end at once and are counted; completion ends the rest", async () => {
    const { tracer, spans } = capturingTracer();
    const open = tracer.openCommandSpans(2);
    const facts = { invocationId: "inv_1many", service: "Svc", handler: "h" };
    const attempt = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6, open });
    for (let id = 1; id <= 5; id++) attempt.frame(MessageType.SleepCommand, toBinary(SleepCommandMessageSchema, create(SleepCommandMessageSchema, { wakeUpTime: 1n, resultCompletionId: id })));
    expect(open.size).toBe(2);
    expect(tracer.stats()).toMatchObject({ openCommandSpans: 2, untrackedCommandSpans: 3 });
    attempt.end({ kind: "suspended" });
    tracer.endInvocation(facts, { kind: "failure", code: 409, message: "killed" }, Date.now() - 5, Date.now());
    expect(open.size).toBe(0);
    expect(tracer.stats()).toMatchObject({ openCommandSpans: 0 });
    await tracer.flush();
    const sleeps = spans.filter((span) => span.name === "sleep");
    expect(sleeps).toHaveLength(5);
    expect(sleeps.filter((span) => span.attributes["cairn.completion_untracked"] === true)).toHaveLength(3);
    expect(sleeps.filter((span) => span.attributes["cairn.completion_missing"] === true)).toHaveLength(2);
    await tracer.shutdown();
  });

  it("numbers attempts from the durable failure count after a restart", async () => {
    const { tracer, spans } = capturingTracer(); // a fresh process: nothing remembered
    const facts = { invocationId: "inv_1again", service: "Svc", handler: "h" };
    tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6, failures: 2 }).end({ kind: "end" });
    tracer.endInvocation(facts, { kind: "success" }, Date.now() - 5, Date.now(), 2);
    await tracer.flush();
    expect(spans.find((span) => span.name === "attempt Svc/h")?.attributes["restate.invocation.attempt"]).toBe(3);
    expect(spans.find((span) => span.name === "invoke Svc/h")?.attributes["restate.invocation.attempts"]).toBe(3);
    await tracer.shutdown();
  });

  it("makes no span for an invocation whose incoming traceparent is not sampled (I3)", async () => {
    const { tracer, spans } = capturingTracer();
    const facts = { invocationId: "inv_1unsampled", service: "Svc", handler: "h", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00" };
    const attempt = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6 });
    expect(attempt.traceparent).toBeUndefined();
    attempt.frame(MessageType.RunCommand, toBinary(RunCommandMessageSchema, create(RunCommandMessageSchema, { name: "step", resultCompletionId: 1 })));
    attempt.end({ kind: "end" });
    tracer.endInvocation(facts, { kind: "success" }, Date.now() - 5, Date.now());
    await tracer.flush();
    expect(spans).toHaveLength(0);
    await tracer.shutdown();
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    expect(() => new InvocationTracer({ endpoint: "collector:4318" })).toThrow(TelemetryConfigError);
    expect(() => new InvocationTracer({ endpoint: "ftp://x" })).toThrow(TelemetryConfigError);
  });

  it("names commands after their payloads", () => {
    expect(describeCommand(MessageType.RunCommand, toBinary(RunCommandMessageSchema, create(RunCommandMessageSchema, { name: "pay", resultCompletionId: 3 })))).toMatchObject({
      name: "run pay",
      completionId: 3,
    });
    expect(describeCommand(0x04ff, new Uint8Array()).name).toBe("command_0x4ff");
  });
});

describe("SpanQueue", () => {
  it("drops and counts spans past queueMax without blocking, and counts failed exports", async () => {
    const pending: ((result: { code: number }) => void)[] = [];
    const exporter = {
      export: (_spans: unknown[], done: (result: { code: number }) => void) => pending.push(done),
      shutdown: () => Promise.resolve(),
    };
    const queue = new SpanQueue(exporter, { queueMax: 4, batchMax: 2, flushIntervalMs: 5, exportTimeoutMs: 60_000 });
    for (let i = 0; i < 10; i++) queue.onEnd({} as never);
    // Q4: nothing is exported inside onEnd; 4 wait, the other 6 were dropped.
    expect(pending).toHaveLength(0);
    expect(queue.stats()).toMatchObject({ queued: 4, dropped: 6 });
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch of 2 is in flight (stalled); 2 wait; more spans past queueMax are dropped.
    expect(pending).toHaveLength(1);
    for (let i = 0; i < 4; i++) queue.onEnd({} as never);
    expect(queue.stats()).toMatchObject({ queued: 4, dropped: 8 });
    pending.shift()?.({ code: 1 }); // FAILED
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.stats().failedSpans).toBe(2);
    pending.shift()?.({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    pending.shift()?.({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.stats()).toMatchObject({ exported: 4, dropped: 8, failedSpans: 2, queued: 0 });
  });
});

describe("SpanQueue with an encoding exporter", () => {
  it("encodes each span as it ends, sends from an immediate, and bounds the queued bytes (Q1, Q4, E3)", async () => {
    const bodies: Uint8Array[] = [];
    let exportCalls = 0;
    const exporter = {
      export: (_spans: unknown[], done: (result: { code: number }) => void) => {
        exportCalls += 1;
        done({ code: 0 });
      },
      sendEncoded: (body: Uint8Array, done: (result: { code: number }) => void) => {
        bodies.push(body.slice());
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    const { tracer: source, spans } = capturingTracer();
    for (let i = 0; i < 5; i++) {
      const facts = { invocationId: `inv_1queue${i}`, service: "Svc", handler: "h" };
      source.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6 }).end({ kind: "end" });
      source.endInvocation(facts, { kind: "success" }, Date.now() - 5, Date.now());
    }
    await source.flush();
    expect(spans).toHaveLength(10);
    const queue = new SpanQueue(exporter, { queueMax: 100, batchMax: 4, flushIntervalMs: 60_000, exportTimeoutMs: 60_000, queueBytesMax: 1 });
    // queueBytesMax 1: the first span is taken (the queue was empty), every later one is dropped.
    for (const span of spans.slice(0, 3)) queue.onEnd(span);
    expect(queue.stats()).toMatchObject({ queued: 1, dropped: 2 });
    const roomy = new SpanQueue(exporter, { queueMax: 100, batchMax: 4, flushIntervalMs: 5, exportTimeoutMs: 60_000, queueBytesMax: 1 << 20 });
    for (const span of spans) roomy.onEnd(span);
    expect(bodies).toHaveLength(0); // Q4: nothing is sent inside onEnd
    expect(roomy.stats()).toMatchObject({ queued: 10, dropped: 0 });
    await roomy.forceFlush();
    expect(exportCalls).toBe(0);
    expect(bodies).toHaveLength(3); // 4 + 4 + 2
    const decoded = bodies.flatMap((body) => decodeTraceExportRequest(body));
    expect(decoded.map((span) => span.spanId).sort()).toEqual(spans.map((span) => span.spanContext().spanId).sort());
    expect(roomy.stats()).toMatchObject({ exported: 10, queued: 0 });
  });

  it("encodes every kind of attribute value: short, long and non-ASCII strings, small and large integers, booleans", async () => {
    const { tracer, spans } = capturingTracer();
    const facts = { invocationId: "inv_1values", service: "Svc", handler: "h", key: "ключ" };
    const attempt = tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6 });
    attempt.end({ kind: "failed", code: 2 ** 28, message: "x".repeat(300), retryable: false });
    tracer.endInvocation(facts, { kind: "failure", code: 0, message: "ünïcode ✓" }, Date.now() - 5, Date.now(), 127);
    await tracer.flush();
    const decoded = decodeTraceExportRequest(encodeTraceExportRequest(spans));
    const attemptSpan = decoded.find((span) => span.name === "attempt Svc/h");
    const invocation = decoded.find((span) => span.name === "invoke Svc/h");
    expect(attemptSpan?.attributes).toMatchObject({
      "restate.invocation.target": "Svc/ключ/h",
      "restate.error.code": 2 ** 28,
      "restate.error.message": "x".repeat(300),
      "restate.error.retryable": false,
      "restate.invocation.attempt": 1,
    });
    expect(invocation?.attributes).toMatchObject({ "restate.error.code": 0, "restate.error.message": "ünïcode ✓", "restate.invocation.attempts": 127, "restate.invocation.key": "ключ" });
    await tracer.shutdown();
  });

  it("encodes spans of several resources into one request that decodes to all of them (E4)", async () => {
    const one = capturingTracer();
    const two = capturingTracer();
    for (const [index, { tracer }] of [one, two].entries()) {
      const facts = { invocationId: `inv_1res${index}`, service: "Svc", handler: "h" };
      tracer.startAttempt(facts, { deploymentId: "dp_1", protocolVersion: 6 }).end({ kind: "end" });
      await tracer.flush();
    }
    const spans = [...one.spans, ...two.spans, ...one.spans];
    const decoded = decodeTraceExportRequest(encodeTraceExportRequest(spans));
    expect(decoded.map((span) => span.spanId)).toEqual([one.spans[0], one.spans[0], two.spans[0]].map((span) => span?.spanContext().spanId));
    expect(encodeTraceExportRequest([]).length).toBe(0);
  });
});

describe("decodeTraceExportRequest", () => {
  it("refuses bytes that are not protobuf", () => {
    expect(() => decodeTraceExportRequest(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(OtlpDecodeError);
  });
});

describe("OtlpProtoExporter", () => {
  it("encodes what the official OTLP protobuf exporter encodes", async () => {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
    const official = await startOtlpReceiver();
    const ours = await startOtlpReceiver();
    try {
      const run = async (endpoint: string, exporter?: InstanceType<typeof OTLPTraceExporter>): Promise<void> => {
        const tracer = new InvocationTracer({ endpoint, flushIntervalMs: 10, ...(exporter === undefined ? {} : { exporter }) });
        const facts = { invocationId: "inv_1same", service: "S", handler: "h", key: null, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: null };
        const attempt = tracer.startAttempt(facts, { deploymentId: "dp_x", protocolVersion: 7 });
        attempt.frame(MessageType.RunCommand, toBinary(RunCommandMessageSchema, create(RunCommandMessageSchema, { name: "ünïcode ✓", resultCompletionId: 1 })));
        attempt.end({ kind: "failed", code: 500, message: "boom", retryable: true });
        tracer.endInvocation(facts, { kind: "success" }, 1_700_000_000_123, 1_700_000_000_456);
        await tracer.shutdown();
      };
      await run(official.url, new OTLPTraceExporter({ url: `${official.url}/v1/traces` }));
      await run(ours.url);
      await official.waitFor((s) => s.length === 3);
      await ours.waitFor((s) => s.length === 3);
      const shape = (spans: readonly ReceivedSpan[]) =>
        spans
          .map((s) => ({ ...s, traceId: s.traceId, spanId: s.name.startsWith("invoke") ? s.spanId : "random", parentSpanId: s.name.startsWith("invoke") ? s.parentSpanId : "random", startTimeUnixNano: s.name.startsWith("invoke") ? s.startTimeUnixNano : 0n, endTimeUnixNano: s.name.startsWith("invoke") ? s.endTimeUnixNano : 0n, events: s.events.map((e) => ({ ...e, timeUnixNano: 0n })) }))
          .sort((a, b) => a.name.localeCompare(b.name));
      expect(shape(ours.spans)).toEqual(shape(official.spans));
      expect(ours.spans.find((s) => s.name === "invoke S/h")?.startTimeUnixNano).toBe(1_700_000_000_123_000_000n);
    } finally {
      await official.close();
      await ours.close();
    }
  });
});
