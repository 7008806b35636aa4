// Goal: bare `index` (an identifier in DataFusion, reserved in SQLite) is quoted so the official restate CLI's journal query runs, and nothing inside literals, numbers, quoted identifiers or comments changes; method: rewrites of hand-written queries, and the CLI's query prepared by SQLite.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { expandCatalogStatement, toSqliteDialect } from "../src/internal.js";

describe("toSqliteDialect", () => {
  it.each([
    ["SELECT sj.index FROM sys_journal sj ORDER BY index DESC", 'SELECT sj."index" FROM sys_journal sj ORDER BY "index" DESC'],
    ["select INDEX from t", 'select "INDEX" from t'],
    ['SELECT "index" FROM t', 'SELECT "index" FROM t'],
    ["SELECT 'index', 'it''s index' FROM t", "SELECT 'index', 'it''s index' FROM t"],
    ["SELECT `index`, [index] FROM t -- index\nWHERE a = 1 /* index */", "SELECT `index`, [index] FROM t -- index\nWHERE a = 1 /* index */"],
    ["SELECT reindex, index_x, x_index, indexed FROM t", "SELECT reindex, index_x, x_index, indexed FROM t"],
    ["SELECT 1e5, 2index FROM t", "SELECT 1e5, 2index FROM t"],
    ["SELECT 'unterminated index", "SELECT 'unterminated index"],
  ])("%s", (input, expected) => {
    expect(toSqliteDialect(input)).toBe(expected);
  });

  it("makes the restate CLI's journal query (invocations describe) valid SQLite", () => {
    const db = new Database(":memory:");
    db.exec(`CREATE TABLE sys_journal ("index" INTEGER, id TEXT, entry_type TEXT)`);
    db.exec(`INSERT INTO sys_journal VALUES (0, 'inv_1', 'Command: Input'), (1, 'inv_1', 'Command: Sleep')`);
    const query = "SELECT\n  sj.index,\n  sj.entry_type\nFROM sys_journal sj\nWHERE\n  sj.id = 'inv_1'\nORDER BY index DESC\nLIMIT 100";
    expect(() => db.prepare(query)).toThrow(/near "index": syntax error/);
    expect(db.prepare(toSqliteDialect(query)).all()).toEqual([
      { index: 1, entry_type: "Command: Sleep" },
      { index: 0, entry_type: "Command: Input" },
    ]);
    db.close();
  });
});

describe("expandCatalogStatement", () => {
  it("answers DataFusion's SHOW TABLES, SHOW COLUMNS FROM and DESCRIBE from information_schema; leaves other SQL alone", () => {
    expect(expandCatalogStatement("show tables;")).toMatch(/FROM information_schema\.tables/);
    expect(expandCatalogStatement("SHOW COLUMNS FROM sys_journal")).toMatch(/information_schema\.columns WHERE table_name = 'sys_journal'/);
    expect(expandCatalogStatement("describe state")).toMatch(/table_name = 'state'/);
    expect(expandCatalogStatement("DESCRIBE x; DROP TABLE y")).toBe("DESCRIBE x; DROP TABLE y");
    expect(expandCatalogStatement("SELECT 1")).toBe("SELECT 1");
  });
});
