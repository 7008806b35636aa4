// Durations as the admin API prints them: jiff's compact "friendly" form, largest unit first,
// zero units left out (`1d`, `1m`, `10m`, `500ms`, `1h 30m`, `0s`), as restate-server does.

const units: readonly [suffix: string, ms: number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
];

export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return "0s";
  const parts: string[] = [];
  for (const [suffix, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${suffix}`);
      rest -= count * size;
    }
  }
  return parts.join(" ");
}
