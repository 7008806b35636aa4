// Durations of `?delay=` (RESTATE-PROTOCOL.md §6.1), in the two forms Restate accepts:
//
//   friendly => item *( [","] *WS item )                 e.g. "10s", "5000ms", "1h 30m", "1.5s"
//   item     => number *WS unit
//   number   => 1*DIGIT [ "." 1*DIGIT ]
//   unit     => ns | us | µs | ms | s | m | h | d | w, and their long spellings (msec, secs, minutes, …)
//   iso8601  => "P" [ n "W" ] [ n "D" ] [ "T" [ n "H" ] [ n "M" ] [ n "S" ] ]   e.g. "PT10S", "P1DT2H"
//
// Both are case-insensitive except that `M`/`m` in the friendly form always means minutes.
// Calendar units (months, years) are refused: they have no fixed length in milliseconds.

const unitMs: ReadonlyMap<string, number> = new Map([
  ...aliases(["ns", "nsec", "nsecs", "nanosecond", "nanoseconds"], 1e-6),
  ...aliases(["us", "µs", "usec", "usecs", "microsecond", "microseconds"], 1e-3),
  ...aliases(["ms", "msec", "msecs", "millis", "millisecond", "milliseconds"], 1),
  ...aliases(["s", "sec", "secs", "second", "seconds"], 1_000),
  ...aliases(["m", "min", "mins", "minute", "minutes"], 60_000),
  ...aliases(["h", "hr", "hrs", "hour", "hours"], 3_600_000),
  ...aliases(["d", "day", "days"], 86_400_000),
  ...aliases(["w", "wk", "wks", "week", "weeks"], 604_800_000),
]);

function aliases(names: readonly string[], ms: number): [string, number][] {
  return names.map((name) => [name, ms]);
}

const friendlyItem = /\s*(\d+(?:\.\d+)?)\s*([a-zµ]+)\s*,?/giy;
const iso = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Thrown for text that is not a duration; the message says why. */
export class DurationSyntaxError extends Error {
  constructor(text: string, reason: string) {
    super(`invalid duration ${JSON.stringify(text)}: ${reason}`);
    this.name = "DurationSyntaxError";
  }
}

/** Milliseconds of a friendly or ISO-8601 duration, rounded to the nearest millisecond. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new DurationSyntaxError(text, "empty");
  if (trimmed.startsWith("-")) throw new DurationSyntaxError(text, "negative durations are not allowed");
  const first = trimmed.charCodeAt(0);
  if (first === 0x50 /* P */ || first === 0x70 /* p */) return parseIso(text, trimmed);
  return parseFriendly(text, trimmed);
}

function parseFriendly(text: string, trimmed: string): number {
  let total = 0;
  let items = 0;
  friendlyItem.lastIndex = 0;
  while (friendlyItem.lastIndex < trimmed.length) {
    const at = friendlyItem.lastIndex;
    const match = friendlyItem.exec(trimmed);
    if (match === null) throw new DurationSyntaxError(text, `unexpected ${JSON.stringify(trimmed.slice(at))}`);
    const [, amount, unit] = match;
    if (amount === undefined || unit === undefined) throw new DurationSyntaxError(text, "missing amount or unit");
    const scale = unitMs.get(unit === "M" ? "m" : unit.toLowerCase());
    if (scale === undefined) {
      const calendar = /^(mo|mos|month|months|y|yr|yrs|year|years)$/i.test(unit);
      throw new DurationSyntaxError(text, calendar ? `calendar unit ${JSON.stringify(unit)} has no fixed length` : `unknown unit ${JSON.stringify(unit)}`);
    }
    total += Number(amount) * scale;
    items += 1;
  }
  if (items === 0) throw new DurationSyntaxError(text, "no amount with a unit");
  return finish(text, total);
}

function parseIso(text: string, trimmed: string): number {
  const match = iso.exec(trimmed);
  if (match === null || trimmed.length === 1 || /T$/i.test(trimmed)) {
    throw new DurationSyntaxError(text, "not an ISO-8601 duration of weeks, days, hours, minutes and seconds (e.g. PT10S)");
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const total =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1_000;
  return finish(text, total);
}

function finish(text: string, totalMs: number): number {
  if (!Number.isFinite(totalMs)) throw new DurationSyntaxError(text, "too large");
  return Math.round(totalMs);
}
