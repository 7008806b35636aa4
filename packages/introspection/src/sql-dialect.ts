// The few differences between Restate's DataFusion SQL and SQLite that queries written for
// restate-server run into, bridged by rewriting the text before SQLite prepares it.
//
//   index   a plain column name in DataFusion (`sys_journal.index`, `ORDER BY index`), a keyword
//           in SQLite: every bare `index` outside literals and quoted names becomes "index".
//           A read-only query never needs the keyword (SQLite's clause is `INDEXED BY`).
//   SHOW TABLES, SHOW COLUMNS FROM t, DESCRIBE t   DataFusion's catalog statements, answered from
//           information_schema (expandCatalogStatement).

/**
 * DataFusion's catalog statements as the queries they stand for (over information_schema):
 *   SHOW TABLES                      => the introspection tables
 *   SHOW COLUMNS FROM t, DESCRIBE t  => t's columns, their types and nullability
 * Anything else is returned as is.
 */
export function expandCatalogStatement(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, "");
  if (/^show\s+tables$/i.test(text)) {
    return "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables ORDER BY table_name";
  }
  const columns = /^(?:show\s+columns\s+from|describe)\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(text);
  if (columns !== null) {
    return `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '${columns[1] ?? ""}' ORDER BY ordinal_position`;
  }
  return sql;
}

/** `sql` with DataFusion's column names that are SQLite keywords quoted. */
export function toSqliteDialect(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? "";
    if (c === "'" || c === '"' || c === "`") {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (/[0-9]/.test(c)) {
      // A numeric literal (1e5, 0x1F, 2.5) is one token: no word starts inside it.
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_.$]/.test(sql[end] ?? "")) end += 1;
      out += sql.slice(i, end);
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end] ?? "")) end += 1;
      const word = sql.slice(i, end);
      out += word.toLowerCase() === "index" ? `"${word}"` : word;
      i = end;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Index just past the literal or quoted name opened at `start` (a doubled quote escapes it). */
function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}
