// Resource readings of a process from /proc (Linux): CPU time (user + system, all threads)
// and peak resident set size. Other platforms report nothing rather than a wrong figure.
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second; 100 on every Linux build this runs on (USER_HZ). */
const clockTicksPerSecond = 100;

/** CPU time the process has used so far, in milliseconds, or undefined where /proc is absent. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM) in bytes, or undefined. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
