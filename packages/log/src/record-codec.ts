// Frame codec: the on-disk form of one record.
//
//   Record => length:u32 crc32c:u32 lsn:u64 payload:bytes[length]
//
// All integers little-endian. `length` is the payload's byte count (0 allowed, at most
// recordBytesFormatMax). `lsn` is a u64 whose value never exceeds 2^53 - 1 (a JS safe integer).
// `crc32c` is CRC-32C (Castagnoli) over every other byte of the frame, in file order:
// length ‖ lsn ‖ payload, i.e. bytes [0, 4) then [8, 16 + length). Covering the length means a
// damaged length is caught by the checksum instead of silently re-framing the rest of the chunk;
// covering the LSN means a frame copied to the wrong place (stale blocks after a crash) is caught by
// the LSN check that follows. A run of zero bytes never decodes: the CRC-32C of twelve zero bytes
// is not zero.

import { frameHeaderBytes, lsnMax, recordBytesFormatMax } from "./constants.js";
import { crc32cUpdate } from "./crc32c.js";

const two32 = 0x1_0000_0000;

/** Bytes a payload of `payloadBytes` occupies on disk. */
export function frameBytes(payloadBytes: number): number {
  return frameHeaderBytes + payloadBytes;
}

/** Writes a u64 holding a safe integer at `offset`, little-endian, without BigInt. */
export function writeU64(buf: Uint8Array, offset: number, value: number): void {
  writeU32(buf, offset, value >>> 0);
  writeU32(buf, offset + 4, Math.floor(value / two32));
}

/** Reads a u64; returns -1 when it exceeds 2^53 - 1 (no valid LSN does). */
export function readU64(buf: Uint8Array, offset: number): number {
  const lo = readU32(buf, offset);
  const hi = readU32(buf, offset + 4);
  if (hi > 0x1f_ffff) return -1;
  return hi * two32 + lo;
}

export function writeU32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value;
  buf[offset + 1] = value >>> 8;
  buf[offset + 2] = value >>> 16;
  buf[offset + 3] = value >>> 24;
}

export function readU32(buf: Uint8Array, offset: number): number {
  return (
    ((buf[offset] as number) |
      ((buf[offset + 1] as number) << 8) |
      ((buf[offset + 2] as number) << 16) |
      ((buf[offset + 3] as number) << 24)) >>>
    0
  );
}

export function writeU16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value;
  buf[offset + 1] = value >>> 8;
}

export function readU16(buf: Uint8Array, offset: number): number {
  return (buf[offset] as number) | ((buf[offset + 1] as number) << 8);
}

/**
 * Encodes one frame into `buf` at `offset` and returns the offset past it. The caller guarantees
 * room (`frameBytes(payload.length)` bytes), a payload within recordBytesMax and a valid LSN; the
 * assertions below pair with the checks of `decodeFrame`.
 */
export function encodeFrame(buf: Uint8Array, offset: number, lsn: number, payload: Uint8Array): number {
  const length = payload.length;
  const end = offset + frameHeaderBytes + length;
  if (end > buf.length) throw new Error("assertion failed: frame does not fit its buffer");
  if (!(lsn >= 1 && lsn <= lsnMax)) throw new Error("assertion failed: LSN out of range");
  writeU32(buf, offset, length);
  writeU64(buf, offset + 8, lsn);
  buf.set(payload, offset + frameHeaderBytes);
  const crc = crc32cUpdate(crc32cUpdate(0, buf, offset, offset + 4), buf, offset + 8, end);
  writeU32(buf, offset + 4, crc);
  return end;
}

/** Outcome of decoding the bytes at one offset: a whole, valid frame; see `FrameView`. */
export const frameOk = 0;
/** Fewer bytes are available than the frame needs (a torn frame if at end of file). */
export const frameIncomplete = 1;
/** The checksum does not match (or the length or LSN is beyond the format's range). */
export const frameBadChecksum = 2;
export type FrameStatus = typeof frameOk | typeof frameIncomplete | typeof frameBadChecksum;

/** Decoded header fields of the frame at `offset`, filled by `decodeFrame`. Reused, not allocated. */
export interface FrameView {
  lsn: number;
  payloadStart: number;
  payloadEnd: number;
}

/**
 * Decodes the frame at `buf[offset]`, reading no byte at or past `end`. On `frameOk`, `view` holds its
 * LSN and payload range and the next frame starts at `view.payloadEnd`. The caller checks the LSN
 * against the one it expects (L1); a valid checksum alone does not make a frame belong here.
 */
export function decodeFrame(buf: Uint8Array, offset: number, end: number, view: FrameView): FrameStatus {
  if (end - offset < frameHeaderBytes) return frameIncomplete;
  const length = readU32(buf, offset);
  if (length > recordBytesFormatMax) return frameBadChecksum;
  const frameEnd = offset + frameHeaderBytes + length;
  if (frameEnd > end) return frameIncomplete;
  const stored = readU32(buf, offset + 4);
  const crc = crc32cUpdate(crc32cUpdate(0, buf, offset, offset + 4), buf, offset + 8, frameEnd);
  if (crc !== stored) return frameBadChecksum;
  const lsn = readU64(buf, offset + 8);
  if (lsn < 1) return frameBadChecksum;
  view.lsn = lsn;
  view.payloadStart = offset + frameHeaderBytes;
  view.payloadEnd = frameEnd;
  return frameOk;
}

/**
 * Bytes the frame at `buf[offset]` occupies, as far as the available bytes tell: the header size
 * when the header itself is incomplete, else header plus declared payload length.
 */
export function frameExtent(buf: Uint8Array, offset: number, end: number): number {
  if (end - offset < frameHeaderBytes) return frameHeaderBytes;
  return frameHeaderBytes + readU32(buf, offset);
}
