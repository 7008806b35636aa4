// Goal: GET /metrics on the admin port serves valid Prometheus text whose counters, histograms and gauges match a known workload (started/completed/failed by service and handler, attempts, log append/fsync, batch sizes, queue depths, connections, memory, event-loop lag); method: a real server with the official-SDK greeter and traced fixtures, the exposition parsed line by line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type CairnServer } from "@cairn/server";
import { registerDeployment, startOfficialService, type SdkService } from "@cairn/testkit";
import { type ParsedSample, parsePrometheus } from "@cairn/telemetry";
import { postJson, removeTempDirs, tempDataDir } from "./helpers.js";

let greeter: SdkService;
let traced: SdkService;
let server: CairnServer;
beforeAll(async () => {
  [greeter, traced] = await Promise.all([startOfficialService("greeter"), startOfficialService("traced")]);
  server = await startServer({ dataDir: tempDataDir(), ingressPort: 0, adminPort: 0, partitions: 2, workers: 2, retryPolicy: { initialIntervalMs: 50, maxIntervalMs: 100 } });
  await registerDeployment(server.adminUrl, greeter.url, { force: false });
  await registerDeployment(server.adminUrl, traced.url, { force: false });
}, 60_000);
afterAll(async () => {
  await server.close();
  await Promise.all([greeter.close(), traced.close()]);
  removeTempDirs();
});

function sum(samples: readonly ParsedSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

async function scrape(): Promise<{ text: string; samples: ParsedSample[]; contentType: string | null }> {
  const response = await fetch(`${server.adminUrl}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parsePrometheus(text), contentType: response.headers.get("content-type") };
}

describe("GET /metrics", () => {
  it("counts a known workload", async () => {
    const greets = 12;
    const answers = await Promise.all(Array.from({ length: greets }, (_, i) => postJson(`${server.ingressUrl}/Greeter/greet`, `m${i}`)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    const order = await postJson(`${server.ingressUrl}/TracedOrder/place`, "desk");
    expect(order.status).toBe(200);
    await order.arrayBuffer();
    // The one-way audit send completes after the order answers.
    let samples: ParsedSample[] = [];
    let text = "";
    let contentType: string | null = null;
    for (let i = 0; i < 50; i++) {
      ({ samples, text, contentType } = await scrape());
      if (sum(samples, "cairn_invocations_completed_total", { service: "TracedStock", handler: "audit" }) === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# TYPE cairn_invocations_started_total counter$/m);

    const greet = { service: "Greeter", handler: "greet" };
    expect(sum(samples, "cairn_invocations_started_total", greet)).toBe(greets);
    expect(sum(samples, "cairn_invocations_completed_total", greet)).toBe(greets);
    expect(sum(samples, "cairn_invocations_failed_total", greet)).toBe(0);
    expect(sum(samples, "cairn_attempts_total", { ...greet, outcome: "end" })).toBe(greets);
    expect(sum(samples, "cairn_attempt_duration_seconds_count", { ...greet, outcome: "end" })).toBe(greets);
    expect(sum(samples, "cairn_attempt_duration_seconds_bucket", { ...greet, outcome: "end", le: "+Inf" })).toBe(greets);
    expect(sum(samples, "cairn_attempt_duration_seconds_sum", { ...greet, outcome: "end" })).toBeGreaterThan(0);

    // The order: one failed attempt (the flaky run), one that ended; one call and one send completed.
    const place = { service: "TracedOrder", handler: "place" };
    expect(sum(samples, "cairn_invocations_started_total", place)).toBe(1);
    expect(sum(samples, "cairn_invocations_completed_total", place)).toBe(1);
    expect(sum(samples, "cairn_attempts_total", { ...place, outcome: "failed" })).toBe(1);
    expect(sum(samples, "cairn_attempts_total", { ...place, outcome: "end" })).toBe(1);
    expect(sum(samples, "cairn_invocations_completed_total", { service: "TracedStock", handler: "reserve" })).toBe(1);

    // Log: every append observed; group commits and apply batches recorded per partition.
    const appends = sum(samples, "cairn_log_append_duration_seconds_count");
    expect(appends).toBeGreaterThanOrEqual(greets * 2);
    const groupCommitted = sum(samples, "cairn_log_group_commit_records_sum");
    expect(groupCommitted).toBe(appends);
    expect(sum(samples, "cairn_log_fsync_duration_seconds_count")).toBeGreaterThan(0);
    expect(sum(samples, "cairn_log_fsync_duration_seconds_count")).toBeLessThanOrEqual(sum(samples, "cairn_log_group_commit_records_count"));
    expect(sum(samples, "cairn_partition_apply_batch_records_sum")).toBe(appends);
    for (const partition of ["0", "1"]) {
      expect(samples.some((s) => s.name === "cairn_log_append_duration_seconds_count" && s.labels.partition === partition)).toBe(true);
      expect(samples.find((s) => s.name === "cairn_partition_queue_depth" && s.labels.partition === partition && s.labels.queue === "active_invocations")?.value).toBe(0);
      expect(samples.find((s) => s.name === "cairn_partition_queue_depth" && s.labels.partition === partition && s.labels.queue === "waiters")?.value).toBe(0);
    }

    // Connections, memory, lag, workers.
    expect(sum(samples, "cairn_deployment_connections", { protocol: "http2" })).toBeGreaterThanOrEqual(1);
    expect(sum(samples, "cairn_process_memory_bytes", { kind: "rss" })).toBeGreaterThan(10_000_000);
    expect(samples.filter((s) => s.name === "cairn_worker_heap_bytes" && s.labels.kind === "used")).toHaveLength(2);
    for (const thread of ["main", "worker-0", "worker-1"]) {
      const lag = samples.find((s) => s.name === "cairn_event_loop_lag_seconds" && s.labels.thread === thread && s.labels.stat === "max");
      expect(lag?.value).toBeGreaterThanOrEqual(0);
      expect(lag?.value).toBeLessThan(5);
    }
    expect(samples.filter((s) => s.name === "cairn_worker_up").map((s) => s.value)).toEqual([1, 1]);
    expect(sum(samples, "cairn_worker_task_queue_depth")).toBe(0);
  }, 30_000);

  it("counts a terminal failure as failed", async () => {
    const refuse = { service: "TracedStock", handler: "refuse" };
    const before = sum((await scrape()).samples, "cairn_invocations_failed_total", refuse);
    const response = await postJson(`${server.ingressUrl}/TracedStock/refuse`, "paper");
    expect(response.status).toBe(409);
    await response.arrayBuffer();
    // The answer can leave before the worker counts the completion and the ended attempt (the
    // attempt ends when its response stream closes, after the End was applied): scrape until both show.
    const counted = (samples: readonly ParsedSample[]): boolean =>
      sum(samples, "cairn_invocations_failed_total", refuse) >= before + 1 && sum(samples, "cairn_attempts_total", { ...refuse, outcome: "end" }) >= 1;
    let { samples } = await scrape();
    for (let tries = 0; tries < 50 && !counted(samples); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ samples } = await scrape());
    }
    expect(sum(samples, "cairn_invocations_failed_total", refuse)).toBe(before + 1);
    expect(sum(samples, "cairn_invocations_completed_total", refuse)).toBe(0);
    expect(sum(samples, "cairn_attempts_total", { ...refuse, outcome: "end" })).toBe(1);
  }, 20_000);

  it("answers 405 to other methods and keeps the admin routes working", async () => {
    const post = await fetch(`${server.adminUrl}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    await post.arrayBuffer();
    const health = await fetch(`${server.adminUrl}/health`);
    expect(health.status).toBe(200);
  });
});
