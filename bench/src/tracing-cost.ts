// The tracer's own CPU per invocation, in one process, without a server: steadier than the
// server-level comparison on a shared machine. Each invocation makes what a greet makes (attempt
// span, an Output frame, invocation span) and every span is encoded as an OTLP export request
// (the encoder of the real exporter; nothing is sent).
//
// Usage: node dist/tracing-cost.js [invocations per round, default 30000] [rounds, default 5]
import { InvocationTracer, encodeTraceExportRequest } from "@cairn/telemetry/tracing";

type ReadableSpan = Parameters<typeof encodeTraceExportRequest>[0][number];

const invocations = Number(process.argv[2] ?? 30_000);
const rounds = Number(process.argv[3] ?? 5);
let bytes = 0;
const exporter = {
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    bytes += encodeTraceExportRequest(spans).length;
    done({ code: 0 });
  },
  shutdown: (): Promise<void> => Promise.resolve(),
};
const tracer = new InvocationTracer({ endpoint: "http://127.0.0.1:1", exporter, flushIntervalMs: 1 });
const output = new Uint8Array([0x0a, 0x02, 0x22, 0x00]);
const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const ids = Array.from({ length: invocations }, (_, i) => `inv_1${round.toString(36)}${i.toString(36).padStart(8, "0")}abcdefghijklmnopqrstuvwxyz0123`);
  const before = process.cpuUsage();
  for (let i = 0; i < invocations; i++) {
    const facts = { invocationId: ids[i] as string, service: "BenchGreeter", handler: "greet", key: null, traceparent: null, tracestate: null };
    const attempt = tracer.startAttempt(facts, { deploymentId: "dp_bench", protocolVersion: 6, failures: 0 });
    void attempt.traceparent;
    attempt.frame(0x0401, output);
    attempt.end({ kind: "end" });
    const now = Date.now();
    tracer.endInvocation(facts, { kind: "success" }, now - 5, now);
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve)); // let batches leave, as the worker does
  }
  await tracer.flush();
  const used = process.cpuUsage(before);
  results.push((used.user + used.system) / invocations);
}
await tracer.shutdown();
const steady = results.slice(1);
const mean = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
console.log(`tracer CPU per invocation (2 spans, encoded): rounds ${results.map((r) => r.toFixed(1)).join(", ")} µs; mean after the first ${mean.toFixed(1)} µs; ${(bytes / 2 ** 20).toFixed(1)} MiB encoded`);
