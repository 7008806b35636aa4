// Goal: HTTP/2 frame encoding and the streaming parser are RFC 9113 exact; method: golden bytes of each frame the client writes, and the parser fed the same stream whole, byte by byte and in random cuts.
import { describe, expect, it } from "vitest";
import {
  FrameFlag,
  FrameParser,
  FrameSizeError,
  FrameType,
  Setting,
  connectionPreface,
  goawayFrame,
  headersFrames,
  pingFrame,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
  type FrameSink,
} from "@cairn/invoker/internal";

interface Seen {
  type: number;
  flags: number;
  streamId: number;
  payload: string;
}

function collector(): { sink: FrameSink; seen: Seen[] } {
  const seen: Seen[] = [];
  return { seen, sink: { onFrame: (type, flags, streamId, payload) => seen.push({ type, flags, streamId, payload: payload.toString("hex") }) } };
}

describe("frame encoders", () => {
  it("preface, SETTINGS, WINDOW_UPDATE, RST_STREAM, PING, GOAWAY have their RFC layouts", () => {
    expect(connectionPreface.toString("latin1")).toBe("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    expect(settingsFrame([[Setting.enablePush, 0], [Setting.initialWindowSize, 1 << 20]]).toString("hex")).toBe("00000c040000000000" + "000200000000" + "000400100000");
    expect(windowUpdateFrame(3, 0x10000).toString("hex")).toBe("000004080000000003" + "00010000");
    expect(rstStreamFrame(5, 8).toString("hex")).toBe("000004030000000005" + "00000008");
    expect(pingFrame(Buffer.from("0102030405060708", "hex"), true).toString("hex")).toBe("000008060100000000" + "0102030405060708");
    expect(goawayFrame(7, 1, "x").toString("hex")).toBe("000009070000000000" + "00000007" + "00000001" + "78");
  });
  it("a header block above the peer's max frame size is split into HEADERS + CONTINUATION", () => {
    const block = Buffer.alloc(40_000, 0x82);
    const bytes = headersFrames(1, block, false, 16_384);
    const { sink, seen } = collector();
    new FrameParser(sink, 16_384).push(bytes);
    expect(seen.map((f) => [f.type, f.flags, f.streamId, f.payload.length / 2])).toEqual([
      [FrameType.headers, 0, 1, 16_384],
      [FrameType.continuation, 0, 1, 16_384],
      [FrameType.continuation, FrameFlag.endHeaders, 1, 40_000 - 2 * 16_384],
    ]);
  });
});

describe("FrameParser", () => {
  const stream = Buffer.concat([
    settingsFrame([[Setting.maxFrameSize, 1 << 15]]),
    headersFrames(1, Buffer.from("8286", "hex"), true, 16_384),
    windowUpdateFrame(0, 100),
    (() => {
      const data = Buffer.alloc(9 + 3000, 0xab);
      data.writeUIntBE(3000, 0, 3);
      data[3] = FrameType.data;
      data[4] = FrameFlag.endStream;
      data.writeUInt32BE(1, 5);
      return data;
    })(),
    pingFrame(Buffer.alloc(8), false),
  ]);

  function parse(cuts: number[]): Seen[] {
    const { sink, seen } = collector();
    const parser = new FrameParser(sink, 16_384);
    let pos = 0;
    for (const cut of [...cuts, stream.length]) {
      parser.push(stream.subarray(pos, cut));
      pos = cut;
    }
    expect(parser.bufferedBytes).toBe(0);
    return seen;
  }

  it("delivers the same frames whole, byte by byte, and in random cuts", () => {
    const whole = parse([]);
    expect(whole.map((f) => f.type)).toEqual([FrameType.settings, FrameType.headers, FrameType.windowUpdate, FrameType.data, FrameType.ping]);
    expect(whole[3]?.payload).toBe("ab".repeat(3000));
    expect(parse(Array.from({ length: stream.length - 1 }, (_, i) => i + 1))).toEqual(whole);
    let seed = 7;
    for (let round = 0; round < 50; round++) {
      const cuts: number[] = [];
      for (let pos = 0; ; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        pos += 1 + (seed % 700);
        if (pos >= stream.length) break;
        cuts.push(pos);
      }
      expect(parse(cuts)).toEqual(whole);
    }
  });
  it("refuses a frame above the advertised max frame size before buffering it", () => {
    const { sink } = collector();
    const header = Buffer.from("004001000000000001", "hex"); // 16 385-byte DATA
    expect(() => new FrameParser(sink, 16_384).push(header)).toThrow(FrameSizeError);
  });
});
