// Goal: a deployment that breaks HTTP/2 gets the right error both ways — the stream fails (retryable) and the peer sees GOAWAY or RST_STREAM with the RFC 9113 code; method: H2cPool against a raw TCP peer in the test that answers the client's HEADERS with scripted frames.
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { H2cConnectionError, H2cPool, H2cStreamError } from "@cairn/invoker";
import {
  ErrorCode,
  FrameFlag,
  FrameParser,
  FrameType,
  frameHeader,
  headersFrames,
  settingsFrame,
  HpackDecoder,
  HpackError,
} from "@cairn/invoker/internal";

interface ClientFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A raw peer: reads the preface and the client's frames; `onHeaders` answers a request's HEADERS. */
async function rawPeer(onHeaders: (streamId: number, socket: net.Socket) => void): Promise<{ origin: string; frames: ClientFrame[]; close: () => Promise<void> }> {
  const frames: ClientFrame[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
    let preface = 24;
    const parser = new FrameParser(
      {
        onFrame(type, flags, streamId, payload) {
          frames.push({ type, flags, streamId, payload: Buffer.from(payload) });
          if (type === FrameType.headers) onHeaders(streamId, socket);
        },
      },
      1 << 20,
    );
    socket.on("data", (chunk: Buffer) => {
      let data = chunk;
      if (preface > 0) {
        const skip = Math.min(preface, data.length);
        preface -= skip;
        data = data.subarray(skip);
      }
      if (data.length > 0) parser.push(data);
    });
    socket.write(settingsFrame([]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function frame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([frameHeader(payload.length, type, flags, streamId), payload]);
}

/** `:status 200` (static index 8) as a header block. */
const status200 = Buffer.from([0x88]);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function run(onHeaders: (streamId: number, socket: net.Socket) => void): Promise<{ outcome: unknown; status: number[]; body: string; frames: ClientFrame[] }> {
  const peer = await rawPeer(onHeaders);
  const pool = new H2cPool();
  cleanups.push(() => peer.close());
  cleanups.push(() => pool.close());
  const status: number[] = [];
  let body = "";
  const outcome = await new Promise<unknown>((resolve) => {
    const request = pool.request(peer.origin, "POST", "/x", ["content-type", "text/plain"], {
      onHeaders: (s) => status.push(s),
      onData: (chunk) => (body += chunk.toString()),
      onEnd: () => resolve("end"),
      onError: (error) => resolve(error),
    });
    request.write(Buffer.from("hi"));
    request.end();
  });
  // Let the client's answer (GOAWAY / RST_STREAM) reach the peer.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { outcome, status, body, frames: peer.frames };
}

function sent(frames: ClientFrame[], type: number): ClientFrame | undefined {
  return frames.find((f) => f.type === type);
}

describe("h2c client against a misbehaving peer", () => {
  it("skips a 103 informational head, then takes the 200 and the body", async () => {
    const r = await run((id, socket) => {
      socket.write(headersFrames(id, Buffer.from([0x48, 0x03, 0x31, 0x30, 0x33]), false, 16_384)); // :status 103, literal
      socket.write(headersFrames(id, status200, false, 16_384));
      socket.write(frame(FrameType.data, FrameFlag.endStream, id, Buffer.from("ok")));
    });
    expect(r.outcome).toBe("end");
    expect(r.status).toEqual([200]);
    expect(r.body).toBe("ok");
  });

  it("a header block that does not decode is COMPRESSION_ERROR: GOAWAY, and the stream fails", async () => {
    const r = await run((id, socket) => {
      socket.write(headersFrames(id, Buffer.from([0x80]), false, 16_384)); // index 0
    });
    expect(r.outcome).toBeInstanceOf(H2cConnectionError);
    expect((r.outcome as H2cConnectionError).h2Code).toBe(ErrorCode.compressionError);
    expect(sent(r.frames, FrameType.goaway)?.payload.readUInt32BE(4)).toBe(ErrorCode.compressionError);
  });

  it("DATA before the response head is a stream error: RST_STREAM(PROTOCOL_ERROR)", async () => {
    const r = await run((id, socket) => {
      socket.write(frame(FrameType.data, 0, id, Buffer.from("early")));
    });
    expect(r.outcome).toBeInstanceOf(H2cStreamError);
    const rst = sent(r.frames, FrameType.rstStream);
    expect(rst?.payload.readUInt32BE(0)).toBe(ErrorCode.protocolError);
  });

  it("a header block interrupted by another frame is PROTOCOL_ERROR", async () => {
    const r = await run((id, socket) => {
      socket.write(frame(FrameType.headers, 0, id, status200)); // no END_HEADERS
      socket.write(frame(FrameType.ping, 0, 0, Buffer.alloc(8)));
    });
    expect(r.outcome).toBeInstanceOf(H2cConnectionError);
    expect(sent(r.frames, FrameType.goaway)?.payload.readUInt32BE(4)).toBe(ErrorCode.protocolError);
  });

  it("a frame above our SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR", async () => {
    const r = await run((id, socket) => {
      socket.write(headersFrames(id, status200, false, 16_384));
      socket.write(frame(FrameType.data, 0, id, Buffer.alloc(256 * 1024 + 1)));
    });
    expect(r.outcome).toBeInstanceOf(H2cConnectionError);
    expect(sent(r.frames, FrameType.goaway)?.payload.readUInt32BE(4)).toBe(ErrorCode.frameSizeError);
  });

  it("PUSH_PROMISE although push is disabled is PROTOCOL_ERROR", async () => {
    const r = await run((id, socket) => {
      socket.write(frame(FrameType.pushPromise, FrameFlag.endHeaders, id, Buffer.from([0, 0, 0, 2, 0x82])));
    });
    expect(r.outcome).toBeInstanceOf(H2cConnectionError);
    expect(sent(r.frames, FrameType.goaway)?.payload.readUInt32BE(4)).toBe(ErrorCode.protocolError);
  });

  it("a CONTINUATION-split head and trailers are taken; the client wrote its SETTINGS, HEADERS, DATA and END_STREAM", async () => {
    const r = await run((id, socket) => {
      socket.write(frame(FrameType.headers, 0, id, Buffer.alloc(0)));
      socket.write(frame(FrameType.continuation, FrameFlag.endHeaders, id, status200));
      socket.write(frame(FrameType.data, 0, id, Buffer.from("body")));
      socket.write(headersFrames(id, Buffer.from([0x00, 0x01, 0x74, 0x01, 0x31]), true, 16_384)); // trailer t: 1
    });
    expect(r.outcome).toBe("end");
    expect(r.body).toBe("body");
    const types = r.frames.map((f) => f.type);
    expect(types[0]).toBe(FrameType.settings);
    expect(types).toContain(FrameType.windowUpdate);
    const data = r.frames.filter((f) => f.type === FrameType.data);
    expect(Buffer.concat(data.map((f) => f.payload)).toString()).toBe("hi");
    expect((data.at(-1)?.flags ?? 0) & FrameFlag.endStream).toBe(FrameFlag.endStream);
    const head = new HpackDecoder(4096, 65536).decode(sent(r.frames, FrameType.headers)?.payload ?? Buffer.alloc(0));
    expect(head.slice(0, 8)).toEqual([":method", "POST", ":scheme", "http", ":authority", expect.stringMatching(/^127\.0\.0\.1:\d+$/) as string, ":path", "/x"]);
  });
});

describe("HPACK decoder on random input", () => {
  it("either decodes or throws HpackError, never anything else", () => {
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 5000; round++) {
      const block = Buffer.alloc(1 + (next() % 64));
      for (let i = 0; i < block.length; i++) block[i] = next() & 0xff;
      const decoder = new HpackDecoder(4096, 65536);
      try {
        decoder.decode(block);
      } catch (error) {
        expect(error).toBeInstanceOf(HpackError);
      }
      expect(decoder.size).toBeLessThanOrEqual(4096);
    }
  });
});
