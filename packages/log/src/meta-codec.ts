// The metadata file `meta`: the trim point and the sealed flag, the only state of a log that its
// chunk files do not hold. It is replaced atomically (see meta-store.ts), never edited in place.
//
//   Meta => magic:u32 version:u16 flags:u16 trimPoint:u64 crc32c:u32
//
// Little-endian. magic is the ASCII bytes "CMET" (0x54454D43 read as u32), version is 1, flags bit 0
// is `sealed` (other bits 0), trimPoint is the highest trimmed LSN (0: none), crc32c is CRC-32C
// over the 16 bytes before it.

import { lsnMax, metaBytes } from "./constants.js";
import { crc32cUpdate } from "./crc32c.js";
import { readU16, readU32, readU64, writeU16, writeU32, writeU64 } from "./record-codec.js";

export const metaMagic = 0x54454d43;
export const metaVersion = 1;
const sealedFlag = 1;

export interface LogMeta {
  trimPoint: number;
  sealed: boolean;
}

export function encodeMeta(meta: LogMeta): Uint8Array {
  if (!(Number.isSafeInteger(meta.trimPoint) && meta.trimPoint >= 0 && meta.trimPoint <= lsnMax)) {
    throw new Error("assertion failed: trimPoint out of range");
  }
  const buf = new Uint8Array(metaBytes);
  writeU32(buf, 0, metaMagic);
  writeU16(buf, 4, metaVersion);
  writeU16(buf, 6, meta.sealed ? sealedFlag : 0);
  writeU64(buf, 8, meta.trimPoint);
  writeU32(buf, 16, crc32cUpdate(0, buf, 0, 16));
  return buf;
}

export type MetaResult = { ok: true; meta: LogMeta } | { ok: false; reason: string };

export function decodeMeta(buf: Uint8Array): MetaResult {
  if (buf.length !== metaBytes) return { ok: false, reason: `metadata is ${buf.length} bytes, expected ${metaBytes}` };
  if (readU32(buf, 16) !== crc32cUpdate(0, buf, 0, 16)) return { ok: false, reason: "metadata checksum mismatch" };
  if (readU32(buf, 0) !== metaMagic) return { ok: false, reason: "not a metadata file (bad magic)" };
  const version = readU16(buf, 4);
  if (version !== metaVersion) return { ok: false, reason: `unsupported metadata version ${version}` };
  const flags = readU16(buf, 6);
  if ((flags & ~sealedFlag) !== 0) return { ok: false, reason: `unknown metadata flags ${flags}` };
  const trimPoint = readU64(buf, 8);
  if (trimPoint < 0) return { ok: false, reason: "trim point out of range" };
  return { ok: true, meta: { trimPoint, sealed: (flags & sealedFlag) !== 0 } };
}
