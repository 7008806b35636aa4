// Chunk files: names and the header at the start of each.
//
//   ChunkFile   => ChunkHeader Record*                      (Record: see record-codec.ts)
//   ChunkHeader => magic:u32 version:u16 flags:u16 firstLsn:u64 crc32c:u32
//
// Little-endian. magic is the ASCII bytes "CLOG" (0x474F4C43 read as u32), version is 1, flags are
// 0 (reserved), firstLsn is the LSN of the chunk's first record and equals the number in the file
// name, crc32c is CRC-32C over the 16 bytes before it. The records of a chunk carry the LSNs
// firstLsn, firstLsn + 1, … with no gap (L1).
//
// A chunk is named by its first LSN, zero-padded to 20 digits so that names sort as numbers:
// `00000000000000000001.chunk`.

import { chunkHeaderBytes, chunkNameDigits, lsnMax } from "./constants.js";
import { crc32cUpdate } from "./crc32c.js";
import { readU16, readU32, readU64, writeU16, writeU32, writeU64 } from "./record-codec.js";

export const chunkMagic = 0x474f4c43;
export const chunkVersion = 1;

const chunkNamePattern = /^(\d{20})\.chunk$/;

export function chunkFileName(firstLsn: number): string {
  return `${String(firstLsn).padStart(chunkNameDigits, "0")}.chunk`;
}

/** The first LSN a chunk file name stands for, or undefined if `name` is not a chunk file. */
export function parseChunkFileName(name: string): number | undefined {
  const match = chunkNamePattern.exec(name);
  if (match === null) return undefined;
  const firstLsn = Number(match[1]);
  if (!(firstLsn >= 1 && firstLsn <= lsnMax)) return undefined;
  return firstLsn;
}

export function encodeChunkHeader(firstLsn: number): Uint8Array {
  if (!(firstLsn >= 1 && firstLsn <= lsnMax)) throw new Error("assertion failed: firstLsn out of range");
  const buf = new Uint8Array(chunkHeaderBytes);
  writeU32(buf, 0, chunkMagic);
  writeU16(buf, 4, chunkVersion);
  writeU16(buf, 6, 0);
  writeU64(buf, 8, firstLsn);
  writeU32(buf, 16, crc32cUpdate(0, buf, 0, 16));
  return buf;
}

/** Why a header does not decode, or its first LSN. */
export type ChunkHeaderResult = { ok: true; firstLsn: number } | { ok: false; reason: string };

export function decodeChunkHeader(buf: Uint8Array): ChunkHeaderResult {
  if (buf.length < chunkHeaderBytes) return { ok: false, reason: "chunk header cut short" };
  if (readU32(buf, 16) !== crc32cUpdate(0, buf, 0, 16)) return { ok: false, reason: "chunk header checksum mismatch" };
  if (readU32(buf, 0) !== chunkMagic) return { ok: false, reason: "not a chunk file (bad magic)" };
  const version = readU16(buf, 4);
  if (version !== chunkVersion) return { ok: false, reason: `unsupported chunk version ${version}` };
  const firstLsn = readU64(buf, 8);
  if (firstLsn < 1) return { ok: false, reason: "chunk header LSN out of range" };
  return { ok: true, firstLsn };
}
