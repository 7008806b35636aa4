// Side-by-side load benchmark: cairn-server and the real restate-server, one after the other on
// 127.0.0.1, each on a fresh data directory, serving the same official-SDK endpoint, driven by
// autocannon. Two rounds alternate the order of the servers so that drift on this shared machine
// hits both. Writes bench/results/latest.{json,md} and prints the table with Cairn/Restate ratios.
//
// Targets: `cairn` and `restate` serve the official-SDK endpoint; `cairn+sdk` is cairn-server
// serving the same handlers written with @cairn/sdk (bench/src/cairn-sdk-service.ts);
// `cairn+tracing` is `cairn` with --tracing-endpoint set to an OTLP/HTTP sink in this process
// (it counts requests and bytes, it does not decode), for the cost of tracing on versus off.
// Not in the default set: `--targets cairn,cairn+tracing --scenarios greet`.
//
// Usage: node dist/main.js --profile ci|full [--targets cairn,restate,cairn+sdk,cairn+tracing] [--scenarios greet,run3]
//        [--connections 1,10,50] [--rounds 2]
// Exit code 1 on errors, unexpected statuses, or a server that does not start; never on a figure.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startOfficialService, type SdkService } from "@cairn/testkit";
import { startOtlpReceiver } from "@cairn/telemetry";
import { cpuTimeMs, peakRssBytes } from "./proc.js";
import { scenarios, type Scenario } from "./scenarios.js";
import { cairnServerBuilt, startCairnSdkService, startServer, type RunningServer, type ServerName } from "./servers.js";
import { renderMarkdown, type Measurement, type Report, type TargetName } from "./report.js";

interface Profile {
  warmupSeconds: number;
  durationSeconds: number;
  connections: number[];
  rounds: number;
}

const profiles: Record<string, Profile> = {
  // Short enough for CI (≈ 2 minutes for two servers), long enough to fail on broken paths.
  ci: { warmupSeconds: 0.5, durationSeconds: 1.5, connections: [1, 10, 50], rounds: 2 },
  full: { warmupSeconds: 3, durationSeconds: 10, connections: [1, 10, 50], rounds: 2 },
};

const usage = `Usage: node dist/main.js [--profile ci|full] [--targets cairn,restate,cairn+sdk,cairn+tracing]
       [--scenarios ${scenarios.map((s) => s.name).join(",")}] [--connections 1,10,50] [--rounds 2]

  --profile      ci: 0.5 s warm-up and 1.5 s per measurement (default); full: 3 s and 10 s
  --targets      what to measure (default cairn,restate,cairn+sdk); cairn+tracing is cairn with
                 tracing on, exporting to an OTLP sink in this process
  --scenarios    default: all
  --connections  autocannon connections, one measurement each (default 1,10,50)
  --rounds       rounds, alternating the order of the targets (default 2)

Writes bench/results/latest.{json,md}. Exit code 1 on connection errors, unexpected statuses or a
server that does not start; never on a figure.`;

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        profile: { type: "string", default: "ci" },
        targets: { type: "string" },
        scenarios: { type: "string" },
        connections: { type: "string" },
        rounds: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
})();
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}
const baseProfile = profiles[values.profile];
const profile: Profile | undefined =
  baseProfile === undefined
    ? undefined
    : {
        ...baseProfile,
        ...(values.connections === undefined ? {} : { connections: values.connections.split(",").map(Number) }),
        ...(values.rounds === undefined ? {} : { rounds: Number(values.rounds) }),
      };
if (profile === undefined) {
  console.error(`unknown profile ${values.profile}; use ci or full`);
  process.exit(2);
}

const targetServer: Record<TargetName, ServerName> = { cairn: "cairn", restate: "restate", "cairn+sdk": "cairn", "cairn+tracing": "cairn" };
const requestedTargets = (values.targets ?? "cairn,restate,cairn+sdk").split(",") as TargetName[];
const targets = requestedTargets.filter((name) => {
  if (!(name in targetServer)) {
    console.error(`unknown target ${name}; use cairn, restate, cairn+sdk or cairn+tracing`);
    process.exit(2);
  }
  if (targetServer[name] === "cairn" && !cairnServerBuilt()) {
    console.log(`${name}: cairn-server is not built (apps/server/dist/main.js missing), left out`);
    return false;
  }
  return true;
});
const selected = values.scenarios === undefined ? scenarios : scenarios.filter((s) => values.scenarios?.split(",").includes(s.name));

