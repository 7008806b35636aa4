// Goal: the query engine's failure paths answer with clear typed errors and never hang: a data directory without stores (503 with the cause), a full queue (429), a closed engine (503), bad input and formats (400, 406) before any process starts; method: QueryEngine on temp directories.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { QueryEngine, QueryFormatNotAcceptableError, QueryInvalidError, QueryOverloadedError, QueryUnavailableError } from "@cairn/introspection";

const dir = mkdtempSync(join(tmpdir(), "cairn-query-engine-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metadata = () => ({ version: 1, services: [], deployments: [] });

describe("QueryEngine", () => {
  it("a data directory without partition stores answers 503 naming the missing store", async () => {
    const engine = new QueryEngine({ dataDir: dir, partitions: 2, metadata });
    try {
      const error = await engine.query("SELECT 1", "application/json").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryUnavailableError);
      expect((error as Error).message).toMatch(/store\.sqlite does not exist/);
    } finally {
      await engine.close();
    }
  });

  it("past queueMax waiting queries the next is 429 at once; the waiting ones are answered", async () => {
    const engine = new QueryEngine({ dataDir: dir, partitions: 1, metadata, queueMax: 1 });
    try {
      const first = engine.query("SELECT 1", "application/json").catch((e: unknown) => e);
      const second = engine.query("SELECT 2", "application/json").catch((e: unknown) => e);
      await expect(engine.query("SELECT 3", "application/json")).rejects.toBeInstanceOf(QueryOverloadedError);
      expect(await first).toBeInstanceOf(QueryUnavailableError);
      expect(await second).toBeInstanceOf(QueryUnavailableError);
    } finally {
      await engine.close();
    }
  });

  it("rejects bad input and formats without a process, and everything once closed", async () => {
    const engine = new QueryEngine({ dataDir: dir, partitions: 1, metadata });
    await expect(engine.query(42, "application/json")).rejects.toBeInstanceOf(QueryInvalidError);
    await expect(engine.query("x".repeat(70_000), "application/json")).rejects.toBeInstanceOf(QueryInvalidError);
    await expect(engine.query("SELECT 1", "text/csv")).rejects.toBeInstanceOf(QueryFormatNotAcceptableError);
    await engine.close();
    await engine.close();
    await expect(engine.query("SELECT 1", "application/json")).rejects.toBeInstanceOf(QueryUnavailableError);
  });

  it("refuses a partition count that is not a positive integer", () => {
    expect(() => new QueryEngine({ dataDir: dir, partitions: 0, metadata })).toThrow(RangeError);
    expect(() => new QueryEngine({ dataDir: dir, partitions: 1.5, metadata })).toThrow(RangeError);
  });
});
