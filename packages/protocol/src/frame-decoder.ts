// Streaming frame decoder: turns a byte stream cut at arbitrary points into frames.
//
//   Stream => Frame*          Frame => header:Header payload:bytes[Header.length]   (see frame.ts)
//
// Owns: the partial header and partial payload of the frame currently being received.
// Does not own: the chunks it is given (payloads may be views into them, so a caller must not
// overwrite a chunk after pushing it) nor message decoding (message-codec.ts).
//
// Invariants:
//   F1. Frames come out in stream order, each exactly once.
//   F2. A payload that lies wholly inside one pushed chunk is a view into that chunk (no copy);
//       a payload split across chunks is copied once into a buffer of exactly its length.
//   F3. A header announcing a payload over `payloadBytesMax` fails the decoder before any of
//       that payload is buffered.
//   F4. After a failure every later call throws the same error: a stream that lost framing
//       cannot be resynchronised.

import { FRAME_HEADER_BYTES, FRAME_PAYLOAD_BYTES_LIMIT, FRAME_PAYLOAD_BYTES_MAX_DEFAULT } from "./constants.js";
import { FrameTooLargeError, TruncatedFrameError } from "./errors.js";
import type { Frame } from "./frame.js";

export interface FrameDecoderOptions {
  /** Largest accepted payload in bytes; defaults to FRAME_PAYLOAD_BYTES_MAX_DEFAULT (32 MiB). */
  readonly payloadBytesMax?: number;
}

export class FrameDecoder {
  readonly payloadBytesMax: number;

  // Partial header (F2: only headers split across chunks are copied here).
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFilled = 0;
  // Frame whose payload is being assembled across chunks.
  #pendingType = 0;
  #pendingFlags = 0;
  #pending: Uint8Array | undefined;
  #pendingFilled = 0;
  #failure: Error | undefined;
  #ended = false;

  constructor(options?: FrameDecoderOptions) {
    const max = options?.payloadBytesMax ?? FRAME_PAYLOAD_BYTES_MAX_DEFAULT;
    if (!Number.isInteger(max) || max < 0 || max > FRAME_PAYLOAD_BYTES_LIMIT) {
      throw new RangeError(`payloadBytesMax must be an integer in [0, ${FRAME_PAYLOAD_BYTES_LIMIT}], got ${max}`);
    }
    this.payloadBytesMax = max;
  }

  /** Bytes received that belong to a frame not yet complete. */
  get bufferedBytes(): number {
    return this.#headerFilled + (this.#pending === undefined ? 0 : FRAME_HEADER_BYTES + this.#pendingFilled);
  }

  /** Feeds the next chunk; returns the frames it completed, in order (F1). */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#ended) throw new Error("FrameDecoder: push() after end()");
    const frames: Frame[] = [];
    try {
      this.#consume(chunk, frames);
    } catch (error) {
      this.#failure = error as Error;
      throw error;
    }
    return frames;
  }

  /** Declares the end of the stream; throws TruncatedFrameError if it ended inside a frame. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#ended = true;
    const buffered = this.bufferedBytes;
    if (buffered > 0) {
      this.#failure = new TruncatedFrameError(buffered);
      throw this.#failure;
    }
  }

  #consume(chunk: Uint8Array, frames: Frame[]): void {
    let offset = 0;
    const length = chunk.length;
    while (offset < length) {
      // Continue a payload that started in an earlier chunk.
      const pending = this.#pending;
      if (pending !== undefined) {
        const take = Math.min(pending.length - this.#pendingFilled, length - offset);
        pending.set(chunk.subarray(offset, offset + take), this.#pendingFilled);
        this.#pendingFilled += take;
        offset += take;
        if (this.#pendingFilled === pending.length) {
          frames.push({ type: this.#pendingType, flags: this.#pendingFlags, payload: pending });
          this.#pending = undefined;
          this.#pendingFilled = 0;
        }
        continue;
      }

      // Read a header: straight from the chunk when it is whole there, else assemble it.
      let source = chunk;
      let at = offset;
      if (this.#headerFilled === 0 && length - offset >= FRAME_HEADER_BYTES) {
        offset += FRAME_HEADER_BYTES;
      } else {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFilled, length - offset);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerFilled);
        this.#headerFilled += take;
        offset += take;
        if (this.#headerFilled < FRAME_HEADER_BYTES) return;
        this.#headerFilled = 0;
        source = this.#header;
        at = 0;
      }
      // Header => type:u16 flags:u16 length:u32, big-endian (frame.ts); inlined: one per frame.
      const type = ((source[at] as number) << 8) | (source[at + 1] as number);
      const flags = ((source[at + 2] as number) << 8) | (source[at + 3] as number);
      const payloadBytes =
        (source[at + 4] as number) * 0x1000000 +
        (((source[at + 5] as number) << 16) | ((source[at + 6] as number) << 8) | (source[at + 7] as number));
      if (payloadBytes > this.payloadBytesMax) throw new FrameTooLargeError(type, payloadBytes, this.payloadBytesMax); // F3

      // The payload: a view when the chunk holds all of it (F2), else start assembling it.
      if (length - offset >= payloadBytes) {
        frames.push({ type, flags, payload: chunk.subarray(offset, offset + payloadBytes) });
        offset += payloadBytes;
      } else {
        const payload = new Uint8Array(payloadBytes);
        const take = length - offset;
        payload.set(chunk.subarray(offset), 0);
        offset += take;
        this.#pending = payload;
        this.#pendingFilled = take;
        this.#pendingType = type;
        this.#pendingFlags = flags;
      }
    }
  }
}

/**
 * Decodes a whole byte stream (for example an HTTP/2 request or response body) into frames.
 * Throws TruncatedFrameError if the stream ends inside a frame, FrameTooLargeError on an
 * oversized frame, and rethrows errors of the source.
 */
export async function* decodeFrames(
  source: AsyncIterable<Uint8Array>,
  options?: FrameDecoderOptions,
): AsyncGenerator<Frame, void, undefined> {
  const decoder = new FrameDecoder(options);
  for await (const chunk of source) {
    for (const frame of decoder.push(chunk)) yield frame;
  }
  decoder.end();
}
