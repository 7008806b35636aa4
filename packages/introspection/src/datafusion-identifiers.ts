// Identifiers DataFusion (restate-server's engine) takes as plain names but SQLite reserves.
//
// The official restate CLI 1.7.12 sends `SELECT sj.index, … FROM sys_journal sj … ORDER BY index
// DESC` for `restate invocations describe`; SQLite answers `near "index": syntax error`. Every
// bare `index` word is therefore double-quoted before the query is prepared. String literals
// ('…'), quoted identifiers ("…", `…`, […]) and comments are copied unchanged. In the read-only
// queries the engine accepts, INDEX is never the keyword (`INDEXED BY` is another word), so the
// rewrite cannot change a query's meaning.

const reserved = new Set(["index"]);

export function quoteReservedIdentifiers(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql.charAt(i);
    const close = c === "'" ? "'" : c === '"' ? '"' : c === "`" ? "`" : c === "[" ? "]" : undefined;
    if (close !== undefined) {
      let end = i + 1;
      for (;;) {
        const at = sql.indexOf(close, end);
        if (at === -1) {
          end = sql.length;
          break;
        }
        // A doubled quote inside a literal or identifier is an escaped quote, not the end.
        if (close !== "]" && sql.charAt(at + 1) === close) {
          end = at + 2;
          continue;
        }
        end = at + 1;
        break;
      }
      out += sql.slice(i, end);
      i = end;
    } else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
      const line = sql.startsWith("--", i);
      const at = sql.indexOf(line ? "\n" : "*/", i + 2);
      const end = at === -1 ? sql.length : at + (line ? 1 : 2);
      out += sql.slice(i, end);
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))?.[0] ?? c;
      out += reserved.has(word.toLowerCase()) ? `"${word.toLowerCase()}"` : word;
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      // A number (or a word starting with a digit, such as 1e5): copied whole.
      const number = /^[0-9][A-Za-z0-9_.]*/.exec(sql.slice(i))?.[0] ?? c;
      out += number;
      i += number.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
