// Goal: every protocol message round-trips through the frame encoder and decoder, and our
// single-allocation encoder is byte-identical to @bufbuild/protobuf's toBinary; method: fast-check
// over random messages of every type, derived from the descriptors.
import { equals, fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  create,
  decodeMessage,
  decodeNotification,
  encodeMessage,
  encodeMessageFrame,
  FRAME_HEADER_BYTES,
  FutureSchema,
  InputCommandMessageSchema,
  knownMessageTypes,
  MessageDecodeError,
  MessageEncodeError,
  messageKindOf,
  messageSchemaOf,
  messageTypeName,
  MessageType,
  CallInvocationIdCompletionNotificationMessageSchema,
  ProtocolError,
  readFrameHeader,
  SleepCommandMessageSchema,
  StartMessageSchema,
  SuspensionMessageSchema,
  UnknownMessageTypeError,
  type ProtocolMessage,
} from "@cairn/protocol";
import { decodeWithSchema, encodeWithSchema } from "../src/internal.js";
import { messageArbitrary } from "./support/arbitrary.js";

const RUNS = 60;

describe("message codec", () => {
  for (const type of knownMessageTypes()) {
    const schema = messageSchemaOf(type) as DescMessage;

    it(`round-trips ${messageTypeName(type)} (0x${type.toString(16)})`, () => {
      fc.assert(
        fc.property(messageArbitrary(schema), (message) => {
          const frame = encodeMessageFrame(message as ProtocolMessage);
          const header = readFrameHeader(frame);
          expect(header.type).toBe(type);
          expect(header.length).toBe(frame.length - FRAME_HEADER_BYTES);
          const decoded = decodeMessage({ type, payload: frame.subarray(FRAME_HEADER_BYTES) });
          expect(decoded.type).toBe(type);
          expect(equals(schema, decoded.message, message as never)).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it(`encodes ${messageTypeName(type)} exactly like toBinary`, () => {
      fc.assert(
        fc.property(messageArbitrary(schema, { loneSurrogates: true }), (message) => {
          expect(Buffer.from(encodeMessage(message as ProtocolMessage)).equals(toBinary(schema, message as never))).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });
  }

  /** Our decoder accepts a subset of what fromBinary accepts, and yields the same objects. */
  function expectSubsetOfFromBinary(schema: DescMessage, bytes: Uint8Array): void {
    let ours: object | undefined;
    let theirs: object | undefined;
    try {
      ours = decodeWithSchema(schema, bytes);
    } catch {
      ours = undefined;
    }
    try {
      theirs = fromBinary(schema, bytes);
    } catch {
      theirs = undefined;
    }
    if (ours !== undefined) expect(ours).toStrictEqual(theirs);
    if (theirs === undefined) expect(ours).toBeUndefined();
  }

  for (const type of knownMessageTypes()) {
    const schema = messageSchemaOf(type) as DescMessage;
    it(`decodes ${messageTypeName(type)} exactly like fromBinary, valid or mangled`, () => {
      fc.assert(
        fc.property(
          messageArbitrary(schema),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
          fc.option(fc.nat(), { nil: undefined }),
          (message, flips, cutAt) => {
            const valid = encodeMessage(message as ProtocolMessage);
            expect(decodeWithSchema(schema, valid)).toStrictEqual(fromBinary(schema, valid));
            const mangled = valid.slice(0, cutAt === undefined ? valid.length : cutAt % (valid.length + 1));
            for (const [at, byte] of flips) if (mangled.length > 0) mangled[at % mangled.length] = byte;
            expectSubsetOfFromBinary(schema, mangled);
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it("decodes random bytes as a subset of fromBinary", () => {
    const schemas = knownMessageTypes().map((t) => messageSchemaOf(t) as DescMessage);
    fc.assert(
      fc.property(fc.constantFrom(...schemas), fc.uint8Array({ maxLength: 48 }), (schema, bytes) => expectSubsetOfFromBinary(schema, bytes)),
      { numRuns: 1000 },
    );
  });

  it("accepts unpacked repeated uint32 and merges repeated singular messages", () => {
    // Suspension.waiting_completions (field 1) unpacked: 08 01 08 02; then packed: 0a 01 03.
    const suspension = decodeMessage({ type: MessageType.Suspension, payload: Uint8Array.from([0x08, 1, 0x08, 2, 0x0a, 1, 3]) });
    if (suspension.type !== MessageType.Suspension) throw new Error("wrong type");
    expect(suspension.message.waitingCompletions).toEqual([1, 2, 3]);
    // InputCommand.value (field 14) twice: Value{content} then an empty Value merge into one.
    const payload = Uint8Array.from([0x72, 3, 0x0a, 1, 0x41, 0x72, 0]);
    expect(decodeWithSchema(InputCommandMessageSchema, payload)).toStrictEqual(fromBinary(InputCommandMessageSchema, payload));
  });

  it("keeps a leading byte-order mark in strings, as prost does (fromBinary strips it)", () => {
    const payload = Uint8Array.from([0x12, 4, 0xef, 0xbb, 0xbf, 0x41]); // StartMessage.debug_id = BOM + "A"
    const decoded = decodeMessage({ type: MessageType.Start, payload });
    if (decoded.type !== MessageType.Start) throw new Error("wrong type");
    expect(decoded.message.debugId).toBe("\uFEFFA");
    expect(Buffer.from(encodeMessage(decoded.message)).equals(Buffer.from(payload))).toBe(true);
  });

  it("rejects invalid UTF-8 in strings, as fromBinary does", () => {
    const payload = Uint8Array.from([0x12, 2, 0xc3, 0x28]); // StartMessage.debug_id
    expect(() => decodeMessage({ type: MessageType.Start, payload })).toThrow(MessageDecodeError);
    expect(() => fromBinary(StartMessageSchema, payload)).toThrow();
  });

  it("encodes nested Future trees like toBinary", () => {
    fc.assert(
      fc.property(messageArbitrary(FutureSchema, { depth: 5 }), (future) => {
        expect(Buffer.from(encodeWithSchema(FutureSchema, future, 0)).equals(toBinary(FutureSchema, future as never))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps unknown fields on re-encoding", () => {
    // StartMessage with an extra field 99 (varint 7) that this schema does not know.
    const payload = Uint8Array.from([0x18, 0x01, 0x98, 0x06, 0x07]);
    const decoded = decodeMessage({ type: MessageType.Start, payload });
    expect(Buffer.from(encodeMessage(decoded.message)).equals(Buffer.from(payload))).toBe(true);
  });

  it("decodes bytes fields as views into the payload (no copy)", () => {
    const frame = encodeMessageFrame(create(StartMessageSchema, { id: new Uint8Array(24).fill(7), knownEntries: 1 }));
    const decoded = decodeMessage({ type: MessageType.Start, payload: frame.subarray(FRAME_HEADER_BYTES) });
    if (decoded.type !== MessageType.Start) throw new Error("wrong type");
    expect(decoded.message.id.buffer).toBe(frame.buffer);
  });

  it("writes V5/V6 and V7 suspension shapes with the same schema", () => {
    const v6 = encodeMessage(create(SuspensionMessageSchema, { waitingCompletions: [1], waitingSignals: [1] }));
    expect(Buffer.from(v6).toString("hex")).toBe("0a0101120101");
    const v7 = encodeMessage(
      create(SuspensionMessageSchema, { awaitingOn: create(FutureSchema, { waitingCompletions: [1], waitingSignals: [1], combinatorType: 1 }) }),
    );
    expect(Buffer.from(v7).toString("hex")).toBe("22080a01011201012801");
  });

  it("reads any notification with the shared template", () => {
    const payload = encodeMessage(
      create(CallInvocationIdCompletionNotificationMessageSchema, { completionId: 3, invocationId: "inv_1x" }),
    );
    const n = decodeNotification({ type: MessageType.CallInvocationIdCompletionNotification, payload });
    expect(n.id).toEqual({ case: "completionId", value: 3 });
    expect(n.result).toEqual({ case: "invocationId", value: "inv_1x" });
    expect(() => decodeNotification({ type: MessageType.Start, payload })).toThrow(UnknownMessageTypeError);
  });

  it("rejects out-of-range values with MessageEncodeError", () => {
    const bad = [
      create(SleepCommandMessageSchema, { wakeUpTime: -1n }),
      create(SleepCommandMessageSchema, { wakeUpTime: 2n ** 64n }),
      create(SleepCommandMessageSchema, { resultCompletionId: -1 }),
      create(SleepCommandMessageSchema, { resultCompletionId: 1.5 }),
      create(SleepCommandMessageSchema, { name: 5 as unknown as string }),
    ];
    for (const message of bad) expect(() => encodeMessage(message)).toThrow(MessageEncodeError);
    expect(() => encodeMessage({ $typeName: "nope" } as unknown as ProtocolMessage)).toThrow(MessageEncodeError);
  });

  it("decodes random payloads of every type to a message or a ProtocolError only", () => {
    const types = [...knownMessageTypes(), 0x0008, 0x040f, 0xfc00, 0x8000];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 64 }), (type, payload) => {
        try {
          const decoded = decodeMessage({ type, payload });
          expect(decoded.type).toBe(type);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          if (messageSchemaOf(type) === undefined) expect(error).toBeInstanceOf(UnknownMessageTypeError);
          else expect(error).toBeInstanceOf(MessageDecodeError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("leaves custom entries to the caller", () => {
    expect(messageKindOf(0xfc01)).toBe("custom");
    expect(() => decodeMessage({ type: 0xfc01, payload: new Uint8Array() })).toThrow(UnknownMessageTypeError);
  });
});
