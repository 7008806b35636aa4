// Goal: the side-effect log reader returns complete lines with their byte offsets and ignores a
// line still being written; method: write a log file by hand and read it back.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSideEffects, sideEffectLogSize } from "@cairn/e2e";

const dir = mkdtempSync(join(tmpdir(), "cairn-e2e-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("side-effect log", () => {
  it("reads nothing from a missing file", () => {
    expect(readSideEffects(join(dir, "missing.jsonl"))).toEqual([]);
    expect(sideEffectLogSize(join(dir, "missing.jsonl"))).toBe(0);
  });

  it("returns complete lines with their offsets, in file order", () => {
    const path = join(dir, "log.jsonl");
    const first = `${JSON.stringify({ kind: "run3", tag: "ü", step: 1, nonce: "a" })}\n`;
    writeFileSync(path, first);
    appendFileSync(path, `${JSON.stringify({ kind: "hold", tag: "t" })}\n`);
    appendFileSync(path, '{"kind":"run3","ta'); // a write in progress
    expect(readSideEffects(path)).toEqual([
      { kind: "run3", tag: "ü", step: 1, nonce: "a", offset: 0 },
      { kind: "hold", tag: "t", offset: Buffer.byteLength(first) },
    ]);
    expect(sideEffectLogSize(path)).toBeGreaterThan(Buffer.byteLength(first));
  });
});
