// One HTTP/2 cleartext connection to a deployment with prior knowledge (RFC 9113 §3.3): the
// client side of the frame layer, flow control in both directions, and the streams on it.
//
// Owns: the socket, the HPACK decoder, stream ids, both flow-control windows of every stream and
// of the connection, request bytes queued against a closed window, the streams held back by the
// peer's MAX_CONCURRENT_STREAMS. Does not own: which connection a request goes to (pool.ts), what
// the bytes mean (attempt.ts).
//
// C1. Stream ids are odd and strictly increasing in the order HEADERS are written; a connection
//     accepts a request only while its ids (including the held-back streams') fit below 2^31.
// C2. No DATA is written beyond the peer's stream window or connection window; bytes that do not
//     fit are queued per stream, in order, and bounded per stream and per connection (D5).
// C3. Every byte of response DATA (padding included) is credited back by WINDOW_UPDATE once the
//     handler has it: the stream's when half its window is consumed, the connection's likewise.
// C4. A handler gets `onHeaders` at most once (informational 1xx heads are skipped), then
//     `onData`*, then exactly one of `onEnd` / `onError`, and nothing after that or after `cancel`.
// C5. A connection error (socket error or close, a protocol violation by either side, the connect
//     timeout) fails every open and held-back stream with H2cConnectionError — never a hang.
// C6. After GOAWAY no stream is opened; streams above its last-stream-id fail (retryable), the
//     others finish; the socket closes after the last one.
// C7. We do not wait for the peer to acknowledge our SETTINGS: they only raise limits above the
//     RFC defaults (window, frame size) or disable push, so frames sent before the ACK are valid
//     under either set.
import * as net from "node:net";
import {
  h2cCoalesceBytesMax,
  h2cConnectionQueuedBytesMax,
  h2cConnectionWindowBytes,
  h2cHeaderListBytesMax,
  h2cHeaderTableBytes,
  h2cMaxFrameBytes,
  h2cStreamIdMax,
  h2cStreamQueuedBytesMax,
  h2cStreamWindowBytes,
  h2cWaitingStreamsMax,
} from "../constants.js";
import { H2cConnectionError, H2cStreamError, type InvokerError } from "../errors.js";
import {
  ErrorCode,
  FrameFlag,
  FrameParser,
  FrameSizeError,
  FrameType,
  Setting,
  connectionPreface,
  errorCodeName,
  frameHeader,
  goawayFrame,
  headersFrames,
  pingFrame,
  rstStreamFrame,
  settingsAckFrame,
  settingsFrame,
  windowMax,
  windowUpdateFrame,
  type FrameSink,
} from "./frame-codec.js";
import { HpackDecoder, HpackError, encodeHeaderBlock } from "./hpack.js";

/** Callbacks of one request stream (C4). Called synchronously from socket reads. */
export interface H2cStreamHandler {
  /** The final response head: `:status` and the flat [name, value, …] list (pseudo-headers included). */
  onHeaders(status: number, headers: readonly string[]): void;
  /** Response DATA, a view valid for as long as it is referenced. */
  onData(chunk: Buffer): void;
  /** The response ended (END_STREAM). */
  onEnd(): void;
  onError(error: InvokerError): void;
}

/** One request: the request body side. Every method is a no-op once the stream is closed. */
export interface H2cRequest {
  /** Queues request bytes (C2); false if the request body is already ended or the stream closed. */
  write(bytes: Uint8Array): boolean;
  /** Ends the request body (END_STREAM once the queued bytes are out). */
  end(): void;
  /** Resets the stream (RST_STREAM CANCEL); no callback follows. */
  cancel(): void;
}

export interface H2cConnectionOptions {
  host: string;
  port: number;
  /** `:authority` of every request. */
  authority: string;
  connectTimeoutMs: number;
  /** Highest stream id to use (tests lower it to exercise replacement). */
  streamIdMax?: number;
  /** Called once when the connection stops taking new streams (GOAWAY, error, close, ids used up). */
  onRetire?: (connection: H2cConnection) => void;
}

