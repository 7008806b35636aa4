// Goal: a process killed with SIGKILL at any moment loses no acknowledged record and leaves a log
// that reopens clean; method: a child running the built package appends from 8 concurrent appenders
// to a log on the real disk and reports each payload hash and each acknowledged LSN; the parent
// kills it at a random moment (sometimes during its own recovery), reopens the log and checks every
// acknowledged record, that nothing but attempted payloads is there, and that nothing follows the
// last valid record. Repeats, on the same log, for about 20 seconds.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { openLog } from "@cairn/log";

const fixture = fileURLToPath(new URL("./fixtures/crash-writer.mjs", import.meta.url));
const builtEntry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const limits = { chunkBytesMax: 256 * 1024, recordBytesMax: 4096, batchBytesMax: 64 * 1024, inFlightBytesMax: 256 * 1024 };
const budgetMs = 20_000;
const appenders = 8;

/** A directory on a real disk: os.tmpdir() unless it is a tmpfs, else the package's .tmp/. */
function realDiskDir(): string {
  let base = tmpdir();
  try {
    const mounts = readFileSync("/proc/mounts", "utf8").split("\n").map((l) => l.split(" "));
    const mount = mounts
      .filter((m) => m[1] !== undefined && (base === m[1] || base.startsWith(`${m[1] === "/" ? "" : m[1]}/`)))
      .sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))[0];
    if (mount?.[2] === "tmpfs") base = fileURLToPath(new URL("../.tmp", import.meta.url));
  } catch {
    // No /proc: keep os.tmpdir().
  }
  return mkdtempSync(join(base, "cairn-log-crash-"));
}

const dir = realDiskDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hashOf = (payload: Uint8Array): string => createHash("sha1").update(payload).digest("hex").slice(0, 20);

interface Run {
  acked: Map<number, string>;
  attempted: Set<string>;
  readyTail: number | null;
}

/** Runs the child until `killAfterMs` after it is ready (or after spawn when `early`), then SIGKILLs it. */
async function runChild(killAfterMs: number, early: boolean): Promise<Run> {
  const run: Run = { acked: new Map(), attempted: new Set(), readyTail: null };
  const child = spawn(process.execPath, [fixture, dir, String(appenders), JSON.stringify(limits)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let timer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  };
  if (early) kill();
  let rest = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      const [kind, a, b] = line.split(" ");
      if (kind === "a" && a !== undefined) run.attempted.add(a);
      else if (kind === "d" && a !== undefined && b !== undefined) run.acked.set(Number(a), b);
      else if (kind === "ready") {
        run.readyTail = Number(a);
        if (!early) kill();
      }
    }
  });
  const closed = new Promise<void>((resolve) => child.stdout.on("close", resolve));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  clearTimeout(timer);
  await closed;
  if (exit.signal !== "SIGKILL") throw new Error(`crash writer exited by itself (code ${exit.code})`);
  return run;
}

it(
  "keeps every acknowledged record across SIGKILLs at random moments",
  async () => {
    expect(existsSync(builtEntry), "the crash test runs the built package: run the build first").toBe(true);
    const acked = new Map<number, string>();
    const attempted = new Set<string>();
    const started = Date.now();
    let iterations = 0;
    let truncations = 0;
    let killedDuringOpen = 0;
    while (Date.now() - started < budgetMs - 1500 || iterations < 3) {
      iterations++;
      const early = Math.random() < 0.2;
      const run = await runChild(early ? 40 + Math.random() * 200 : 10 + Math.random() * 250, early);
      if (run.readyTail === null) killedDuringOpen++;
      for (const h of run.attempted) attempted.add(h);
      for (const [lsn, h] of run.acked) {
        expect(acked.has(lsn), `LSN ${lsn} acknowledged twice`).toBe(false);
        acked.set(lsn, h);
      }

      const log = await openLog(dir, limits);
      if (log.recovery.truncation !== null) truncations++;
      const { durableLsn, trimPoint } = log.tail();
      expect(trimPoint).toBe(0);
      let expected = 1;
      let lastChunkBytes = 0;
      const chunks = readdirSync(dir).filter((n) => n.endsWith(".chunk")).sort();
      const lastChunk = chunks[chunks.length - 1] as string;
      const lastChunkFirstLsn = Number(lastChunk.slice(0, 20));
      for (const record of log.readSync(1)) {
        expect(record.lsn).toBe(expected++);
        const hash = hashOf(record.payload);
        const ackedHash = acked.get(record.lsn);
        if (ackedHash !== undefined) expect(hash, `LSN ${record.lsn} changed`).toBe(ackedHash);
        expect(attempted.has(hash), `LSN ${record.lsn} holds bytes nobody appended`).toBe(true);
        if (record.lsn >= lastChunkFirstLsn) lastChunkBytes += 16 + record.payload.length;
      }
      expect(expected - 1).toBe(durableLsn);
      // Every acknowledged LSN is there (the records are dense, so the tail covers them all).
      const maxAcked = Math.max(0, ...acked.keys());
      expect(durableLsn).toBeGreaterThanOrEqual(maxAcked);
      // Nothing follows the last valid record.
      expect(statSync(join(dir, lastChunk)).size).toBe(20 + lastChunkBytes);
      await log.close();
    }
    console.log(
      `crash test: ${iterations} kills (${killedDuringOpen} during open), ${acked.size} acknowledged records verified, ` +
        `${truncations} recoveries truncated a torn tail`,
    );
    expect(acked.size).toBeGreaterThan(100);
  },
  budgetMs + 30_000,
);
