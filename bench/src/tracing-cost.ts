// The tracer's own CPU per invocation, in one process, without a server: steadier than the
// server-level comparison on a shared machine. Each invocation makes what a greet makes (attempt
// span, an Output frame, invocation span) and every span is encoded as an OTLP export request
// by the real queue and encoder (as the worker does: span by span as it ends); nothing is sent.
//
// `garbage KiB` (default 0) allocates that much short-lived memory per invocation beside the
// spans, standing in for what a partition worker allocates per request (journal, store rows,
// HTTP/2 frames): with it, spans that wait for their export survive young-generation collections,
// which is where much of the cost of tracing in a server went (bench/BENCHMARKS.md).
//
// Usage: node dist/tracing-cost.js [invocations per round, default 30000] [rounds, default 5] [garbage KiB, default 0]
import { InvocationTracer, encodeTraceExportRequest } from "@cairn/telemetry/tracing";

const invocations = Number(process.argv[2] ?? 30_000);
const rounds = Number(process.argv[3] ?? 5);
const garbageKiB = Number(process.argv[4] ?? 0);
let bytes = 0;
let requests = 0;
const exporter = {
  // A queue that keeps span objects (earlier builds) hands them here to be encoded.
  export(spans: Parameters<typeof encodeTraceExportRequest>[0], done: (result: { code: number }) => void): void {
    this.sendEncoded(encodeTraceExportRequest(spans), done);
  },
  sendEncoded(body: Uint8Array, done: (result: { code: number }) => void): void {
    bytes += body.length;
    requests += 1;
    done({ code: 0 });
  },
  shutdown: (): Promise<void> => Promise.resolve(),
};
const tracer = new InvocationTracer({ endpoint: "http://127.0.0.1:1", exporter, flushIntervalMs: 1 });
const output = new Uint8Array([0x0a, 0x02, 0x22, 0x00]);
/** Keeps the garbage reachable until the next invocation, as a request's objects live for a while. */
let keep: unknown[] = [];

/** CPU µs per invocation of one pass; `traced` false = the garbage alone (the baseline). */
async function pass(round: number, traced: boolean): Promise<number> {
  const ids = Array.from({ length: invocations }, (_, i) => `inv_1${round.toString(36)}${i.toString(36).padStart(8, "0")}abcdefghijklmnopqrstuvwxyz0123`);
  const before = process.cpuUsage();
  for (let i = 0; i < invocations; i++) {
    if (garbageKiB > 0) {
      keep = [];
      for (let k = 0; k < garbageKiB * 8; k++) keep.push({ a: k, b: i, c: [k, i, k + i], d: null }); // ≈ 128 B each
    }
    if (traced) {
      const facts = { invocationId: ids[i] as string, service: "BenchGreeter", handler: "greet", key: null, traceparent: null, tracestate: null };
      const attempt = tracer.startAttempt(facts, { deploymentId: "dp_bench", protocolVersion: 6, failures: 0 });
      void attempt.traceparent;
      attempt.frame(0x0401, output);
      attempt.end({ kind: "end" });
      const now = Date.now();
      tracer.endInvocation(facts, { kind: "success" }, now - 5, now);
    }
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve)); // let batches leave, as the worker does
  }
  await tracer.flush();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / invocations;
}

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const baseline = garbageKiB > 0 ? await pass(round, false) : 0;
  results.push((await pass(round, true)) - baseline);
}
await tracer.shutdown();
void keep;
const steady = results.slice(1);
const mean = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
console.log(
  `tracer CPU per invocation (2 spans, encoded${garbageKiB > 0 ? `; beyond ${garbageKiB} KiB of garbage each` : ""}): rounds ${results.map((r) => r.toFixed(1)).join(", ")} µs; mean after the first ${mean.toFixed(1)} µs; ${(bytes / 2 ** 20).toFixed(1)} MiB in ${requests} requests`,
);
