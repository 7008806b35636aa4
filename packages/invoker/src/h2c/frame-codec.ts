// HTTP/2 frames (RFC 9113 §4, §6): the 9-byte header, encoders of the frames a client sends, and
// a streaming parser that cuts a byte stream into frames.
//
//   Frame         => length:u24 type:u8 flags:u8 reserved:1 streamId:u31 payload:bytes[length]
//   SETTINGS      => (identifier:u16 value:u32)*                                  (stream 0)
//   WINDOW_UPDATE => reserved:1 increment:u31
//   RST_STREAM    => errorCode:u32
//   PING          => opaque:bytes[8]                                             (stream 0)
//   GOAWAY        => reserved:1 lastStreamId:u31 errorCode:u32 debug:bytes*      (stream 0)
//   DATA          => [padLength:u8] data:bytes* padding:bytes[padLength]         (PADDED flag)
//   HEADERS       => [padLength:u8] [exclusive:1 dependency:u31 weight:u8] block:bytes* padding
//   CONTINUATION  => block:bytes*
//
// The parser hands out payloads as views of the received chunks (no copy unless a frame spans
// chunks); a view stays valid because a chunk is never reused.

export const frameHeaderBytes = 9;

export const FrameType = {
  data: 0x0,
  headers: 0x1,
  priority: 0x2,
  rstStream: 0x3,
  settings: 0x4,
  pushPromise: 0x5,
  ping: 0x6,
  goaway: 0x7,
  windowUpdate: 0x8,
  continuation: 0x9,
} as const;

export const FrameFlag = {
  endStream: 0x1,
  ack: 0x1,
  endHeaders: 0x4,
  padded: 0x8,
  priority: 0x20,
} as const;

export const Setting = {
  headerTableSize: 0x1,
  enablePush: 0x2,
  maxConcurrentStreams: 0x3,
  initialWindowSize: 0x4,
  maxFrameSize: 0x5,
  maxHeaderListSize: 0x6,
} as const;

/** RFC 9113 §7. */
export const ErrorCode = {
  noError: 0x0,
  protocolError: 0x1,
  internalError: 0x2,
  flowControlError: 0x3,
  settingsTimeout: 0x4,
  streamClosed: 0x5,
  frameSizeError: 0x6,
  refusedStream: 0x7,
  cancel: 0x8,
  compressionError: 0x9,
  connectError: 0xa,
  enhanceYourCalm: 0xb,
  inadequateSecurity: 0xc,
  http11Required: 0xd,
} as const;

const errorCodeNames = Object.fromEntries(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function errorCodeName(code: number): string {
  return errorCodeNames[code] ?? `0x${code.toString(16)}`;
}

/** The client connection preface (RFC 9113 §3.4). */
export const connectionPreface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** Largest flow-control window and stream id (2^31 - 1). */
export const windowMax = 0x7fffffff;

export function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const h = Buffer.allocUnsafe(frameHeaderBytes);
  writeFrameHeader(h, 0, length, type, flags, streamId);
  return h;
}

export function writeFrameHeader(out: Uint8Array, pos: number, length: number, type: number, flags: number, streamId: number): void {
  out[pos] = (length >>> 16) & 0xff;
  out[pos + 1] = (length >>> 8) & 0xff;
  out[pos + 2] = length & 0xff;
  out[pos + 3] = type;
  out[pos + 4] = flags;
  out[pos + 5] = (streamId >>> 24) & 0x7f;
  out[pos + 6] = (streamId >>> 16) & 0xff;
  out[pos + 7] = (streamId >>> 8) & 0xff;
  out[pos + 8] = streamId & 0xff;
}

export function settingsFrame(settings: readonly (readonly [number, number])[]): Buffer {
  const out = Buffer.allocUnsafe(frameHeaderBytes + 6 * settings.length);
  writeFrameHeader(out, 0, 6 * settings.length, FrameType.settings, 0, 0);
  let pos = frameHeaderBytes;
  for (const [id, value] of settings) {
    out.writeUInt16BE(id, pos);
    out.writeUInt32BE(value, pos + 2);
    pos += 6;
  }
  return out;
}

export function settingsAckFrame(): Buffer {
  return frameHeader(0, FrameType.settings, FrameFlag.ack, 0);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const out = Buffer.allocUnsafe(frameHeaderBytes + 4);
  writeFrameHeader(out, 0, 4, FrameType.windowUpdate, 0, streamId);
  out.writeUInt32BE(increment & windowMax, frameHeaderBytes);
  return out;
}

