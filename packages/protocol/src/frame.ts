// Frame header codec of the service protocol (RESTATE-PROTOCOL.md §1.2).
//
//   Frame   => header:Header payload:bytes[Header.length]
//   Header  => type:u16 flags:u16 length:u32          (8 bytes, big-endian)
//   flags   => bit 15 REQUESTED_ACK ("A"), bits 14..0 reserved in V5..V7
//
// Seen as one u64 this is `(type << 48) | (flags << 32) | length`, so REQUESTED_ACK is bit 47,
// mask 0x0000_8000_0000_0000. Reserved flag bits are carried through untouched; peers ignore them.

import {
  FRAME_FLAG_REQUESTED_ACK,
  FRAME_HEADER_BYTES,
  FRAME_PAYLOAD_BYTES_LIMIT,
  MESSAGE_TYPE_MAX,
} from "./constants.js";
import { AckNotAllowedError, FrameTooLargeError } from "./errors.js";
import { messageTypeAllowsAck } from "./message-type.js";

/** One frame: its header fields and its payload (often a view into the buffer it was read from). */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** The fields of a frame header. */
export interface FrameHeader {
  readonly type: number;
  readonly flags: number;
  /** Payload length in bytes, header excluded. */
  readonly length: number;
}

/** Options of the frame encoders. */
export interface EncodeFrameOptions {
  /** Set REQUESTED_ACK; only commands, ProposeRunCompletion and custom entries may carry it. */
  readonly requestAck?: boolean;
  /** Raw flags to send (rarely needed; OR-ed with `requestAck`). Defaults to 0. */
  readonly flags?: number;
}

/** Flags for a frame of `type` with these options; throws AckNotAllowedError when the ack is not allowed. */
export function frameFlags(type: number, options: EncodeFrameOptions | undefined): number {
  if (options === undefined) return 0;
  let flags = options.flags ?? 0;
  if (options.requestAck === true) {
    if (!messageTypeAllowsAck(type)) throw new AckNotAllowedError(type);
    flags |= FRAME_FLAG_REQUESTED_ACK;
  }
  return flags;
}

/** Writes a header at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, type: number, flags: number, length: number): void {
  assertU16(type, "type");
  assertU16(flags, "flags");
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`frame length must be a non-negative integer, got ${length}`);
  if (length > FRAME_PAYLOAD_BYTES_LIMIT) throw new FrameTooLargeError(type, length, FRAME_PAYLOAD_BYTES_LIMIT);
  target[offset] = type >>> 8;
  target[offset + 1] = type & 0xff;
  target[offset + 2] = flags >>> 8;
  target[offset + 3] = flags & 0xff;
  target[offset + 4] = length >>> 24;
  target[offset + 5] = (length >>> 16) & 0xff;
  target[offset + 6] = (length >>> 8) & 0xff;
  target[offset + 7] = length & 0xff;
}

/** Reads the header at `offset`; the caller guarantees 8 readable bytes. */
export function readFrameHeader(source: Uint8Array, offset = 0): FrameHeader {
  if (source.length - offset < FRAME_HEADER_BYTES) {
    throw new RangeError(`a frame header needs ${FRAME_HEADER_BYTES} bytes, ${source.length - offset} available`);
  }
  return {
    type: ((source[offset] as number) << 8) | (source[offset + 1] as number),
    flags: ((source[offset + 2] as number) << 8) | (source[offset + 3] as number),
    // `* 2 ** 24` instead of `<< 24`: lengths >= 2 GiB must not turn negative.
    length:
      (source[offset + 4] as number) * 0x1000000 +
      (((source[offset + 5] as number) << 16) | ((source[offset + 6] as number) << 8) | (source[offset + 7] as number)),
  };
}

/** An 8-byte header on its own, for writers that send header and payload as two chunks (writev). */
export function encodeFrameHeader(type: number, length: number, options?: EncodeFrameOptions): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  writeFrameHeader(header, 0, type, frameFlags(type, options), length);
  return header;
}

/**
 * Frames an already-encoded payload (for example a journal entry stored as bytes): one
 * allocation of header + payload, one copy of the payload.
 */
export function encodeFrame(type: number, payload: Uint8Array, options?: EncodeFrameOptions): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, type, frameFlags(type, options), payload.length);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Whether the frame carries REQUESTED_ACK. */
export function isAckRequested(frame: { readonly flags: number }): boolean {
  return (frame.flags & FRAME_FLAG_REQUESTED_ACK) !== 0;
}

function assertU16(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MESSAGE_TYPE_MAX) {
    throw new RangeError(`frame ${what} must be a u16, got ${value}`);
  }
}

/** A frame to write: type, payload and optional flags. */
export interface FrameInput {
  readonly type: number;
  readonly payload: Uint8Array;
  readonly flags?: number;
}

/**
 * Frames several stored payloads into one buffer (for example Start + the whole journal of a
 * replay): one allocation and one stream write instead of one per entry.
 */
export function encodeFrames(frames: readonly FrameInput[]): Uint8Array {
  let total = 0;
  for (const f of frames) total += FRAME_HEADER_BYTES + f.payload.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const f of frames) {
    writeFrameHeader(out, offset, f.type, f.flags ?? 0, f.payload.length);
    out.set(f.payload, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + f.payload.length;
  }
  return out;
}
