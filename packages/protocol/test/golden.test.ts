// Goal: the hex vectors of RESTATE-PROTOCOL.md (§1.6, §3, §8) encode and decode byte for byte;
// method: build each message in code, compare with the fixture bytes, and decode the fixture back.
import { describe, expect, it } from "vitest";
import {
  create,
  decodeMessage,
  encodeMessageFrame,
  EndMessageSchema,
  FrameDecoder,
  GetEagerStateCommandMessageSchema,
  InputCommandMessageSchema,
  isAckRequested,
  MessageType,
  OutputCommandMessageSchema,
  ProposeRunCompletionMessageSchema,
  SendSignalCommandMessageSchema,
  SignalNotificationMessageSchema,
  SleepCompletionNotificationMessageSchema,
  StartMessageSchema,
  ValueSchema,
  VoidSchema,
  type EncodeFrameOptions,
  type ProtocolMessage,
} from "@cairn/protocol";
import { fromHex, readFixture, toHex } from "./support/fixtures.js";

interface FrameFixture {
  readonly name: string;
  readonly hex: string;
}

const fixtures = new Map(readFixture<{ frames: FrameFixture[] }>("v7/frames.json").frames.map((f) => [f.name, fromHex(f.hex)]));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const rawId = Uint8Array.from({ length: 24 }, (_, i) => i);

const cases: { name: string; message: ProtocolMessage; options?: EncodeFrameOptions }[] = [
  {
    name: "start",
    message: create(StartMessageSchema, {
      id: rawId,
      debugId: "inv_1abc",
      knownEntries: 1,
      partialState: true,
      randomSeed: 12345n,
    }),
  },
  {
    name: "input-command",
    message: create(InputCommandMessageSchema, { value: create(ValueSchema, { content: utf8('"bob"') }) }),
  },
  {
    name: "output-command",
    message: create(OutputCommandMessageSchema, {
      result: { case: "value", value: create(ValueSchema, { content: utf8('"Hello bob"') }) },
    }),
  },
  { name: "end", message: create(EndMessageSchema) },
  {
    name: "propose-run-completion-v7-ack",
    message: create(ProposeRunCompletionMessageSchema, { resultCompletionId: 1, result: { case: "value", value: utf8('"hello"') } }),
    options: { requestAck: true },
  },
  {
    name: "sleep-completion-void",
    message: create(SleepCompletionNotificationMessageSchema, { completionId: 1, void: create(VoidSchema) }),
  },
  {
    name: "get-eager-state-void",
    message: create(GetEagerStateCommandMessageSchema, { key: utf8("k"), result: { case: "void", value: create(VoidSchema) } }),
  },
  {
    name: "send-signal-cancel",
    message: create(SendSignalCommandMessageSchema, {
      targetInvocationId: "inv_10BnVMHtxjjO0HyUJWli0aN6NpK3xqX1zy",
      signalId: { case: "idx", value: 1 },
      result: { case: "void", value: create(VoidSchema) },
    }),
  },
  {
    name: "signal-notification-cancel",
    message: create(SignalNotificationMessageSchema, {
      signalId: { case: "idx", value: 1 },
      result: { case: "void", value: create(VoidSchema) },
    }),
  },
];

describe("golden frames (v7)", () => {
  it("has a case for every fixture", () => {
    expect(cases.map((c) => c.name).sort()).toEqual([...fixtures.keys()].sort());
  });

  for (const { name, message, options } of cases) {
    const expected = fixtures.get(name) as Uint8Array;

    it(`encodes ${name} byte for byte`, () => {
      expect(toHex(encodeMessageFrame(message, options))).toBe(toHex(expected));
    });

    it(`decodes ${name} back to the same message`, () => {
      const frames = new FrameDecoder().push(expected);
      expect(frames).toHaveLength(1);
      const frame = frames[0];
      if (frame === undefined) throw new Error("no frame");
      expect(isAckRequested(frame)).toBe(options?.requestAck === true);
      const decoded = decodeMessage(frame);
      expect(decoded.message).toEqual(message);
      // Re-encoding what was decoded gives the same bytes (what replays rely on).
      expect(toHex(encodeMessageFrame(decoded.message, options))).toBe(toHex(expected));
    });
  }

  it("decodes the whole §1.6 exchange from one buffer, in order", () => {
    const stream = Buffer.concat(["start", "input-command", "output-command", "end"].map((n) => fixtures.get(n) as Uint8Array));
    const types = new FrameDecoder().push(stream).map((f) => decodeMessage(f).type);
    expect(types).toEqual([MessageType.Start, MessageType.InputCommand, MessageType.OutputCommand, MessageType.End]);
  });

  it("keeps the ack-flag header of §1.6: 00 05 80 00 00 00 00 0b", () => {
    expect(toHex((fixtures.get("propose-run-completion-v7-ack") as Uint8Array).subarray(0, 8))).toBe("000580000000000b");
  });
});
