// Service-protocol framing: every message is an 8-byte big-endian header and a protobuf payload.
//
//   Frame  => header:u64be payload:bytes[length]
//   header => type:u16 flags:u16 length:u32          (bits 63..48, 47..32, 31..0)
//   flags  => bit 15 (mask 0x8000 of the u16; bit 47 of the u64) = REQUESTED_ACK, others reserved
import { MAX_FRAME_BYTES } from "./constants.js";
import { ProtocolViolationError } from "./errors.js";

export const FLAG_REQUESTED_ACK = 0x8000;
export const FRAME_HEADER_BYTES = 8;

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

export function encodeFrame(type: number, payload: Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(out, 0, type, flags, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export function writeFrameHeader(out: Uint8Array, at: number, type: number, flags: number, length: number): void {
  out[at] = (type >>> 8) & 0xff;
  out[at + 1] = type & 0xff;
  out[at + 2] = (flags >>> 8) & 0xff;
  out[at + 3] = flags & 0xff;
  out[at + 4] = (length >>> 24) & 0xff;
  out[at + 5] = (length >>> 16) & 0xff;
  out[at + 6] = (length >>> 8) & 0xff;
  out[at + 7] = length & 0xff;
}

/**
 * Streaming decoder: feed arbitrary chunks, get whole frames. Holds at most one partial frame,
 * bounded by MAX_FRAME_BYTES (a larger declared length is a protocol violation, not a buffer).
 */
export class FrameDecoder {
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    let buf: Uint8Array;
    if (this.pending.length === 0) {
      buf = chunk;
    } else {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    let pos = 0;
    while (buf.length - pos >= FRAME_HEADER_BYTES) {
      const type = (buf[pos]! << 8) | buf[pos + 1]!;
      const flags = (buf[pos + 2]! << 8) | buf[pos + 3]!;
      const length = buf[pos + 4]! * 0x1000000 + ((buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!);
      if (length > MAX_FRAME_BYTES) {
        throw new ProtocolViolationError(`frame of type 0x${type.toString(16)} declares ${length} bytes, over the limit of ${MAX_FRAME_BYTES}`);
      }
      if (buf.length - pos - FRAME_HEADER_BYTES < length) break;
      const start = pos + FRAME_HEADER_BYTES;
      onFrame({ type, flags, payload: buf.subarray(start, start + length) });
      pos = start + length;
    }
    this.pending = pos === buf.length ? new Uint8Array(0) : buf.slice(pos);
  }

  /** Bytes of an incomplete frame still buffered (non-zero at end of input = truncated stream). */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