const officialService = await startOfficialService("bench");
const cairnSdkService: SdkService | undefined = targets.includes("cairn+sdk") ? await startCairnSdkService() : undefined;
const otlpSink = targets.includes("cairn+tracing") ? await startOtlpReceiver({ decode: false }) : undefined;
const measurements: Measurement[] = [];
const startups: { server: TargetName; round: number; startupMs: number; peakRssBytes: number | undefined }[] = [];
const failures: string[] = [];

try {
  for (let round = 0; round < profile.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const name of order) {
      const service = name === "cairn+sdk" ? cairnSdkService : officialService;
      if (service === undefined) throw new Error("no service process for " + name);
      let server: RunningServer;
      try {
        server = await startServer(targetServer[name], service.url, name === "cairn+tracing" && otlpSink !== undefined ? ["--tracing-endpoint", otlpSink.url] : []);
      } catch (error) {
        failures.push(`${name} did not start: ${(error as Error).message.split("\n")[0] ?? ""}`);
        continue;
      }
      console.log(`round ${round + 1}: ${name} up in ${server.startupMs.toFixed(0)} ms`);
      try {
        for (const scenario of selected) {
          for (const connections of profile.connections) {
            const measurement = await measure(name, server, scenario, connections, round, profile, service.child.process.pid);
            measurements.push(measurement);
            const bad = measurement.errors + measurement.unexpectedStatus;
            if (bad > 0) failures.push(`${name} ${scenario.name} c=${connections}: ${measurement.errors} errors, ${measurement.unexpectedStatus} unexpected statuses`);
            console.log(
              `  ${scenario.name.padEnd(13)} c=${String(connections).padEnd(3)} ${measurement.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${measurement.latencyMs.p50} ms  p99 ${measurement.latencyMs.p99} ms`,
            );
          }
        }
      } finally {
        startups.push({ server: name, round, startupMs: server.startupMs, peakRssBytes: peakRssBytes(server.pid) });
        await server.stop();
      }
    }
  }
} finally {
  await officialService.close();
  await cairnSdkService?.close();
  if (otlpSink !== undefined) {
    console.log(`OTLP sink: ${otlpSink.stats.requests} export requests, ${(otlpSink.stats.bytes / 2 ** 20).toFixed(1)} MiB`);
    if (otlpSink.stats.requests === 0) failures.push("cairn+tracing exported no spans");
    await otlpSink.close();
  }
}

const report: Report = {
  profile: values.profile,
  machine: machineDescription(),
  date: new Date().toISOString(),
  servers: targets,
  measurements,
  startups,
  failures,
};
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
mkdirSync(resultsDir, { recursive: true });
const markdown = renderMarkdown(report);
writeFileSync(join(resultsDir, "latest.json"), JSON.stringify(report, null, 2));
writeFileSync(join(resultsDir, "latest.md"), markdown);
console.log(`\n${markdown}`);
console.log(`results: ${resolve(resultsDir, "latest.json")}`);
if (failures.length > 0) {
  console.error(`benchmark failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}

async function measure(
  target: TargetName,
  server: RunningServer,
  scenario: Scenario,
  connections: number,
  round: number,
  { warmupSeconds, durationSeconds }: Profile,
  sdkPid: number | undefined,
): Promise<Measurement> {
  const options = { url: server.ingressUrl, connections, requests: scenario.requests, timeout: 10 };
  await autocannon({ ...options, duration: warmupSeconds });
  const serverCpuBefore = cpuTimeMs(server.pid);
  const sdkCpuBefore = sdkPid === undefined ? undefined : cpuTimeMs(sdkPid);
  const result = await autocannon({ ...options, duration: durationSeconds });
  const serverCpuAfter = cpuTimeMs(server.pid);
  const sdkCpuAfter = sdkPid === undefined ? undefined : cpuTimeMs(sdkPid);
  const completed = result.requests.total;
  const expected = (result.statusCodeStats as Record<string, { count: number } | undefined>)[String(scenario.expectedStatus)]?.count ?? 0;
  const perRequest = (before: number | undefined, after: number | undefined): number | undefined =>
    before === undefined || after === undefined || completed === 0 ? undefined : (after - before) / completed;
  return {
    server: target,
    scenario: scenario.name,
    connections,
    round,
    requests: completed,
    requestsPerSecond: completed / result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    unexpectedStatus: completed - expected,
    serverCpuMsPerRequest: perRequest(serverCpuBefore, serverCpuAfter),
    sdkCpuMsPerRequest: perRequest(sdkCpuBefore, sdkCpuAfter),
  };
}

function machineDescription(): string {
  return `${process.platform}/${process.arch}, node ${process.version}, ${String(availableParallelism())} cores`;
}