const emptyBytes = new Uint8Array(0);

/** How long a failed connection's socket may take to write its GOAWAY before it is destroyed. */
const socketLingerMs = 1000;

const forbiddenRequestHeaders = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]);

class Stream implements H2cRequest {
  id = 0;
  readonly connection: H2cConnection;
  handler: H2cStreamHandler | undefined;
  /** Header block, kept until the stream is opened (held back by MAX_CONCURRENT_STREAMS). */
  block: Buffer | undefined;
  sendWindow = 0;
  /** Receive window left before our next WINDOW_UPDATE. */
  recvWindow = h2cStreamWindowBytes;
  /** Response bytes consumed and not yet credited back. */
  recvUnacked = 0;
  queue: Uint8Array[] = [];
  queueHead = 0;
  queuedBytes = 0;
  /** end() was called. */
  localEnded = false;
  /** END_STREAM was written. */
  endSent = false;
  remoteEnded = false;
  headersReceived = false;
  closed = false;

  constructor(connection: H2cConnection, handler: H2cStreamHandler, block: Buffer) {
    this.connection = connection;
    this.handler = handler;
    this.block = block;
  }

  write(bytes: Uint8Array): boolean {
    return this.connection.streamWrite(this, bytes);
  }

  end(): void {
    this.connection.streamEnd(this);
  }

  cancel(): void {
    this.connection.streamCancel(this);
  }
}

