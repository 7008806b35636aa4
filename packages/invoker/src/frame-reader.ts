// Splits a byte stream from a deployment into frames, chunk by chunk.
//
//   Stream => Frame*
//   Frame  => type:u16 flags:u16 length:u32 payload:bytes[length]     (big-endian header)
//
// Each `push` returns the frames completed by that chunk, so the caller can treat what arrived
// together as one batch (one log append per batch). Payloads are views into the chunk when a frame
// lies inside one chunk, and copies when it spans chunks.
import { frameHeaderBytes, framePayloadBytesMax } from "./constants.js";
import { ProtocolViolationError } from "./errors.js";

export interface RawFrame {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

export class FrameReader {
  /** Bytes of an incomplete frame carried over from earlier chunks. */
  #pending: Uint8Array | undefined;

  push(chunk: Uint8Array): RawFrame[] {
    let data = chunk;
    if (this.#pending !== undefined) {
      const joined = new Uint8Array(this.#pending.length + chunk.length);
      joined.set(this.#pending, 0);
      joined.set(chunk, this.#pending.length);
      data = joined;
      this.#pending = undefined;
    }
    const frames: RawFrame[] = [];
    let offset = 0;
    while (data.length - offset >= frameHeaderBytes) {
      const type = ((data[offset] as number) << 8) | (data[offset + 1] as number);
      const flags = ((data[offset + 2] as number) << 8) | (data[offset + 3] as number);
      const length =
        (data[offset + 4] as number) * 0x1000000 +
        (((data[offset + 5] as number) << 16) | ((data[offset + 6] as number) << 8) | (data[offset + 7] as number));
      if (length > framePayloadBytesMax) {
        throw new ProtocolViolationError(`frame of type 0x${type.toString(16)} declares ${length} bytes, over the ${framePayloadBytesMax}-byte limit`);
      }
      if (data.length - offset - frameHeaderBytes < length) break;
      const start = offset + frameHeaderBytes;
      frames.push({ type, flags, payload: data.subarray(start, start + length) });
      offset = start + length;
    }
    if (offset < data.length) this.#pending = data.slice(offset);
    return frames;
  }

  /** Bytes of an incomplete frame still buffered (a clean end of stream leaves 0). */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }
}

/** Frames a payload: header + payload in one buffer. */
export function frame(type: number, flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameHeaderBytes + payload.length);
  out[0] = type >>> 8;
  out[1] = type & 0xff;
  out[2] = flags >>> 8;
  out[3] = flags & 0xff;
  const length = payload.length;
  out[4] = (length >>> 24) & 0xff;
  out[5] = (length >>> 16) & 0xff;
  out[6] = (length >>> 8) & 0xff;
  out[7] = length & 0xff;
  out.set(payload, frameHeaderBytes);
  return out;
}
