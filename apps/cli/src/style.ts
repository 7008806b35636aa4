// Terminal colour: on only when the stream is a terminal, NO_COLOR is unset (https://no-color.org)
// and --no-color was not given. Every styled string degrades to the plain text.

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** Colour for an invocation status (green completed, yellow waiting, red failing, cyan running). */
  status(status: string): string;
}

function wrap(enabled: boolean, open: number, close: number): (text: string) => string {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

export function makeStyle(enabled: boolean): Style {
  const red = wrap(enabled, 31, 39);
  const green = wrap(enabled, 32, 39);
  const yellow = wrap(enabled, 33, 39);
  const cyan = wrap(enabled, 36, 39);
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red,
    green,
    yellow,
    cyan,
    status: (status) => {
      switch (status) {
        case "completed":
          return green(status);
        case "running":
        case "ready":
          return cyan(status);
        case "backing-off":
        case "paused":
          return red(status);
        default:
          return yellow(status);
      }
    },
  };
}

export function colorWanted(isTTY: boolean, env: Readonly<Record<string, string | undefined>>, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}

/** Removes ANSI escape sequences (to measure a styled string's width). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}