export class H2cConnection implements FrameSink {
  readonly #options: H2cConnectionOptions;
  readonly #socket: net.Socket;
  readonly #parser: FrameParser;
  readonly #hpack = new HpackDecoder(h2cHeaderTableBytes, h2cHeaderListBytesMax);
  readonly #streamIdMax: number;
  /** Open streams by id. */
  readonly #streams = new Map<number, Stream>();
  /** Streams held back by the peer's MAX_CONCURRENT_STREAMS, in request order. */
  #waiting: Stream[] = [];
  /** Streams with request bytes queued against a closed window (C2), in the order they blocked. */
  readonly #blocked = new Set<Stream>();
  #nextStreamId = 1;
  #peerMaxConcurrentStreams = Number.POSITIVE_INFINITY;
  #peerInitialWindow = 65_535;
  #peerMaxFrameSize = 16_384;
  #sendWindow = 65_535;
  #recvWindow = h2cConnectionWindowBytes;
  #recvUnacked = 0;
  #queuedBytes = 0;
  #connected = false;
  #peerPrefaceChecked = false;
  #connectTimer: NodeJS.Timeout | undefined;
  #retired = false;
  #draining = false;
  #closed = false;
  /** A header block spread over HEADERS + CONTINUATION. */
  #blockStreamId = 0;
  #blockEndStream = false;
  #blockChunks: Buffer[] = [];
  #blockBytes = 0;
  /** Frames written this tick, flushed together. */
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #flushScheduled = false;
  readonly #flush = (): void => {
    this.#flushNow();
  };

  constructor(options: H2cConnectionOptions) {
    this.#options = options;
    this.#streamIdMax = options.streamIdMax ?? h2cStreamIdMax;
    this.#parser = new FrameParser(this, h2cMaxFrameBytes);
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    this.#socket = socket;
    socket.unref();
    socket.on("connect", () => {
      this.#connected = true;
      if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    });
    socket.on("data", (chunk: Buffer) => {
      this.#onSocketData(chunk);
    });
    socket.on("error", (error) => {
      this.#fail(new H2cConnectionError(`connection to ${options.authority} failed: ${error.message}`));
    });
    socket.on("close", () => {
      this.#fail(new H2cConnectionError(`connection to ${options.authority} closed by the deployment`));
    });
    this.#connectTimer = setTimeout(() => {
      if (!this.#connected) this.#fail(new H2cConnectionError(`no connection to ${options.authority} within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    this.#connectTimer.unref();
    this.#queue(connectionPreface);
    this.#queue(
      settingsFrame([
        [Setting.enablePush, 0],
        [Setting.initialWindowSize, h2cStreamWindowBytes],
        [Setting.maxFrameSize, h2cMaxFrameBytes],
        [Setting.maxHeaderListSize, h2cHeaderListBytesMax],
      ]),
    );
    this.#queue(windowUpdateFrame(0, h2cConnectionWindowBytes - 65_535));
  }

  /** Whether a new request may be placed on this connection (C1, C6). */
  get available(): boolean {
    return !this.#retired && this.#nextStreamId + 2 * this.#waiting.length <= this.#streamIdMax;
  }

  /** Open plus held-back streams. */
  get streamCount(): number {
    return this.#streams.size + this.#waiting.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts a POST-like request: `headers` is a flat [name, value, …] list of regular headers
   * (lower-case names); the pseudo-headers come first.
   */
  request(method: string, path: string, headers: readonly string[], handler: H2cStreamHandler): H2cRequest {
    if (!this.available) throw new H2cConnectionError(`connection to ${this.#options.authority} takes no new streams`, ErrorCode.refusedStream);
    const list: string[] = [":method", method, ":scheme", "http", ":authority", this.#options.authority, ":path", path];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i] ?? "";
      if (forbiddenRequestHeaders.has(name)) continue;
      list.push(name, headers[i + 1] ?? "");
    }
    const stream = new Stream(this, handler, encodeHeaderBlock(list));
    if (this.#streams.size < this.#peerMaxConcurrentStreams) {
      this.#open(stream);
    } else {
      if (this.#waiting.length >= h2cWaitingStreamsMax) {
        throw new H2cConnectionError(`${h2cWaitingStreamsMax} streams already wait for a slot on ${this.#options.authority}`, ErrorCode.refusedStream);
      }
      this.#waiting.push(stream);
    }
    if (!this.available) this.#retire();
    return stream;
  }

  /** No new streams; the socket closes after the last stream (GOAWAY NO_ERROR is sent). */
  close(): void {
    this.#retire();
    this.#draining = true;
    this.#closeIfIdle();
  }

  /** Destroys the connection now: every stream fails (C5). */
  destroy(reason: string): void {
    this.#connectionError(ErrorCode.noError, reason);
  }

  // ---- request side ----

  streamWrite(stream: Stream, bytes: Uint8Array): boolean {
    if (stream.closed || stream.localEnded) return false;
    if (bytes.length === 0) return true;
    if (stream.id === 0 || stream.queuedBytes > 0) {
      this.#enqueue(stream, bytes, 0);
      return !stream.closed;
    }
    const sent = this.#sendData(stream, bytes, 0);
    if (sent < bytes.length) this.#enqueue(stream, bytes, sent);
    return !stream.closed;
  }

  streamEnd(stream: Stream): void {
    if (stream.closed || stream.localEnded) return;
    stream.localEnded = true;
    if (stream.id === 0) return; // END_STREAM follows the queue once the stream opens
    if (stream.queuedBytes > 0) {
      // The response is complete and the peer grants no more window: abandon the rest.
      if (stream.remoteEnded) this.#resetStream(stream, ErrorCode.cancel);
      return;
    }
    this.#sendEnd(stream);
  }

  streamCancel(stream: Stream): void {
    if (stream.closed) return;
    stream.handler = undefined;
    if (stream.id === 0) {
      const i = this.#waiting.indexOf(stream);
      if (i >= 0) this.#waiting.splice(i, 1);
      this.#closeStream(stream);
      return;
    }
    this.#resetStream(stream, ErrorCode.cancel);
  }

  #open(stream: Stream): void {
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    stream.id = id;
    stream.sendWindow = this.#peerInitialWindow;
    this.#streams.set(id, stream);
    const block = stream.block ?? Buffer.alloc(0);
    stream.block = undefined;
    this.#queue(headersFrames(id, block, false, this.#peerMaxFrameSize));
    if (stream.queuedBytes > 0) this.#drainStream(stream);
    if (stream.localEnded && stream.queuedBytes === 0 && !stream.closed) this.#sendEnd(stream);
  }

  /** Writes as much of bytes[offset..] as both windows allow (C2); returns the new offset. */
  #sendData(stream: Stream, bytes: Uint8Array, offset: number): number {
    let pos = offset;
    const maxFrame = this.#peerMaxFrameSize;
    while (pos < bytes.length) {
      const n = Math.min(bytes.length - pos, stream.sendWindow, this.#sendWindow, maxFrame);
      if (n <= 0) break;
      this.#queue(frameHeader(n, FrameType.data, 0, stream.id));
      this.#queue(pos === 0 && n === bytes.length ? bytes : bytes.subarray(pos, pos + n));
      stream.sendWindow -= n;
      this.#sendWindow -= n;
      pos += n;
    }
    return pos;
  }

  #enqueue(stream: Stream, bytes: Uint8Array, offset: number): void {
    const n = bytes.length - offset;
    if (stream.queuedBytes + n > h2cStreamQueuedBytesMax || this.#queuedBytes + n > h2cConnectionQueuedBytesMax) {
      const limit = stream.queuedBytes + n > h2cStreamQueuedBytesMax ? `${h2cStreamQueuedBytesMax} bytes per stream` : `${h2cConnectionQueuedBytesMax} bytes per connection`;
      this.#streamError(stream, ErrorCode.cancel, `request bytes queued against the deployment's flow-control window exceed ${limit}`);
      return;
    }
    stream.queue.push(offset === 0 ? bytes : bytes.subarray(offset));
    stream.queuedBytes += n;
    this.#queuedBytes += n;
    if (stream.id !== 0) this.#blocked.add(stream);
  }

  /** Sends a stream's queued bytes as far as the windows allow; END_STREAM if drained and ended. */
  #drainStream(stream: Stream): void {
    while (stream.queueHead < stream.queue.length) {
      const bytes = stream.queue[stream.queueHead] as Uint8Array;
      const sent = this.#sendData(stream, bytes, 0);
      const n = sent;
      stream.queuedBytes -= n;
      this.#queuedBytes -= n;
      if (sent < bytes.length) {
        stream.queue[stream.queueHead] = bytes.subarray(sent);
        this.#blocked.add(stream);
        return;
      }
      stream.queue[stream.queueHead] = emptyBytes; // drop the reference early
      stream.queueHead += 1;
    }
    stream.queue = [];
    stream.queueHead = 0;
    this.#blocked.delete(stream);
    if (stream.localEnded && !stream.endSent && !stream.closed) this.#sendEnd(stream);
  }

  #drainBlocked(): void {
    for (const stream of this.#blocked) {
      if (this.#sendWindow <= 0) return;
      if (stream.sendWindow > 0) this.#drainStream(stream);
    }
  }

  #sendEnd(stream: Stream): void {
    stream.endSent = true;
    this.#queue(frameHeader(0, FrameType.data, FrameFlag.endStream, stream.id));
    if (stream.remoteEnded) this.#closeStream(stream);
  }

  // ---- output ----

  #queue(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  #flushNow(): void {
    this.#flushScheduled = false;
    const out = this.#out;
    if (out.length === 0 || this.#socket.destroyed) return;
    const bytes = this.#outBytes;
    this.#out = [];
    this.#outBytes = 0;
    if (out.length === 1) {
      this.#socket.write(out[0] as Uint8Array);
    } else if (bytes <= h2cCoalesceBytesMax) {
      this.#socket.write(Buffer.concat(out, bytes));
    } else {
      this.#socket.cork();
      for (const b of out) this.#socket.write(b);
      this.#socket.uncork();
    }
  }

  // ---- input ----

  #onSocketData(chunk: Buffer): void {
    if (this.#closed) return;
    if (!this.#peerPrefaceChecked && chunk.length >= 4) {
      // The server preface is a SETTINGS frame (RFC 9113 §3.4); anything else is most likely an
      // HTTP/1.1 server answering our preface, which deserves a clearer error than a frame size.
      this.#peerPrefaceChecked = true;
      if (chunk[3] !== FrameType.settings) {
        const text = chunk.subarray(0, 40).toString("latin1").replace(/[^\x20-\x7e]+/g, " ").trim();
        this.#connectionError(ErrorCode.protocolError, `the deployment does not speak HTTP/2 with prior knowledge (it answered "${text}"); is it an HTTP/1.1 endpoint?`);
        return;
      }
    }
    try {
      this.#parser.push(chunk);
    } catch (error) {
      if (error instanceof FrameSizeError) this.#connectionError(ErrorCode.frameSizeError, error.message);
      else if (error instanceof HpackError) this.#connectionError(ErrorCode.compressionError, `header block does not decode: ${error.message}`);
      else throw error;
    }
  }

  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.#closed) return;
    if (this.#blockStreamId !== 0 && (type !== FrameType.continuation || streamId !== this.#blockStreamId)) {
      this.#connectionError(ErrorCode.protocolError, "a header block was interrupted by another frame");
      return;
    }
    switch (type) {
      case FrameType.data:
        this.#onData(flags, streamId, payload);
        return;
      case FrameType.headers:
        this.#onHeaders(flags, streamId, payload);
        return;
      case FrameType.continuation:
        this.#onContinuation(flags, streamId, payload);
        return;
      case FrameType.rstStream:
        this.#onRstStream(streamId, payload);
        return;
      case FrameType.settings:
        this.#onSettings(flags, streamId, payload);
        return;
      case FrameType.ping:
        if (streamId !== 0) return this.#connectionError(ErrorCode.protocolError, "PING on a stream");
        if (payload.length !== 8) return this.#connectionError(ErrorCode.frameSizeError, "PING payload is not 8 bytes");
        if ((flags & FrameFlag.ack) === 0) this.#queue(pingFrame(payload, true));
        return;
      case FrameType.goaway:
        this.#onGoaway(streamId, payload);
        return;
      case FrameType.windowUpdate:
        this.#onWindowUpdate(streamId, payload);
        return;
      case FrameType.pushPromise:
        this.#connectionError(ErrorCode.protocolError, "PUSH_PROMISE although push is disabled");
        return;
      default:
        // PRIORITY and unknown frame types are ignored (RFC 9113 §4.1, §5.5).
        return;
    }
  }

  #onData(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) return this.#connectionError(ErrorCode.protocolError, "DATA on stream 0");
    const length = payload.length;
    this.#recvWindow -= length;
    if (this.#recvWindow < 0) return this.#connectionError(ErrorCode.flowControlError, "DATA beyond the connection window");
    this.#recvUnacked += length;
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextStreamId || streamId % 2 === 0) return this.#connectionError(ErrorCode.protocolError, `DATA on idle stream ${streamId}`);
      // A stream we reset or finished: frames in flight still count against the connection (C3).
      this.#creditConnection();
      return;
    }
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) {
      this.#creditConnection();
      return this.#streamError(stream, ErrorCode.flowControlError, "the deployment sent DATA beyond the stream window");
    }
    if (stream.remoteEnded || !stream.headersReceived) {
      this.#creditConnection();
      return this.#streamError(stream, stream.remoteEnded ? ErrorCode.streamClosed : ErrorCode.protocolError, "DATA outside a response body");
    }
    let data = payload;
    if ((flags & FrameFlag.padded) !== 0) {
      const pad = payload[0] ?? 0;
      if (length === 0 || pad >= length) return this.#connectionError(ErrorCode.protocolError, "DATA padding exceeds the frame");
      data = payload.subarray(1, length - pad);
    }
    const endStream = (flags & FrameFlag.endStream) !== 0;
    stream.recvUnacked += length;
    if (data.length > 0) stream.handler?.onData(data);
    if (endStream) {
      this.#onRemoteEnd(stream);
    } else if (!stream.closed && stream.recvUnacked >= h2cStreamWindowBytes / 2) {
      stream.recvWindow += stream.recvUnacked;
      this.#queue(windowUpdateFrame(stream.id, stream.recvUnacked));
      stream.recvUnacked = 0;
    }
    this.#creditConnection();
  }

  #creditConnection(): void {
    if (this.#recvUnacked >= h2cConnectionWindowBytes / 2) {
      this.#recvWindow += this.#recvUnacked;
      this.#queue(windowUpdateFrame(0, this.#recvUnacked));
      this.#recvUnacked = 0;
    }
  }

  #onHeaders(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) return this.#connectionError(ErrorCode.protocolError, "HEADERS on stream 0");
    let start = 0;
    let end = payload.length;
    if ((flags & FrameFlag.padded) !== 0) {
      const pad = payload[0] ?? 0;
      start = 1;
      end -= pad;
    }
    if ((flags & FrameFlag.priority) !== 0) start += 5;
    if (start > end) return this.#connectionError(ErrorCode.protocolError, "HEADERS padding exceeds the frame");
    const fragment = payload.subarray(start, end);
    const endStream = (flags & FrameFlag.endStream) !== 0;
    if ((flags & FrameFlag.endHeaders) !== 0) {
      this.#onHeaderBlock(streamId, fragment, endStream);
      return;
    }
    this.#blockStreamId = streamId;
    this.#blockEndStream = endStream;
    this.#blockChunks = [fragment];
    this.#blockBytes = fragment.length;
  }

  #onContinuation(flags: number, streamId: number, payload: Buffer): void {
    if (this.#blockStreamId === 0 || streamId !== this.#blockStreamId) return this.#connectionError(ErrorCode.protocolError, "CONTINUATION without a header block");
    this.#blockBytes += payload.length;
    if (this.#blockBytes > h2cHeaderListBytesMax) return this.#connectionError(ErrorCode.enhanceYourCalm, `header block exceeds ${h2cHeaderListBytesMax} bytes`);
    this.#blockChunks.push(payload);
    if ((flags & FrameFlag.endHeaders) === 0) return;
    const block = Buffer.concat(this.#blockChunks, this.#blockBytes);
    const endStream = this.#blockEndStream;
    this.#blockStreamId = 0;
    this.#blockChunks = [];
    this.#blockBytes = 0;
    this.#onHeaderBlock(streamId, block, endStream);
  }

  #onHeaderBlock(streamId: number, block: Buffer, endStream: boolean): void {
    let headers: string[];
    try {
      headers = this.#hpack.decode(block); // K1: always decoded, whatever the stream's state
    } catch (error) {
      if (error instanceof HpackError) return this.#connectionError(ErrorCode.compressionError, `header block does not decode: ${error.message}`);
      throw error;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextStreamId || streamId % 2 === 0) this.#connectionError(ErrorCode.protocolError, `HEADERS on idle stream ${streamId}`);
      return;
    }
    if (stream.remoteEnded) return this.#streamError(stream, ErrorCode.streamClosed, "HEADERS after the response ended");
    if (!stream.headersReceived) {
      const status = headers[0] === ":status" ? Number(headers[1]) : Number.NaN;
      if (!Number.isInteger(status) || status < 100 || status > 999) return this.#streamError(stream, ErrorCode.protocolError, "response head without a valid :status first");
      if (status < 200) {
        if (endStream) return this.#streamError(stream, ErrorCode.protocolError, "informational head with END_STREAM");
        return; // 1xx: the final head follows (C4)
      }
      stream.headersReceived = true;
      stream.handler?.onHeaders(status, headers);
    } else if (!endStream) {
      return this.#streamError(stream, ErrorCode.protocolError, "trailers without END_STREAM");
    }
    if (endStream && !stream.closed) this.#onRemoteEnd(stream);
  }

  #onRemoteEnd(stream: Stream): void {
    stream.remoteEnded = true;
    const handler = stream.handler;
    stream.handler = undefined;
    if (stream.endSent) this.#closeStream(stream);
    else if (stream.localEnded && stream.queuedBytes > 0) this.#resetStream(stream, ErrorCode.cancel);
    handler?.onEnd();
  }

  #onRstStream(streamId: number, payload: Buffer): void {
    if (streamId === 0) return this.#connectionError(ErrorCode.protocolError, "RST_STREAM on stream 0");
    if (payload.length !== 4) return this.#connectionError(ErrorCode.frameSizeError, "RST_STREAM payload is not 4 bytes");
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextStreamId) this.#connectionError(ErrorCode.protocolError, `RST_STREAM on idle stream ${streamId}`);
      return;
    }
    const code = payload.readUInt32BE(0);
    const handler = stream.handler;
    stream.handler = undefined;
    this.#closeStream(stream);
    // RST_STREAM(NO_ERROR) after a complete response only stops the request body (RFC 9113 §8.1).
    if (stream.remoteEnded && code === ErrorCode.noError) return;
    handler?.onError(new H2cStreamError(`the deployment reset the stream (${errorCodeName(code)})`, code));
  }

  #onSettings(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) return this.#connectionError(ErrorCode.protocolError, "SETTINGS on a stream");
    if ((flags & FrameFlag.ack) !== 0) {
      if (payload.length !== 0) this.#connectionError(ErrorCode.frameSizeError, "SETTINGS ACK with a payload");
      return; // C7: nothing waits for it
    }
    if (payload.length % 6 !== 0) return this.#connectionError(ErrorCode.frameSizeError, "SETTINGS payload is not a multiple of 6");
    for (let pos = 0; pos < payload.length; pos += 6) {
      const id = payload.readUInt16BE(pos);
      const value = payload.readUInt32BE(pos + 2);
      switch (id) {
        case Setting.enablePush:
          // A server must not send 1; tolerated as meaningless from a server since we never accept pushes.
          if (value > 1) return this.#connectionError(ErrorCode.protocolError, "SETTINGS_ENABLE_PUSH above 1");
          break;
        case Setting.maxConcurrentStreams:
          this.#peerMaxConcurrentStreams = value;
          break;
        case Setting.initialWindowSize: {
          if (value > windowMax) return this.#connectionError(ErrorCode.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
          const delta = value - this.#peerInitialWindow;
          this.#peerInitialWindow = value;
          for (const stream of this.#streams.values()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > windowMax) return this.#connectionError(ErrorCode.flowControlError, "a stream window passed 2^31-1");
          }
          break;
        }
        case Setting.maxFrameSize:
          if (value < 16_384 || value > 16_777_215) return this.#connectionError(ErrorCode.protocolError, `SETTINGS_MAX_FRAME_SIZE ${value} out of range`);
          this.#peerMaxFrameSize = value;
          break;
        default:
          // HEADER_TABLE_SIZE: our encoder never uses the dynamic table. MAX_HEADER_LIST_SIZE is
          // advisory; unknown settings are ignored (RFC 9113 §6.5.2).
          break;
      }
    }
    this.#queue(settingsAckFrame());
    this.#openWaiting();
    this.#drainBlocked();
  }

  #onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) return this.#connectionError(ErrorCode.frameSizeError, "WINDOW_UPDATE payload is not 4 bytes");
    const increment = payload.readUInt32BE(0) & windowMax;
    if (streamId === 0) {
      if (increment === 0) return this.#connectionError(ErrorCode.protocolError, "WINDOW_UPDATE of 0 on the connection");
      this.#sendWindow += increment;
      if (this.#sendWindow > windowMax) return this.#connectionError(ErrorCode.flowControlError, "the connection window passed 2^31-1");
      this.#drainBlocked();
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextStreamId) this.#connectionError(ErrorCode.protocolError, `WINDOW_UPDATE on idle stream ${streamId}`);
      return;
    }
    if (increment === 0) return this.#streamError(stream, ErrorCode.protocolError, "WINDOW_UPDATE of 0");
    stream.sendWindow += increment;
    if (stream.sendWindow > windowMax) return this.#streamError(stream, ErrorCode.flowControlError, "the stream window passed 2^31-1");
    if (stream.queuedBytes > 0 && this.#sendWindow > 0) this.#drainStream(stream);
  }

  #onGoaway(streamId: number, payload: Buffer): void {
    if (streamId !== 0) return this.#connectionError(ErrorCode.protocolError, "GOAWAY on a stream");
    if (payload.length < 8) return this.#connectionError(ErrorCode.frameSizeError, "GOAWAY payload shorter than 8 bytes");
    const lastStreamId = payload.readUInt32BE(0) & windowMax;
    const code = payload.readUInt32BE(4);
    const debug = payload.subarray(8).toString("utf8");
    this.#retire();
    this.#draining = true;
    const why = `the deployment sent GOAWAY (${errorCodeName(code)}${debug.length > 0 ? `: ${debug}` : ""})`;
    const refused: Stream[] = [...this.#waiting];
    this.#waiting = [];
    for (const stream of this.#streams.values()) if (stream.id > lastStreamId) refused.push(stream);
    for (const stream of refused) {
      const handler = stream.handler;
      stream.handler = undefined;
      this.#closeStream(stream);
      handler?.onError(new H2cConnectionError(`${why}; the request was not processed`, code));
    }
    this.#closeIfIdle();
  }

  // ---- stream and connection ends ----

  #openWaiting(): void {
    while (this.#waiting.length > 0 && this.#streams.size < this.#peerMaxConcurrentStreams) {
      const stream = this.#waiting.shift() as Stream;
      this.#open(stream);
    }
  }

  #closeStream(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    if (stream.id !== 0) this.#streams.delete(stream.id);
    this.#blocked.delete(stream);
    this.#queuedBytes -= stream.queuedBytes;
    stream.queuedBytes = 0;
    stream.queue = [];
    stream.queueHead = 0;
    this.#openWaiting();
    this.#closeIfIdle();
  }

  #resetStream(stream: Stream, code: number): void {
    if (stream.id !== 0 && !stream.closed) this.#queue(rstStreamFrame(stream.id, code));
    this.#closeStream(stream);
  }

  #streamError(stream: Stream, code: number, message: string): void {
    const handler = stream.handler;
    stream.handler = undefined;
    this.#resetStream(stream, code);
    handler?.onError(new H2cStreamError(message, code));
  }

  #retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.#options.onRetire?.(this);
  }

  #closeIfIdle(): void {
    if (!this.#draining || this.#closed || this.#streams.size > 0 || this.#waiting.length > 0) return;
    this.#queue(goawayFrame(0, ErrorCode.noError));
    this.#closed = true;
    this.#flushNow();
    this.#socket.end();
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
  }

  /** A protocol violation (ours to report) or a local destroy: GOAWAY, then every stream fails (C5). */
  #connectionError(code: number, message: string): void {
    if (this.#closed) return;
    this.#queue(goawayFrame(0, code, message));
    this.#flushNow();
    this.#fail(new H2cConnectionError(`HTTP/2 connection to ${this.#options.authority} failed: ${message}`, code));
  }

  #fail(error: H2cConnectionError): void {
    this.#retire();
    this.#closed = true;
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    if (!this.#socket.destroyed) {
      // Let a GOAWAY already written go out, but never wait on a peer that does not read.
      this.#socket.destroySoon();
      const socket = this.#socket;
      setTimeout(() => socket.destroy(), socketLingerMs).unref();
    }
    const streams = [...this.#waiting, ...this.#streams.values()];
    this.#waiting = [];
    for (const stream of streams) {
      const handler = stream.handler;
      stream.handler = undefined;
      this.#closeStream(stream);
      handler?.onError(error);
    }
    this.#blocked.clear();
    this.#queuedBytes = 0;
  }
}
