// Goal: the streaming decoder yields exactly the frames sent, whatever the chunk boundaries,
// without copying payloads that arrive whole, and only ever fails with this package's errors;
// method: fast-check over random frame lists, random chunkings and random bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFrames,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameTooLargeError,
  ProtocolError,
  TruncatedFrameError,
} from "@cairn/protocol";

const frameArb: fc.Arbitrary<Frame> = fc.record({
  type: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 100 }),
});

/** Cuts `bytes` at the given positions (sorted, deduplicated, within range). */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const points = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

function concat(frames: readonly Frame[]): Uint8Array {
  return Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload, { flags: f.flags })));
}

const plain = (frames: readonly Frame[]) => frames.map((f) => ({ type: f.type, flags: f.flags, payload: Array.from(f.payload) }));

describe("FrameDecoder", () => {
  it("yields the frames sent for any chunking", () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, positions) => {
        const decoder = new FrameDecoder();
        const out: Frame[] = [];
        for (const chunk of cut(concat(frames), positions)) out.push(...decoder.push(chunk));
        decoder.end();
        expect(plain(out)).toEqual(plain(frames));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("yields the frames sent when fed one byte at a time", () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 4 }), (frames) => {
        const bytes = concat(frames);
        const decoder = new FrameDecoder();
        const out: Frame[] = [];
        for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
        decoder.end();
        expect(plain(out)).toEqual(plain(frames));
      }),
      { numRuns: 50 },
    );
  });

  it("returns payloads that arrived whole as views into the chunk", () => {
    const bytes = Buffer.concat([encodeFrame(0x0400, Uint8Array.from([1, 2, 3])), encodeFrame(0x0003, new Uint8Array())]);
    const frames = new FrameDecoder().push(bytes);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.payload.buffer).toBe(bytes.buffer);
    expect(frames[0]?.payload.byteOffset).toBe(bytes.byteOffset + 8);
  });

  it("copies a split payload once, into a buffer of its exact size", () => {
    const bytes = encodeFrame(0x0400, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    const decoder = new FrameDecoder();
    expect(decoder.push(bytes.subarray(0, 10))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(10);
    const [frame] = decoder.push(bytes.subarray(10));
    expect(frame?.payload.buffer.byteLength).toBe(6);
    expect(Array.from(frame?.payload ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("rejects a frame over the maximum before buffering its payload", () => {
    const decoder = new FrameDecoder({ payloadBytesMax: 16 });
    expect(decoder.push(encodeFrame(0x0400, new Uint8Array(16)))).toHaveLength(1);
    const header = encodeFrame(0x0401, new Uint8Array(17)).subarray(0, 8);
    let error: unknown;
    try {
      decoder.push(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ code: "ERR_PROTOCOL_FRAME_TOO_LARGE", messageType: 0x0401, payloadBytes: 17, payloadBytesMax: 16 });
    // F4: the decoder stays failed.
    expect(() => decoder.push(new Uint8Array(1))).toThrow(FrameTooLargeError);
    expect(() => decoder.end()).toThrow(FrameTooLargeError);
  });

  it("reports a stream that ends inside a frame", () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame(0x0400, new Uint8Array(4)).subarray(0, 10));
    expect(() => decoder.end()).toThrow(TruncatedFrameError);
    const headerOnly = new FrameDecoder();
    headerOnly.push(new Uint8Array(3));
    expect(() => headerOnly.end()).toThrow(expect.objectContaining({ code: "ERR_PROTOCOL_TRUNCATED_FRAME", bufferedBytes: 3 }));
  });

  it("validates its options", () => {
    expect(() => new FrameDecoder({ payloadBytesMax: -1 })).toThrow(RangeError);
    expect(() => new FrameDecoder({ payloadBytesMax: 2 ** 32 })).toThrow(RangeError);
  });

  it("on random bytes and chunkings yields frames or its own errors only", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 0, max: 64 }),
        (bytes, positions, payloadBytesMax) => {
          const decoder = new FrameDecoder({ payloadBytesMax });
          let seen = 0;
          try {
            for (const chunk of cut(bytes, positions)) {
              for (const frame of decoder.push(chunk)) {
                expect(frame.payload.length).toBeLessThanOrEqual(payloadBytesMax);
                seen += 8 + frame.payload.length;
              }
            }
            decoder.end();
            expect(seen).toBe(bytes.length);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("decodeFrames", () => {
  async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      await Promise.resolve();
      yield part;
    }
  }

  it("decodes an async byte stream", async () => {
    const bytes = Buffer.concat([encodeFrame(0, Uint8Array.from([9])), encodeFrame(3, new Uint8Array())]);
    const out: Frame[] = [];
    for await (const frame of decodeFrames(chunks([bytes.subarray(0, 5), bytes.subarray(5)]))) out.push(frame);
    expect(out.map((f) => f.type)).toEqual([0, 3]);
  });

  it("throws TruncatedFrameError at a premature end", async () => {
    const bytes = encodeFrame(0, Uint8Array.from([9, 9]));
    const consume = async () => {
      for await (const frame of decodeFrames(chunks([bytes.subarray(0, 9)]))) void frame;
    };
    await expect(consume()).rejects.toBeInstanceOf(TruncatedFrameError);
  });
});
