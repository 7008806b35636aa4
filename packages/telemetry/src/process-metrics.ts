// Metrics of the main thread: process memory, event-loop delay, and what the server adds
// (worker task queues). Rendered together with the workers' snapshots on GET /metrics.
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { eventLoopResolutionMs } from "./constants.js";
import { type Gauge, type MetricSnapshot, Registry } from "./metrics.js";

export function eventLoopMonitor(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: eventLoopResolutionMs });
  histogram.enable();
  return histogram;
}

/** Sets `thread`'s lag gauges (seconds) from the histogram, then starts a new interval. */
export function recordEventLoop(gauge: Gauge, thread: string, histogram: IntervalHistogram): void {
  // The monitor's samples include its own resolution as a baseline; subtract it so an idle loop reads ~0.
  const base = eventLoopResolutionMs * 1e6;
  const seconds = (ns: number): number => (Number.isFinite(ns) && histogram.count > 0 ? Math.max(0, ns - base) / 1e9 : 0);
  gauge.set([thread, "p50"], seconds(histogram.percentile(50)));
  gauge.set([thread, "p99"], seconds(histogram.percentile(99)));
  gauge.set([thread, "max"], seconds(histogram.max));
  gauge.set([thread, "mean"], seconds(histogram.mean));
  histogram.reset();
}

export class MainMetrics {
  readonly registry = new Registry();
  readonly #memory: Gauge;
  readonly #lag: Gauge;
  readonly #workerQueue: Gauge;
  readonly #workerUp: Gauge;
  readonly #loop: IntervalHistogram;

  constructor() {
    const r = this.registry;
    this.#memory = r.gauge("cairn_process_memory_bytes", "Memory of the server process (rss, heap_used, heap_total, external, array_buffers).", ["kind"]);
    this.#lag = r.gauge("cairn_event_loop_lag_seconds", "Event-loop delay of a thread since the previous scrape.", ["thread", "stat"]);
    this.#workerQueue = r.gauge("cairn_worker_task_queue_depth", "Tasks waiting in a worker thread's queue (piscina maxQueue bounds it).", ["worker"]);
    this.#workerUp = r.gauge("cairn_worker_up", "1 when a worker thread answered the scrape, 0 when it is down, restarting or too busy.", ["worker"]);
    this.#loop = eventLoopMonitor();
  }

  /** Fills the gauges; `workers` gives each worker's queue depth and whether it answered. */
  collect(workers: readonly { index: number; queued: number; up: boolean }[]): MetricSnapshot[] {
    const memory = process.memoryUsage();
    this.#memory.set(["rss"], memory.rss);
    this.#memory.set(["heap_used"], memory.heapUsed);
    this.#memory.set(["heap_total"], memory.heapTotal);
    this.#memory.set(["external"], memory.external);
    this.#memory.set(["array_buffers"], memory.arrayBuffers);
    recordEventLoop(this.#lag, "main", this.#loop);
    for (const worker of workers) {
      this.#workerQueue.set([String(worker.index)], worker.queued);
      this.#workerUp.set([String(worker.index)], worker.up ? 1 : 0);
    }
    return this.registry.snapshot();
  }

  close(): void {
    this.#loop.disable();
  }
}
