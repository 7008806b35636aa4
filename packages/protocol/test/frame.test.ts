// Goal: the 8-byte big-endian frame header and the one-allocation frame encoders are exact;
// method: hand-checked headers, edge values, and the ack-flag rules of §1.2.
import { describe, expect, it } from "vitest";
import {
  AckNotAllowedError,
  create,
  encodeFrame,
  encodeFrameHeader,
  encodeFrames,
  FrameDecoder,
  encodeMessageFrame,
  EndMessageSchema,
  FRAME_FLAG_REQUESTED_ACK,
  FRAME_HEADER_BYTES,
  FrameTooLargeError,
  isAckRequested,
  MessageType,
  ProposeRunCompletionMessageSchema,
  readFrameHeader,
  RunCommandMessageSchema,
  SleepCompletionNotificationMessageSchema,
  writeFrameHeader,
} from "@cairn/protocol";
import { toHex } from "./support/fixtures.js";

describe("frame header", () => {
  it("is type:u16 flags:u16 length:u32, big-endian", () => {
    expect(toHex(encodeFrameHeader(0x0005, 11, { requestAck: true }))).toBe("000580000000000b");
    expect(toHex(encodeFrameHeader(0xfbff, 0x01020304))).toBe("fbff000001020304");
  });

  it("reads what it writes, including lengths of 2 GiB and more", () => {
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    for (const [type, flags, length] of [
      [0, 0, 0],
      [0xffff, 0xffff, 0xffff_ffff],
      [0x0400, 0x8000, 0x8000_0000],
      [0x8011, 0x0001, 123456],
    ] as const) {
      writeFrameHeader(header, 0, type, flags, length);
      expect(readFrameHeader(header)).toEqual({ type, flags, length });
    }
  });

  it("rejects values that do not fit their fields", () => {
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    expect(() => writeFrameHeader(header, 0, 0x10000, 0, 0)).toThrow(RangeError);
    expect(() => writeFrameHeader(header, 0, 0, -1, 0)).toThrow(RangeError);
    expect(() => writeFrameHeader(header, 0, 0, 0, 1.5)).toThrow(RangeError);
    expect(() => writeFrameHeader(header, 0, 0, 0, 2 ** 32)).toThrow(FrameTooLargeError);
    expect(() => readFrameHeader(new Uint8Array(7))).toThrow(RangeError);
  });
});

describe("frame encoders", () => {
  it("frames a stored payload in one buffer", () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const frame = encodeFrame(MessageType.InputCommand, payload);
    expect(toHex(frame)).toBe("0400000000000003010203");
    expect(frame.buffer.byteLength).toBe(11);
  });

  it("sets REQUESTED_ACK only where §1.2 allows it", () => {
    const proposal = create(ProposeRunCompletionMessageSchema, { resultCompletionId: 1 });
    const withAck = encodeMessageFrame(proposal, { requestAck: true });
    expect(isAckRequested(readFrameHeader(withAck))).toBe(true);
    expect(readFrameHeader(withAck).flags).toBe(FRAME_FLAG_REQUESTED_ACK);
    expect(isAckRequested(readFrameHeader(encodeMessageFrame(proposal)))).toBe(false);
    // Commands may ask for an ack, custom entries too.
    expect(isAckRequested(readFrameHeader(encodeMessageFrame(create(RunCommandMessageSchema), { requestAck: true })))).toBe(true);
    expect(isAckRequested(readFrameHeader(encodeFrame(0xfc00, new Uint8Array(), { requestAck: true })))).toBe(true);
    // Notifications and other control frames may not.
    expect(() => encodeMessageFrame(create(SleepCompletionNotificationMessageSchema), { requestAck: true })).toThrow(AckNotAllowedError);
    expect(() => encodeMessageFrame(create(EndMessageSchema), { requestAck: true })).toThrow(AckNotAllowedError);
  });

  it("frames a whole replay into one buffer", () => {
    const entries = [
      { type: 0x0000, payload: Uint8Array.from([0x18, 0x02]) },
      { type: 0x0400, payload: Uint8Array.from([1, 2]) },
      { type: 0x0411, payload: new Uint8Array(), flags: 0x8000 },
    ];
    const bytes = encodeFrames(entries);
    expect(toHex(bytes)).toBe("0000000000000002" + "1802" + "0400000000000002" + "0102" + "0411800000000000");
    expect(new FrameDecoder().push(bytes).map((f) => ({ type: f.type, flags: f.flags, payload: Array.from(f.payload) }))).toEqual(
      entries.map((e) => ({ type: e.type, flags: e.flags ?? 0, payload: Array.from(e.payload) })),
    );
    expect(encodeFrames([])).toHaveLength(0);
  });

  it("passes raw flags through", () => {
    expect(readFrameHeader(encodeFrame(0x0003, new Uint8Array(), { flags: 0x0001 })).flags).toBe(1);
  });

  it("writes the header length of a message frame", () => {
    const frame = encodeMessageFrame(create(RunCommandMessageSchema, { resultCompletionId: 1, name: "compose" }));
    expect(toHex(frame)).toBe("041100000000000b" + "5801" + "6207636f6d706f7365");
  });
});
