// Goal: frames split across or packed into chunks come out whole and in order, and oversized frames are refused; method: byte-level chunking.
import { describe, expect, it } from "vitest";
import { FrameReader, ProtocolViolationError, frame } from "@cairn/invoker";

describe("FrameReader", () => {
  it("returns the frames each chunk completes, whatever the chunk boundaries", () => {
    const a = frame(0x0400, 0, new Uint8Array([1, 2, 3]));
    const b = frame(0x0005, 0x8000, new Uint8Array([9]));
    const c = frame(0x0003, 0, new Uint8Array(0));
    const all = new Uint8Array([...a, ...b, ...c]);
    for (let cut = 1; cut < all.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(all.subarray(0, cut)), ...reader.push(all.subarray(cut))];
      expect(frames.map((f) => [f.type, f.flags, [...f.payload]])).toEqual([
        [0x0400, 0, [1, 2, 3]],
        [0x0005, 0x8000, [9]],
        [0x0003, 0, []],
      ]);
      expect(reader.pendingBytes).toBe(0);
    }
  });
  it("writes the 8-byte big-endian header", () => {
    expect([...frame(0x0005, 0x8000, new Uint8Array(11)).subarray(0, 8)]).toEqual([0x00, 0x05, 0x80, 0x00, 0, 0, 0, 0x0b]);
  });
  it("refuses a frame over the size limit before buffering it", () => {
    const header = new Uint8Array([0x04, 0x00, 0, 0, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => new FrameReader().push(header)).toThrow(ProtocolViolationError);
  });
});
