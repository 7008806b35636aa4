// SDK-side CPU per invocation: @cairn/sdk against the official SDK, both on Node 24 and behind
// the same real restate-server in the same run, for a greeting handler and a three-run handler.
// CPU is read from /proc/<pid>/stat (utime + stime) of each service process around N invocations.
// Usage: pnpm bench [N=2000] [concurrency=16]   (from packages/sdk; compiles bench/ to bench/dist first)
//        CAIRN_BENCH_NODE=self pnpm bench     (the @cairn/sdk side on this Node instead of Node 24)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, node24Path, registerDeployment, spawnChild, startOfficialService, startRestateServer, waitUntil } from "@cairn/testkit";

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const WARMUP = Math.min(300, N);
const here = dirname(fileURLToPath(import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of the full line)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function drive(url: string, count: number): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(`n${i}`) });
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

async function measure(label: string, pid: number, url: string): Promise<Record<string, unknown>> {
  await drive(url, WARMUP);
  const before = cpuMs(pid);
  const started = Date.now();
  const failures = await drive(url, N);
  const wallMs = Date.now() - started;
  const cpu = cpuMs(pid) - before;
  return { label, cpuMsPerInvocation: cpu / N, throughputPerS: (N * 1000) / wallMs, failures };
}

const server = await startRestateServer();
const official = await startOfficialService("bench");
const port = await freePort();
// Both SDKs run on the same runtime by default: the Node 24 binary the official SDK needs (the
// testkit's), so the ratio compares SDK code, not Node versions. CAIRN_BENCH_NODE=self runs the
// @cairn/sdk service on this Node instead (Node 20 here; its HTTP/2 stack costs more per call).
const cairnNode = process.env.CAIRN_BENCH_NODE === "self" ? process.execPath : node24Path();
const cairn = spawnChild(cairnNode, [...(process.env.CAIRN_BENCH_PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), join(here, "cairn-service.js")], { env: { CAIRN_SERVICE_PORT: String(port) }, cwd: join(here, "..", "..") });
await waitUntil("cairn bench service", cairn, () => Promise.resolve(cairn.output().includes("READY")), 30_000);
try {
  await registerDeployment(server.adminUrl, official.url);
  await registerDeployment(server.adminUrl, `http://127.0.0.1:${port}`);
  await new Promise((r) => setTimeout(r, 1000));
  const rows: Array<Record<string, unknown>> = [];
  for (const handler of ["greet", "run3"]) {
    const o = await measure(`official ${handler}`, official.child.process.pid!, `${server.ingressUrl}/BenchGreeter/${handler}`);
    const c = await measure(`cairn ${handler}`, cairn.process.pid!, `${server.ingressUrl}/CairnBenchGreeter/${handler}`);
    rows.push(o, c, { label: `ratio ${handler} (cairn/official CPU)`, ratio: (c.cpuMsPerInvocation as number) / (o.cpuMsPerInvocation as number) });
  }
  console.log(`N=${N} concurrency=${CONCURRENCY} warmup=${WARMUP} cairn-node=${cairnNode === process.execPath ? process.version : "24 (testkit)"}`);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await cairn.stop();
  await official.close();
  await server.close();
}
