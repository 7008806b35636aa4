// GET /metrics of a whole server: the main thread's own metrics (process memory, event-loop lag,
// worker task queues) merged with every worker's snapshot, asked for with a `metrics` task.
//
// MS1. A scrape never waits on a stuck worker for more than metricsScrapeTimeoutMs: that worker's
//      series are left out and `cairn_worker_up{worker}` reads 0.
// MS2. One scrape runs at a time; concurrent requests share its answer (bounded work, D5).
import type { MetricsTaskResult } from "@cairn/partition";
import { MainMetrics, type MetricSnapshot, mergeSnapshots, renderPrometheus } from "@cairn/telemetry";
import { metricsScrapeTimeoutMs } from "./constants.js";
import type { WorkerHost } from "./worker-host.js";

export interface MetricsScraper {
  scrape(): Promise<string>;
  close(): void;
}

export function createMetricsScraper(hosts: readonly WorkerHost[]): MetricsScraper {
  const main = new MainMetrics();
  let running: Promise<string> | undefined;

  const askWorker = async (host: WorkerHost): Promise<MetricSnapshot[] | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), metricsScrapeTimeoutMs);
      });
      const answer = await Promise.race([host.run<MetricsTaskResult>({ kind: "metrics" }), timeout]);
      return answer?.metrics;
    } catch {
      return undefined; // a worker restarting or shutting down: left out, up = 0
    } finally {
      clearTimeout(timer);
    }
  };

  const scrape = async (): Promise<string> => {
    const answers = await Promise.all(hosts.map((host) => askWorker(host)));
    const own = main.collect(hosts.map((host, i) => ({ index: host.index, queued: host.queueSize, up: answers[i] !== undefined })));
    const groups: MetricSnapshot[][] = [own];
    for (const answer of answers) if (answer !== undefined) groups.push(answer);
    return renderPrometheus(mergeSnapshots(groups));
  };

  return {
    scrape: () => {
      running ??= scrape().finally(() => {
        running = undefined;
      });
      return running;
    },
    close: () => main.close(),
  };
}
