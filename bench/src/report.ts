// The benchmark report: raw measurements per round, and a markdown table that averages the
// rounds per (server, scenario, connections) and puts Cairn beside Restate as ratios.
import type { ServerName } from "./servers.js";

export interface Measurement {
  server: ServerName;
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
  servers: ServerName[];
  measurements: Measurement[];
  startups: { server: ServerName; round: number; startupMs: number; peakRssBytes: number | undefined }[];
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
  for (const key of keys) {
    const [scenario, connections] = key.split("\u0000") as [string, string];
    const byServer = new Map<ServerName, Averaged>();
    for (const server of report.servers) {
      const rows = report.measurements.filter((m) => m.server === server && `${m.scenario}\u0000${m.connections}` === key);
      if (rows.length === 0) continue;
      const a = average(rows);
      byServer.set(server, a);
      lines.push(
        `| ${scenario} | ${connections} | ${server} | ${fmt(a.requestsPerSecond, 0)} | ${fmt(a.p50, 2)} | ${fmt(a.p90, 2)} | ${fmt(a.p99, 2)} | ${fmt(a.max, 1)} | ${a.errors} | ${a.unexpectedStatus} | ${fmt(a.serverCpuMsPerRequest, 3)} | ${fmt(a.sdkCpuMsPerRequest, 3)} |`,
      );
    }
    const cairn = byServer.get("cairn");
    const restate = byServer.get("restate");
    if (cairn !== undefined && restate !== undefined) {
      ratioLines.push(
        `| ${scenario} | ${connections} | ${ratio(cairn.requestsPerSecond, restate.requestsPerSecond)} | ${ratio(cairn.p50, restate.p50)} | ${ratio(cairn.p99, restate.p99)} | ${ratio(cairn.serverCpuMsPerRequest, restate.serverCpuMsPerRequest)} |`,
      );
    }
  }
  if (ratioLines.length > 0) {
    lines.push("", "Cairn / Restate (throughput: higher is better; latency and CPU: lower is better):", "");
    lines.push("| scenario | conns | req/s | p50 | p99 | server CPU/req |", "| --- | ---: | ---: | ---: | ---: | ---: |", ...ratioLines);
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