export function rstStreamFrame(streamId: number, errorCode: number): Buffer {
  const out = Buffer.allocUnsafe(frameHeaderBytes + 4);
  writeFrameHeader(out, 0, 4, FrameType.rstStream, 0, streamId);
  out.writeUInt32BE(errorCode, frameHeaderBytes);
  return out;
}

export function pingFrame(opaque: Uint8Array, ack: boolean): Buffer {
  const out = Buffer.alloc(frameHeaderBytes + 8);
  writeFrameHeader(out, 0, 8, FrameType.ping, ack ? FrameFlag.ack : 0, 0);
  out.set(opaque.subarray(0, 8), frameHeaderBytes);
  return out;
}

export function goawayFrame(lastStreamId: number, errorCode: number, debug = ""): Buffer {
  const text = Buffer.from(debug, "utf8");
  const out = Buffer.allocUnsafe(frameHeaderBytes + 8 + text.length);
  writeFrameHeader(out, 0, 8 + text.length, FrameType.goaway, 0, 0);
  out.writeUInt32BE(lastStreamId & windowMax, frameHeaderBytes);
  out.writeUInt32BE(errorCode, frameHeaderBytes + 4);
  text.copy(out, frameHeaderBytes + 8);
  return out;
}

/**
 * HEADERS (+ CONTINUATION when the block exceeds `maxFrameSize`) carrying `block`, as one buffer.
 */
export function headersFrames(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number): Buffer {
  const frames = Math.max(1, Math.ceil(block.length / maxFrameSize));
  const out = Buffer.allocUnsafe(block.length + frames * frameHeaderBytes);
  let pos = 0;
  for (let i = 0; i < frames; i++) {
    const chunk = block.subarray(i * maxFrameSize, (i + 1) * maxFrameSize);
    const last = i === frames - 1;
    const type = i === 0 ? FrameType.headers : FrameType.continuation;
    const flags = (last ? FrameFlag.endHeaders : 0) | (i === 0 && endStream ? FrameFlag.endStream : 0);
    writeFrameHeader(out, pos, chunk.length, type, flags, streamId);
    out.set(chunk, pos + frameHeaderBytes);
    pos += frameHeaderBytes + chunk.length;
  }
  return out;
}

/** Thrown by the parser for a frame larger than the advertised SETTINGS_MAX_FRAME_SIZE. */
export class FrameSizeError extends Error {}

export interface FrameSink {
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
}

/** Cuts a byte stream into frames; a frame is delivered once all its bytes arrived. */
export class FrameParser {
  readonly #sink: FrameSink;
  readonly #maxFrameSize: number;
  /** Bytes received but not yet parsed: chunks in order, concatenated only when a frame is complete. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes the frame at the head of `#pending` needs (header + payload), once its header is known. */
  #needed = frameHeaderBytes;

  constructor(sink: FrameSink, maxFrameSize: number) {
    this.#sink = sink;
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes buffered for an incomplete frame (bounded by header + max frame size). */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): void {
    let buf: Buffer;
    if (this.#pendingBytes === 0) {
      buf = chunk;
    } else {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      if (this.#pendingBytes < this.#needed) return;
      buf = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    let pos = 0;
    const end = buf.length;
    while (end - pos >= frameHeaderBytes) {
      const length = ((buf[pos] ?? 0) << 16) | ((buf[pos + 1] ?? 0) << 8) | (buf[pos + 2] ?? 0);
      if (length > this.#maxFrameSize) throw new FrameSizeError(`frame of ${length} bytes exceeds the advertised max frame size ${this.#maxFrameSize}`);
      if (end - pos < frameHeaderBytes + length) {
        this.#needed = frameHeaderBytes + length;
        break;
      }
      const type = buf[pos + 3] ?? 0;
      const flags = buf[pos + 4] ?? 0;
      const streamId = (((buf[pos + 5] ?? 0) & 0x7f) << 24) | ((buf[pos + 6] ?? 0) << 16) | ((buf[pos + 7] ?? 0) << 8) | (buf[pos + 8] ?? 0);
      const payload = buf.subarray(pos + frameHeaderBytes, pos + frameHeaderBytes + length);
      pos += frameHeaderBytes + length;
      this.#sink.onFrame(type, flags, streamId, payload);
    }
    if (pos < end) {
      if (end - pos < frameHeaderBytes) this.#needed = frameHeaderBytes;
      this.#pending.push(pos === 0 ? buf : buf.subarray(pos));
      this.#pendingBytes = end - pos;
    } else {
      this.#needed = frameHeaderBytes;
    }
  }
}
