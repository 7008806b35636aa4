// Interaction on a terminal: the yes/no confirmation before a destructive or bulk change, and the
// progress bar of a bulk operation. Both write to stderr so stdout stays clean for --json.

import { createInterface } from "node:readline";
import { progressBarCells, progressRedrawIntervalMs } from "./constants.js";
import { AbortedError, UsageError } from "./errors.js";
import type { Style } from "./style.js";

export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Terminal {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stderr: OutStream;
}

/**
 * Asks `question [y/N]` and resolves when the user answers yes; no (or end of input) throws
 * AbortedError. With `yes` it answers itself. Off a terminal without `yes` it refuses: a script
 * must say --yes rather than hang on a prompt no one sees.
 */
export async function confirm(terminal: Terminal, style: Style, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (terminal.stdin.isTTY !== true) {
    throw new UsageError(`${question.replace(/\?$/, "")}: this needs a confirmation; run it on a terminal or pass --yes`);
  }
  const rl = createInterface({ input: terminal.stdin, terminal: false });
  terminal.stderr.write(`${style.bold(question)} [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    let answered = false;
    rl.once("line", (line) => {
      answered = true;
      resolve(line);
    });
    rl.once("close", () => {
      if (!answered) resolve("");
    });
  });
  rl.close();
  if (!/^(y|yes)$/i.test(answer.trim())) throw new AbortedError("aborted: nothing was changed");
}

/** A one-line progress bar redrawn in place; silent when not on a terminal. */
export class ProgressBar {
  private done = 0;
  private failed = 0;
  private lastDrawMs = 0;

  constructor(
    private readonly stream: OutStream,
    private readonly style: Style,
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    const now = Date.now();
    if (this.done === this.total || now - this.lastDrawMs >= progressRedrawIntervalMs) {
      this.lastDrawMs = now;
      this.draw();
    }
  }

  start(): void {
    this.draw();
  }

  finish(): void {
    if (this.enabled) this.stream.write("\n");
  }

  private draw(): void {
    if (!this.enabled) return;
    const filled = this.total === 0 ? progressBarCells : Math.round((this.done / this.total) * progressBarCells);
    const bar = "█".repeat(filled) + "░".repeat(progressBarCells - filled);
    const failed = this.failed === 0 ? "" : this.style.red(` ${this.failed} failed`);
    this.stream.write(`\r${this.label} ${this.style.cyan(bar)} ${this.done}/${this.total}${failed}`);
  }
}
