// The benchmark report: raw measurements per round, and a markdown table that averages the
// rounds per (server, scenario, connections) and puts Cairn beside Restate as ratios.
/**
 * `cairn`, `restate` (both with the official SDK), `cairn+sdk` (cairn-server with @cairn/sdk), or
 * `cairn+tracing` (cairn with the official SDK and tracing on, exporting to an OTLP sink in the
 * benchmark process).
 */
export type TargetName = "cairn" | "restate" | "cairn+sdk" | "cairn+tracing";

export interface Measurement {
  server: TargetName;
  scenario: string;
  connections: number;
  round: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  unexpectedStatus: number;
  serverCpuMsPerRequest: number | undefined;
  sdkCpuMsPerRequest: number | undefined;
}

export interface Report {
  profile: string;
  machine: string;
  date: string;
  servers: TargetName[];
  measurements: Measurement[];
  startups: { server: TargetName; round: number; startupMs: number; peakRssBytes: number | undefined }[];
  failures: string[];
}

interface Averaged {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  unexpectedStatus: number;
  serverCpuMsPerRequest: number | undefined;
  sdkCpuMsPerRequest: number | undefined;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function meanDefined(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : mean(defined);
}

function average(rows: readonly Measurement[]): Averaged {
  return {
    requestsPerSecond: mean(rows.map((r) => r.requestsPerSecond)),
    p50: mean(rows.map((r) => r.latencyMs.p50)),
    p90: mean(rows.map((r) => r.latencyMs.p90)),
    p99: mean(rows.map((r) => r.latencyMs.p99)),
    max: Math.max(...rows.map((r) => r.latencyMs.max)),
    errors: rows.reduce((a, r) => a + r.errors, 0),
    unexpectedStatus: rows.reduce((a, r) => a + r.unexpectedStatus, 0),
    serverCpuMsPerRequest: meanDefined(rows.map((r) => r.serverCpuMsPerRequest)),
    sdkCpuMsPerRequest: meanDefined(rows.map((r) => r.sdkCpuMsPerRequest)),
  };
}

const fmt = (value: number | undefined, digits = 1): string => (value === undefined ? "–" : value.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? "–" : `${(a / b).toFixed(2)}×`;

export function renderMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`Profile \`${report.profile}\`, ${report.machine}, ${report.date}.`, "");
  lines.push(
    "| scenario | conns | server | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-expected | server CPU ms/req | SDK CPU ms/req |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const keys = [...new Set(report.measurements.map((m) => `${m.scenario}\u0000${m.connections}`))];
  const ratioLines: string[] = [];
  const tracingLines: string[] = [];
  for (const key of keys) {
    const [scenario, connections] = key.split("\u0000") as [string, string];
    const byServer = new Map<TargetName, Averaged>();
    for (const server of report.servers) {
      const rows = report.measurements.filter((m) => m.server === server && `${m.scenario}\u0000${m.connections}` === key);
      if (rows.length === 0) continue;
      const a = average(rows);
      byServer.set(server, a);
      lines.push(
        `| ${scenario} | ${connections} | ${server} | ${fmt(a.requestsPerSecond, 0)} | ${fmt(a.p50, 2)} | ${fmt(a.p90, 2)} | ${fmt(a.p99, 2)} | ${fmt(a.max, 1)} | ${a.errors} | ${a.unexpectedStatus} | ${fmt(a.serverCpuMsPerRequest, 3)} | ${fmt(a.sdkCpuMsPerRequest, 3)} |`,
      );
    }
    const plain = byServer.get("cairn");
    const traced = byServer.get("cairn+tracing");
    if (plain !== undefined && traced !== undefined) {
      tracingLines.push(
        `| ${scenario} | ${connections} | ${fmt(plain.requestsPerSecond, 0)} | ${fmt(traced.requestsPerSecond, 0)} | ${fmt((traced.requestsPerSecond / plain.requestsPerSecond - 1) * 100, 1)} % | ${ratio(traced.p99, plain.p99)} | ${ratio(traced.serverCpuMsPerRequest, plain.serverCpuMsPerRequest)} |`,
      );
    }
    const restate = byServer.get("restate");
    for (const target of ["cairn", "cairn+sdk", "cairn+tracing"] as const) {
      const candidate = byServer.get(target);
      if (candidate === undefined || restate === undefined) continue;
      ratioLines.push(
        `| ${scenario} | ${connections} | ${target} | ${ratio(candidate.requestsPerSecond, restate.requestsPerSecond)} | ${ratio(candidate.p50, restate.p50)} | ${ratio(candidate.p99, restate.p99)} | ${ratio(candidate.serverCpuMsPerRequest, restate.serverCpuMsPerRequest)} | ${ratio(candidate.sdkCpuMsPerRequest, restate.sdkCpuMsPerRequest)} |`,
      );
    }
  }
  if (ratioLines.length > 0) {
    lines.push("", "Ratios to restate (throughput: higher is better; latency and CPU: lower is better):", "");
    lines.push(
      "| scenario | conns | target | req/s | p50 | p99 | server CPU/req | SDK CPU/req |",
      "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
      ...ratioLines,
    );
  }
  if (tracingLines.length > 0) {
    lines.push("", "Tracing on (cairn+tracing) against off (cairn), same run:", "");
    lines.push(
      "| scenario | conns | off req/s | on req/s | throughput change | p99 on/off | server CPU/req on/off |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...tracingLines,
    );
  }
  lines.push("", "| server | start-up to first call (ms, mean) | peak RSS (MiB, max) |", "| --- | ---: | ---: |");
  for (const server of report.servers) {
    const rows = report.startups.filter((s) => s.server === server);
    if (rows.length === 0) continue;
    const rss = rows.map((r) => r.peakRssBytes).filter((v): v is number => v !== undefined);
    lines.push(
      `| ${server} | ${fmt(mean(rows.map((r) => r.startupMs)), 0)} | ${rss.length === 0 ? "–" : fmt(Math.max(...rss) / 2 ** 20, 1)} |`,
    );
  }
  if (report.failures.length > 0) lines.push("", "Failures:", ...report.failures.map((f) => `- ${f}`));
  return `${lines.join("\n")}\n`;
}
