// A minimal server side of the service protocol for compatibility tests: discovery and one
// invocation attempt over HTTP/2 prior knowledge (h2c), using only @cairn/protocol codecs and
// node:http2. It plays the part of the Restate invoker: writes Start + journal, answers what the
// SDK sends through `onFrame`, and ends the request stream at the terminal frame (§1.5).
import * as http2 from "node:http2";
import {
  decodeMessage,
  FrameDecoder,
  formatInvocationContentType,
  MessageType,
  type DecodedMessage,
  type Frame,
  type InvocationProtocolVersion,
} from "@cairn/protocol";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Opens an h2c session to `url`; the caller closes it. */
export function connect(url: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

/** One plain request with a complete body. */
export function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Uint8Array): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let responseHeaders: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (responseHeaders = h));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status: Number(responseHeaders[":status"]), headers: responseHeaders, body: Buffer.concat(chunks) }));
    stream.on("error", reject);
    stream.end(body);
  });
}

export interface ReceivedFrame {
  readonly frame: Frame;
  readonly decoded: DecodedMessage;
}

export interface Attempt {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  /** Every frame the SDK sent, in order. */
  readonly received: readonly ReceivedFrame[];
  /** Every frame the harness sent after the initial journal, in order with `received`. */
  readonly log: readonly { readonly direction: "in" | "out"; readonly type: number }[];
}

export interface AttemptOptions {
  readonly version: InvocationProtocolVersion;
  readonly path: string;
  /** Start + journal, already framed. */
  readonly initial: readonly Uint8Array[];
  /** Answers to an SDK frame (frames to write back), bidi style. */
  readonly onFrame?: (received: ReceivedFrame) => readonly Uint8Array[];
  /** Ends the request stream after this SDK frame (the way a server asks the SDK to suspend, §4.5). */
  readonly endInputAfter?: (received: ReceivedFrame) => boolean;
  readonly timeoutMs?: number;
}

const TERMINAL: ReadonlySet<number> = new Set([MessageType.End, MessageType.Suspension, MessageType.Error]);

/** Runs one bidirectional attempt and resolves when the SDK has closed its response. */
export function runAttempt(session: http2.ClientHttp2Session, options: AttemptOptions): Promise<Attempt> {
  const contentType = formatInvocationContentType(options.version);
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": options.path,
      "content-type": contentType,
      accept: contentType,
    });
    const decoder = new FrameDecoder();
    const received: ReceivedFrame[] = [];
    const log: { direction: "in" | "out"; type: number }[] = [];
    let status = 0;
    let headers: http2.IncomingHttpHeaders = {};
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`attempt timed out; received ${received.map((r) => r.frame.type.toString(16)).join(",")}`));
    }, options.timeoutMs ?? 15_000);

    stream.on("response", (h) => {
      headers = h;
      status = Number(h[":status"]);
    });
    stream.on("data", (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          const item = { frame, decoded: decodeMessage(frame) };
          received.push(item);
          log.push({ direction: "in", type: frame.type });
          if (TERMINAL.has(frame.type)) {
            // §1.5: the SDK closes its response only once the request stream has ended.
            stream.end();
            continue;
          }
          for (const answer of options.onFrame?.(item) ?? []) {
            log.push({ direction: "out", type: ((answer[0] as number) << 8) | (answer[1] as number) });
            stream.write(answer);
          }
          if (options.endInputAfter?.(item) === true) stream.end();
        }
      } catch (error) {
        clearTimeout(timer);
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stream.on("end", () => {
      clearTimeout(timer);
      try {
        decoder.end();
        resolve({ status, headers, received, log });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stream.on("error", (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    for (const frame of options.initial) stream.write(frame);
  });
}
