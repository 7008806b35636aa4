// Loads the golden fixture files of test/fixtures.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function readFixture<T>(relativePath: string): T {
  const url = new URL(`../fixtures/${relativePath}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as T;
}

/** Bytes of a hex string; spaces are ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}
