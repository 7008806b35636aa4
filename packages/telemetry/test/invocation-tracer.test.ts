// Goal: the tracer's spans reach a real OTLP/HTTP receiver through the OpenTelemetry protobuf exporter with the derived ids, names and attributes; the bounded queue drops and counts past its limit (Q1) and counts failed exports (Q2); method: InvocationTracer against startOtlpReceiver, and a SpanQueue over a stalled exporter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvocationTracer,
  OtlpDecodeError,
  SpanQueue,
  TelemetryConfigError,
  decodeTraceExportRequest,
  describeCommand,
  invocationSpanId,
  parseTraceparent,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from "@cairn/telemetry";
import { MessageType, RunCommandMessageSchema, SleepCommandMessageSchema, create, toBinary } from "@cairn/protocol";

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
    // The first batch of 2 is in flight (stalled); 4 wait; the other 4 were dropped.
    expect(queue.stats()).toMatchObject({ queued: 4, dropped: 4 });
    pending.shift()?.({ code: 1 }); // FAILED
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.stats().failedSpans).toBe(2);
    pending.shift()?.({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    pending.shift()?.({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.stats()).toMatchObject({ exported: 4, dropped: 4, failedSpans: 2, queued: 0 });
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
