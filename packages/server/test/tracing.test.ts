// Goal: with tracing on, one request with an incoming traceparent yields one trace whose tree (invocation → attempts → commands, caller → callee) has the right parents, names and attributes, and the deployment gets the attempt's traceparent on every attempt; with tracing off no span is exported; method: a real OTLP/HTTP receiver decoding the protobuf export, official-SDK fixtures (services/traced.ts) on a real server.
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { type ReceivedSpan, parseTraceparent, startOtlpReceiver, type OtlpReceiver } from "@cairn/telemetry";
import { collectingLogger, postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let services: SdkService;
beforeAll(async () => {
  services = await startOfficialService("traced");
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

const incomingTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const incomingParent = "00f067aa0ba902b7";

interface PlaceResult {
  reserved: string;
  orderTraceparents: string[];
  stockTraceparents: string[];
}

describe("tracing on", () => {
  let server: CairnServer;
  let receiver: OtlpReceiver;
  const { logger, entries } = collectingLogger();

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    server = await startServer({
      dataDir: tempDataDir(),
      ingressPort: 0,
      adminPort: 0,
      partitions: 2,
      workers: 2,
      logger,
      tracingEndpoint: receiver.url,
      retryPolicy: { initialIntervalMs: 50, maxIntervalMs: 100 },
    });
    await registerDeployment(server.adminUrl, services.url, { force: false });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it("exports one trace of the whole call tree under the incoming traceparent", async () => {
    const response = await postJson(`${server.ingressUrl}/TracedOrder/place`, "book", {
      traceparent: `00-${incomingTraceId}-${incomingParent}-01`,
      tracestate: "vendor=abc",
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as PlaceResult;
    expect(result.reserved).toBe("reserved book");
    const orderId = response.headers.get("x-restate-id") ?? "";

    const invocationSpans = (spans: readonly ReceivedSpan[]): ReceivedSpan[] => spans.filter((s) => s.name.startsWith("invoke "));
    await receiver.waitFor((spans) => invocationSpans(spans).length >= 3 && spans.some((s) => s.name === "run write-audit"), 15_000);
    const spans = receiver.spans.filter((s) => s.traceId === incomingTraceId);
    // Every span of the scenario is in the incoming trace.
    expect(spans.length).toBe(receiver.spans.length);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const children = (parent: ReceivedSpan): ReceivedSpan[] => spans.filter((s) => s.parentSpanId === parent.spanId);

    // The order invocation: child of the incoming parent, SERVER kind, Restate's attributes.
    const order = spans.find((s) => s.name === "invoke TracedOrder/place");
    expect(order).toBeDefined();
    if (order === undefined) return;
    expect(order.parentSpanId).toBe(incomingParent);
    expect(order.kind).toBe(2);
    expect(order.attributes).toMatchObject({
      "restate.invocation.id": orderId,
      "restate.invocation.target": "TracedOrder/place",
      "restate.invocation.result": "Success",
      "restate.invocation.attempts": 2,
      "rpc.service": "TracedOrder",
      "rpc.method": "place",
      "w3c.tracestate": "vendor=abc",
    });
    expect(order.status.code).toBe(1);

    // Two attempts under it: the first failed in the flaky run, the second ended.
    const attempts = children(order)
      .filter((s) => s.name === "attempt TracedOrder/place")
      .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
    expect(attempts.map((a) => a.attributes["restate.invocation.attempt"])).toEqual([1, 2]);
    const [first, second] = attempts as [ReceivedSpan, ReceivedSpan];
    expect(first.status.code).toBe(2);
    expect(first.attributes["restate.error.message"]).toMatch(/card service unavailable/);
    expect(first.events.map((e) => e.name)).toContain("attempt failed");
    expect(second.status.code).not.toBe(2);
    expect(second.attributes["restate.attempt.outcome"]).toBe("End");

    // Commands: the sleep and the failing run under the first attempt; the run's success, the
    // call and the send under the second.
    const firstCommands = children(first).map((s) => s.name);
    expect(firstCommands).toEqual(expect.arrayContaining(["sleep", "run charge-card"]));
    const failedRun = children(first).find((s) => s.name === "run charge-card");
    expect(failedRun?.status.code).toBe(2);
    const secondCommands = children(second);
    const succeededRun = secondCommands.find((s) => s.name === "run charge-card");
    expect(succeededRun?.attributes["restate.run.result"]).toBe("Success");
    const call = secondCommands.find((s) => s.name === "call TracedStock/reserve");
    expect(call?.attributes).toMatchObject({ "restate.coordination.call.service": "TracedStock", "restate.coordination.call.method": "reserve" });
    expect(secondCommands.map((s) => s.name)).toContain("send TracedStock/audit");
    const sleep = children(first).find((s) => s.name === "sleep");
    const wakeUpMs = Number(sleep?.attributes["restate.sleep.wake_up_time"] ?? 0);
    expect(wakeUpMs).toBeGreaterThan(0);
    // Sleep and call spans last until their completion is applied (not zero-length).
    const ms = (nanos: bigint | undefined): number => Number((nanos ?? 0n) / 1_000_000n);
    expect(ms(sleep?.endTimeUnixNano)).toBeGreaterThanOrEqual(wakeUpMs - 5);
    expect(ms(sleep?.endTimeUnixNano) - ms(sleep?.startTimeUnixNano)).toBeGreaterThanOrEqual(30);

    // The callee of the call and of the send: invocation spans whose parent is the order invocation.
    const reserve = spans.find((s) => s.name === "invoke TracedStock/reserve");
    const audit = spans.find((s) => s.name === "invoke TracedStock/audit");
    expect(reserve?.parentSpanId).toBe(order.spanId);
    expect(audit?.parentSpanId).toBe(order.spanId);
    if (reserve === undefined) return;
    expect(call?.endTimeUnixNano).toBeGreaterThan(call?.startTimeUnixNano ?? 0n);
    expect(ms(call?.endTimeUnixNano)).toBeGreaterThanOrEqual(ms(reserve.endTimeUnixNano) - 5);
    const reserveAttempt = children(reserve).find((s) => s.name === "attempt TracedStock/reserve");
    expect(reserveAttempt).toBeDefined();
    expect(children(reserveAttempt as ReceivedSpan).map((s) => s.name)).toContain("run reserve-item");

    // The deployment got the attempt span as its parent, on every attempt.
    expect(result.orderTraceparents).toHaveLength(2);
    result.orderTraceparents.forEach((header, i) => {
      const parsed = parseTraceparent(header);
      expect(parsed.traceId).toBe(incomingTraceId);
      expect(parsed.spanId).toBe(attempts[i]?.spanId);
    });
    expect(parseTraceparent(result.stockTraceparents[0] ?? "").spanId).toBe(reserveAttempt?.spanId);

    // Every parent named in the trace is exported, except the incoming one.
    for (const span of spans) {
      if (span.parentSpanId === "" || span.parentSpanId === incomingParent) continue;
      expect(byId.has(span.parentSpanId), `parent of ${span.name}`).toBe(true);
    }
    expect(spans.every((s) => s.resource["service.name"] === "cairn-server")).toBe(true);
  }, 30_000);

  it("logs a line per failed attempt with the invocation id and the error", () => {
    const failed = entries.filter((e) => e.message.startsWith("attempt of ") && e.level === "warn");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]?.fields).toMatchObject({ service: "TracedOrder", handler: "place" });
    expect(String(failed[0]?.fields?.invocationId)).toMatch(/^inv_1/);
    expect(String(failed[0]?.fields?.error)).toMatch(/card service unavailable/);
  });

  it("starts a new trace rooted at the invocation when the request carries no traceparent", async () => {
    const before = receiver.spans.length;
    const response = await postJson(`${server.ingressUrl}/TracedStock/reserve`, "pen");
    expect(response.status).toBe(200);
    const id = response.headers.get("x-restate-id") ?? "";
    await receiver.waitFor((spans) => spans.slice(before).some((s) => s.attributes["restate.invocation.id"] === id && s.name.startsWith("invoke ")));
    const root = receiver.spans.slice(before).find((s) => s.attributes["restate.invocation.id"] === id && s.name.startsWith("invoke "));
    expect(root?.parentSpanId).toBe("");
    expect(root?.traceId).not.toBe(incomingTraceId);
    const attempt = receiver.spans.find((s) => s.parentSpanId === root?.spanId);
    expect(attempt?.traceId).toBe(root?.traceId);
  }, 20_000);

  it("an unsampled incoming traceparent produces no spans", async () => {
    const unsampledTrace = "0af7651916cd43dd8448eb211c80319c";
    const response = await postJson(`${server.ingressUrl}/TracedStock/reserve`, "ink", { traceparent: `00-${unsampledTrace}-b7ad6b7169203331-00` });
    expect(response.status).toBe(200);
    const marker = await postJson(`${server.ingressUrl}/TracedStock/reserve`, "marker");
    const markerId = marker.headers.get("x-restate-id") ?? "";
    await receiver.waitFor((spans) => spans.some((s) => s.attributes["restate.invocation.id"] === markerId && s.name.startsWith("invoke ")));
    expect(receiver.spans.filter((s) => s.traceId === unsampledTrace)).toEqual([]);
  }, 20_000);
});

describe("tracing to a collector that never answers", () => {
  it("slows neither the calls nor close", async () => {
    const held: Socket[] = [];
    const blackhole = createServer((socket) => held.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const port = (blackhole.address() as AddressInfo).port;
    const server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 1, workers: 1, tracingEndpoint: `http://127.0.0.1:${port}` });
    try {
      await registerDeployment(server.adminUrl, services.url, { force: false });
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postJson(`${server.ingressUrl}/TracedStock/reserve`, `x${i}`)));
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
      await Promise.all(answers.map((r) => r.arrayBuffer()));
      expect(Date.now() - started).toBeLessThan(5_000);
      const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/^cairn_tracing_spans\{worker="0",state="queued"\} [1-9]/m);
    } finally {
      const closing = Date.now();
      await server.close();
      expect(Date.now() - closing).toBeLessThan(8_000);
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  }, 30_000);
});

describe("tracing off", () => {
  it("exports no spans and sends the incoming traceparent to the deployment unchanged", async () => {
    const receiver = await startOtlpReceiver();
    const server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 1, workers: 1, retryPolicy: { initialIntervalMs: 50, maxIntervalMs: 100 } });
    try {
      await registerDeployment(server.adminUrl, services.url, { force: false });
      const header = `00-${incomingTraceId}-${incomingParent}-01`;
      const response = await postJson(`${server.ingressUrl}/TracedOrder/place`, "lamp", { traceparent: header });
      expect(response.status).toBe(200);
      const result = (await response.json()) as PlaceResult;
      expect(result.orderTraceparents).toEqual([header, header]);
      // The callee still joins the trace: its parent is the caller's (derived) invocation span.
      const callee = parseTraceparent(result.stockTraceparents[0] ?? "");
      expect(callee.traceId).toBe(incomingTraceId);
      expect(callee.spanId).not.toBe(incomingParent);
      const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
      expect(metrics).not.toMatch(/^cairn_tracing_spans\{/m);
    } finally {
      await server.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.stats.requests).toBe(0);
    await receiver.close();
  }, 30_000);
});
