// Goal: every error class has its stable code, name, fields and message, and survives a trip as
// plain data (worker boundary); method: one table row per class.
import { describe, expect, it } from "vitest";
import {
  AckNotAllowedError,
  FrameTooLargeError,
  HasherUnavailableError,
  IncompatibleVersionsError,
  InvalidIdError,
  InvalidManifestError,
  MessageDecodeError,
  MessageEncodeError,
  NotAcceptableError,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  protocolErrorFromObject,
  TruncatedFrameError,
  UnknownMessageTypeError,
  UnsupportedContentTypeError,
} from "@cairn/protocol";

const table: { error: ProtocolError; ctor: abstract new (...args: never[]) => ProtocolError; code: string; fields: object; message: RegExp }[] = [
  {
    error: new FrameTooLargeError(0x0401, 100, 64),
    ctor: FrameTooLargeError,
    code: "ERR_PROTOCOL_FRAME_TOO_LARGE",
    fields: { messageType: 0x0401, payloadBytes: 100, payloadBytesMax: 64 },
    message: /0x0401.*100-byte.*64-byte/,
  },
  {
    error: new TruncatedFrameError(5),
    ctor: TruncatedFrameError,
    code: "ERR_PROTOCOL_TRUNCATED_FRAME",
    fields: { bufferedBytes: 5 },
    message: /5 bytes/,
  },
  {
    error: new UnknownMessageTypeError(0xfc01),
    ctor: UnknownMessageTypeError,
    code: "ERR_PROTOCOL_UNKNOWN_MESSAGE_TYPE",
    fields: { messageType: 0xfc01 },
    message: /0xfc01/,
  },
  {
    error: new MessageDecodeError(0x0400, new Error("premature EOF")),
    ctor: MessageDecodeError,
    code: "ERR_PROTOCOL_MESSAGE_DECODE",
    fields: { messageType: 0x0400 },
    message: /0x0400: premature EOF/,
  },
  {
    error: new MessageEncodeError("x.Y", "field a must be a uint32"),
    ctor: MessageEncodeError,
    code: "ERR_PROTOCOL_MESSAGE_ENCODE",
    fields: { typeName: "x.Y" },
    message: /x\.Y: field a/,
  },
  {
    error: new AckNotAllowedError(0x8011),
    ctor: AckNotAllowedError,
    code: "ERR_PROTOCOL_ACK_NOT_ALLOWED",
    fields: { messageType: 0x8011 },
    message: /0x8011/,
  },
  {
    error: new UnsupportedContentTypeError("text/plain", "not a service protocol content type"),
    ctor: UnsupportedContentTypeError,
    code: "ERR_PROTOCOL_UNSUPPORTED_CONTENT_TYPE",
    fields: { contentType: "text/plain" },
    message: /not a service protocol/,
  },
  {
    error: new NotAcceptableError("text/plain", "unsupported"),
    ctor: NotAcceptableError,
    code: "ERR_PROTOCOL_NOT_ACCEPTABLE",
    fields: { accept: "text/plain" },
    message: /unsupported/,
  },
  {
    error: new IncompatibleVersionsError({ min: 1, max: 4 }, { min: 5, max: 7 }),
    ctor: IncompatibleVersionsError,
    code: "ERR_PROTOCOL_INCOMPATIBLE_VERSIONS",
    fields: { theirs: { min: 1, max: 4 }, ours: { min: 5, max: 7 } },
    message: /\[1, 4\].*\[5, 7\]/,
  },
  {
    error: new InvalidManifestError("services[0].name", "bad"),
    ctor: InvalidManifestError,
    code: "ERR_PROTOCOL_INVALID_MANIFEST",
    fields: { field: "services[0].name", reason: "bad" },
    message: /services\[0\]\.name: bad/,
  },
  {
    error: new InvalidIdError("invocation", "inv_x", "too short"),
    ctor: InvalidIdError,
    code: "ERR_PROTOCOL_INVALID_ID",
    fields: { kind: "invocation", input: "inv_x" },
    message: /invocation id "inv_x": too short/,
  },
  {
    error: new HasherUnavailableError(new Error("no binary")),
    ctor: HasherUnavailableError,
    code: "ERR_PROTOCOL_HASHER_UNAVAILABLE",
    fields: {},
    message: /no binary/,
  },
];

describe("errors", () => {
  it("covers every code exactly once", () => {
    expect(table.map((row) => row.code).sort()).toEqual([...PROTOCOL_ERROR_CODES].sort());
  });

  for (const row of table) {
    it(`${row.code} is a ${row.ctor.name}`, () => {
      expect(row.error).toBeInstanceOf(Error);
      expect(row.error).toBeInstanceOf(ProtocolError);
      expect(row.error).toBeInstanceOf(row.ctor);
      expect(row.error.code).toBe(row.code);
      expect(row.error.name).toBe(row.ctor.name);
      expect(row.error).toMatchObject(row.fields);
      expect(row.error.message).toMatch(row.message);
    });

    it(`${row.code} is rebuilt from plain data`, () => {
      const data: unknown = structuredClone({ ...row.error, code: row.error.code, message: row.error.message, stack: row.error.stack });
      const rebuilt = protocolErrorFromObject(data);
      expect(rebuilt).toBeInstanceOf(row.ctor);
      expect(rebuilt?.code).toBe(row.code);
      expect(rebuilt?.message).toBe(row.error.message);
      expect(rebuilt?.name).toBe(row.ctor.name);
      expect(rebuilt?.stack).toBe(row.error.stack);
      expect(rebuilt).toMatchObject(row.fields);
    });
  }

  it("rebuilds nothing from foreign data", () => {
    expect(protocolErrorFromObject(undefined)).toBeUndefined();
    expect(protocolErrorFromObject({ code: "ERR_OTHER", message: "x" })).toBeUndefined();
    expect(protocolErrorFromObject({ code: "toString" })).toBeUndefined();
  });
});
