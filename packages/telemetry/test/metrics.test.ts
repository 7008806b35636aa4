// Goal: counters, gauges and histograms render valid Prometheus text that parses back to the recorded values, snapshots from several threads merge by summing, and label sets are bounded (M1); method: record known values, render, parse.
import { describe, expect, it } from "vitest";
import { Registry, mergeSnapshots, parsePrometheus, renderPrometheus, seriesPerMetricMax } from "@cairn/telemetry";

describe("metrics", () => {
  it("renders and parses counters, gauges and histograms", () => {
    const r = new Registry();
    const c = r.counter("x_total", "A counter\nwith a newline.", ["service", "handler"]);
    c.inc(["Greeter", "greet"]);
    c.inc(["Greeter", "greet"], 2);
    c.inc(['we"ird\\', "h"]);
    const g = r.gauge("depth", "A gauge.", ["partition"]);
    g.set(["0"], 7);
    const h = r.histogram("lat_seconds", "A histogram.", ["p"], [0.1, 1]);
    h.observe(["0"], 0.05);
    h.observe(["0"], 0.5);
    h.observe(["0"], 5);
    const text = renderPrometheus(r.snapshot());
    expect(text).toContain("# HELP x_total A counter\\nwith a newline.");
    expect(text).toContain("# TYPE lat_seconds histogram");
    const samples = parsePrometheus(text);
    const value = (name: string, labels: Record<string, string>): number | undefined =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value("x_total", { service: "Greeter", handler: "greet" })).toBe(3);
    expect(value("x_total", { service: 'we"ird\\' })).toBe(1);
    expect(value("depth", { partition: "0" })).toBe(7);
    expect(value("lat_seconds_bucket", { le: "0.1" })).toBe(1);
    expect(value("lat_seconds_bucket", { le: "1" })).toBe(2);
    expect(value("lat_seconds_bucket", { le: "+Inf" })).toBe(3);
    expect(value("lat_seconds_count", { p: "0" })).toBe(3);
    expect(value("lat_seconds_sum", { p: "0" })).toBeCloseTo(5.55);
  });

  it("merges snapshots of several threads by summing equal series", () => {
    const make = (n: number) => {
      const r = new Registry();
      r.counter("c_total", "c", ["s"]).inc(["a"], n);
      r.histogram("h", "h", [], [1]).observe([], n);
      r.gauge("g", "g", ["w"]).set([String(n)], n);
      return r.snapshot();
    };
    const samples = parsePrometheus(renderPrometheus(mergeSnapshots([make(1), make(2)])));
    expect(samples.find((s) => s.name === "c_total")?.value).toBe(3);
    expect(samples.find((s) => s.name === "h_count")?.value).toBe(2);
    expect(samples.find((s) => s.name === "h_bucket" && s.labels.le === "1")?.value).toBe(1);
    expect(samples.filter((s) => s.name === "g").map((s) => s.value)).toEqual([1, 2]);
  });

  it("folds label sets past the bound into one overflow series (M1)", () => {
    const r = new Registry();
    const c = r.counter("many_total", "many", ["k"]);
    for (let i = 0; i < seriesPerMetricMax + 10; i++) c.inc([`k${i}`]);
    const series = r.snapshot()[0]?.series ?? [];
    expect(series.length).toBe(seriesPerMetricMax + 1);
    expect(series.find((s) => s.labels[0] === "_overflow")?.value).toBe(10);
  });

  it("refuses a sample line that is not Prometheus text", () => {
    expect(() => parsePrometheus("bad line here")).toThrow();
  });
});
