// Goal: the SQL functions of Restate's DataFusion dialect that the views and the CLI's queries need behave as there (first_value/last_value as aggregates with ORDER BY and still as window functions, now(), arrow_cast, starts_with/ends_with); method: an in-memory SQLite with the functions registered.
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { registerFunctions } from "../src/internal.js";

const db = new Database(":memory:");
registerFunctions(db);
db.exec("CREATE TABLE t (g TEXT, id TEXT, at INTEGER)");
db.exec("INSERT INTO t VALUES ('a', 'x', 3), ('a', 'y', 1), ('a', 'z', 2), ('b', 'w', 5)");
afterAll(() => db.close());

describe("SQL functions", () => {
  it("first_value/last_value aggregate in the ORDER BY given inside the call", () => {
    expect(db.prepare("SELECT g, first_value(id ORDER BY at ASC) AS f, last_value(id ORDER BY at ASC) AS l FROM t GROUP BY g ORDER BY g").all()).toEqual([
      { g: "a", f: "y", l: "x" },
      { g: "b", f: "w", l: "w" },
    ]);
  });

  it("first_value is still a window function, sliding frames included", () => {
    expect(db.prepare("SELECT id, first_value(id) OVER (ORDER BY at) AS f FROM t ORDER BY at").all().map((r) => (r as { f: string }).f)).toEqual(["y", "y", "y", "y"]);
    const sliding = db.prepare("SELECT first_value(id) OVER (ORDER BY at ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS f FROM t ORDER BY at").all();
    expect(sliding.map((r) => (r as { f: string }).f)).toEqual(["y", "y", "z", "x"]);
  });

  it("now() is an RFC 3339 timestamp like the columns; arrow_cast passes its value; starts_with/ends_with", () => {
    const row = db.prepare("SELECT now() AS n, arrow_cast(5, 'Int64') AS c, starts_with('E2eCounter', 'E2e') AS s, ends_with('abc', 'x') AS e").get() as Record<string, unknown>;
    expect(row.n).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(String(row.n)) - Date.now())).toBeLessThan(5_000);
    expect([row.c, row.s, row.e]).toEqual([5, 1, 0]);
  });
});
