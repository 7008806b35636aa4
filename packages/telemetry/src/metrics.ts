// Counters, gauges and histograms with labels, their snapshots (plain data that crosses the
// worker-thread boundary), and the Prometheus text format.
//
//   exposition => { "# HELP " name " " help "\n" "# TYPE " name " " type "\n" sample* }
//   sample     => name [ "{" label "=" quoted ("," label "=" quoted)* "}" ] " " value "\n"
//   histogram  => name "_bucket{…,le=\"b\"}" cumulative-count … le="+Inf", name "_sum", name "_count"
//
// Each partition worker keeps its own Registry; the main thread asks every worker for a
// snapshot on scrape, merges them (same metric and labels → summed) with its own, and renders.
//
// M1. A metric keeps at most seriesPerMetricMax label sets; later ones are folded into one series
//     whose labels all read `_overflow` (D5: a label taken from user input cannot grow memory).
// M2. Recording is allocation-free for an existing series: a Map lookup by the joined label values.
import { seriesPerMetricMax } from "./constants.js";

export type MetricType = "counter" | "gauge" | "histogram";

export interface SeriesSnapshot {
  labels: string[];
  /** Counter or gauge value. */
  value?: number;
  /** Histogram: per-bucket (non-cumulative) counts, one more than bounds (the +Inf bucket). */
  counts?: number[];
  sum?: number;
  count?: number;
}

export interface MetricSnapshot {
  name: string;
  help: string;
  type: MetricType;
  labelNames: string[];
  bounds?: number[];
  series: SeriesSnapshot[];
}

interface Series {
  labels: string[];
  value: number;
  counts: number[] | undefined;
  sum: number;
}

const overflow = "_overflow";

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, Series>();
  abstract readonly type: MetricType;

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected seriesOf(labels: readonly string[]): Series {
    if (labels.length !== this.labelNames.length) throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${labels.length}`);
    const key = labels.length === 1 ? (labels[0] as string) : labels.join("\u0000");
    let series = this.series.get(key);
    if (series !== undefined) return series;
    if (this.series.size >= seriesPerMetricMax) {
      // M1
      const folded = this.labelNames.map(() => overflow);
      const foldedKey = folded.join("\u0000");
      series = this.series.get(foldedKey);
      if (series !== undefined) return series;
      series = this.newSeries(folded);
      this.series.set(foldedKey, series);
      return series;
    }
    series = this.newSeries([...labels]);
    this.series.set(key, series);
    return series;
  }

  protected newSeries(labels: string[]): Series {
    return { labels, value: 0, counts: undefined, sum: 0 };
  }

  /** Forgets every series (gauges recomputed on scrape). */
  reset(): void {
    this.series.clear();
  }

  snapshot(): MetricSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const s of this.series.values()) {
      if (s.counts === undefined) series.push({ labels: s.labels, value: s.value });
      else series.push({ labels: s.labels, counts: [...s.counts], sum: s.sum, count: s.counts.reduce((a, b) => a + b, 0) });
    }
    const snapshot: MetricSnapshot = { name: this.name, help: this.help, type: this.type, labelNames: [...this.labelNames], series };
    return snapshot;
  }
}

export class Counter extends Metric {
  readonly type = "counter";
  inc(labels: readonly string[] = [], by = 1): void {
    this.seriesOf(labels).value += by;
  }
}

export class Gauge extends Metric {
  readonly type = "gauge";
  set(labels: readonly string[], value: number): void {
    this.seriesOf(labels).value = value;
  }
}

export class Histogram extends Metric {
  readonly type = "histogram";
  readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    super(name, help, labelNames);
    this.bounds = bounds;
  }

  protected override newSeries(labels: string[]): Series {
    return { labels, value: 0, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
  }

  observe(labels: readonly string[], value: number): void {
    const series = this.seriesOf(labels);
    const counts = series.counts as number[];
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    counts[i] = (counts[i] as number) + 1;
    series.sum += value;
  }

  override snapshot(): MetricSnapshot {
    return { ...super.snapshot(), bounds: [...this.bounds] };
  }
}

/** The metrics of one thread. */
export class Registry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, labelNames, bounds));
  }

  snapshot(): MetricSnapshot[] {
    return [...this.#metrics.values()].map((m) => m.snapshot());
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

/** Merges snapshots from several threads: the same metric and label values are summed. */
export function mergeSnapshots(groups: readonly (readonly MetricSnapshot[])[]): MetricSnapshot[] {
  const merged = new Map<string, { metric: MetricSnapshot; series: Map<string, SeriesSnapshot> }>();
  for (const group of groups) {
    for (const metric of group) {
      let entry = merged.get(metric.name);
      if (entry === undefined) {
        entry = { metric: { ...metric, series: [] }, series: new Map() };
        merged.set(metric.name, entry);
      } else if (entry.metric.type !== metric.type) {
        continue; // a mismatched type from another thread is a bug; keep the first
      }
      for (const series of metric.series) {
        const key = series.labels.join("\u0000");
        const existing = entry.series.get(key);
        if (existing === undefined) {
          entry.series.set(key, { ...series, ...(series.counts === undefined ? {} : { counts: [...series.counts] }) });
          continue;
        }
        if (series.value !== undefined) existing.value = (existing.value ?? 0) + series.value;
        if (series.counts !== undefined && existing.counts !== undefined) {
          for (let i = 0; i < series.counts.length; i++) existing.counts[i] = (existing.counts[i] ?? 0) + (series.counts[i] ?? 0);
          existing.sum = (existing.sum ?? 0) + (series.sum ?? 0);
          existing.count = (existing.count ?? 0) + (series.count ?? 0);
        }
      }
    }
  }
  return [...merged.values()].map(({ metric, series }) => ({ ...metric, series: [...series.values()] }));
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Renders snapshots in the Prometheus text exposition format 0.0.4. */
export function renderPrometheus(metrics: readonly MetricSnapshot[]): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const series of metric.series) {
      if (metric.type !== "histogram") {
        lines.push(`${metric.name}${labelText(metric.labelNames, series.labels)} ${formatValue(series.value ?? 0)}`);
        continue;
      }
      const bounds = metric.bounds ?? [];
      const counts = series.counts ?? [];
      let cumulative = 0;
      for (let i = 0; i <= bounds.length; i++) {
        cumulative += counts[i] ?? 0;
        const le = i < bounds.length ? formatValue(bounds[i] as number) : "+Inf";
        lines.push(`${metric.name}_bucket${labelText(metric.labelNames, series.labels, ["le", le])} ${cumulative}`);
      }
      lines.push(`${metric.name}_sum${labelText(metric.labelNames, series.labels)} ${formatValue(series.sum ?? 0)}`);
      lines.push(`${metric.name}_count${labelText(metric.labelNames, series.labels)} ${cumulative}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text format samples (for tests and tools); comments are skipped. */
export function parsePrometheus(text: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[3];
    if (body !== undefined && body.length > 0) {
      const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
      let consumed = 0;
      for (let m = labelPattern.exec(body); m !== null; m = labelPattern.exec(body)) {
        if (m.index !== consumed) throw new Error(`bad labels in: ${line}`);
        labels[m[1] as string] = (m[2] as string).replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
        consumed = labelPattern.lastIndex;
      }
      if (consumed !== body.length) throw new Error(`bad labels in: ${line}`);
    }
    const raw = match[4] as string;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`bad value in: ${line}`);
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}
