// Reader of the side-effect log that the e2e service fixtures append to (one JSON object per
// line, written synchronously by one process, so file order is execution order). The byte
// offset of each line lets a test split effects into "before the kill" and "after".
//
// Grammar: Log => (Line "\n")*   Line => {"kind":string,"tag":string,"step"?:number,"nonce"?:string}
// A trailing line without "\n" is a write in progress and is not returned.
import { existsSync, readFileSync, statSync } from "node:fs";

export interface SideEffect {
  readonly kind: string;
  readonly tag: string;
  readonly step?: number;
  readonly nonce?: string;
  /** Byte offset of the line in the file. */
  readonly offset: number;
}

/** Every complete line of the log at `path` (empty when the file does not exist yet). */
export function readSideEffects(path: string): SideEffect[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const effects: SideEffect[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a, start); end !== -1; end = bytes.indexOf(0x0a, start)) {
    const parsed = JSON.parse(bytes.subarray(start, end).toString("utf8")) as Omit<SideEffect, "offset">;
    effects.push({ ...parsed, offset: start });
    start = end + 1;
  }
  return effects;
}

/** The log's current size in bytes: effects at offsets below it happened before this call. */
export function sideEffectLogSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
