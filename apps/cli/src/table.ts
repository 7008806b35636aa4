// Human output: aligned tables and key/value blocks. Widths are measured on the text without
// colour codes, so styled cells line up; a long cell is cut with an ellipsis.

import { tableCellCharsMax } from "./constants.js";
import { stripAnsi, type Style } from "./style.js";

export type Cell = string | number | boolean | null | undefined;

/** A value as one line of text: null/undefined as empty, objects as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

function clip(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  const plain = stripAnsi(oneLine);
  if (plain.length <= tableCellCharsMax) return oneLine;
  return `${plain.slice(0, tableCellCharsMax - 1)}…`;
}

/** Renders rows under a header, columns separated by two spaces, no trailing spaces. */
export function renderTable(style: Style, header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => header.map((_h, i) => clip(cellText(row[i]))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => stripAnsi(row[i] ?? "").length)));
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value + " ".repeat((widths[i] ?? 0) - stripAnsi(value).length)))
      .join("  ")
      .trimEnd();
  const out = [style.bold(line(header.map((h, i) => h + " ".repeat((widths[i] ?? 0) - h.length))).trimEnd())];
  for (const row of cells) out.push(line(row));
  return `${out.join("\n")}\n`;
}

/** Renders `label: value` lines with the labels aligned; undefined values are skipped. */
export function renderFields(style: Style, fields: readonly (readonly [string, Cell])[]): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return `${shown.map(([label, value]) => `${style.bold(`${label}:`)}${" ".repeat(width - label.length + 1)}${cellText(value)}`).join("\n")}\n`;
}
