// Typed errors of @cairn/protocol. Each failure mode has its own class and a stable string
// `code`; callers branch on `code` (or `instanceof`), never on message text. Errors that cross a
// worker-thread boundary travel as `{ code, message, stack }` and are rebuilt with
// `protocolErrorFromObject`.

export type ProtocolErrorCode =
  | "ERR_PROTOCOL_FRAME_TOO_LARGE"
  | "ERR_PROTOCOL_TRUNCATED_FRAME"
  | "ERR_PROTOCOL_UNKNOWN_MESSAGE_TYPE"
  | "ERR_PROTOCOL_MESSAGE_DECODE"
  | "ERR_PROTOCOL_MESSAGE_ENCODE"
  | "ERR_PROTOCOL_ACK_NOT_ALLOWED"
  | "ERR_PROTOCOL_UNSUPPORTED_CONTENT_TYPE"
  | "ERR_PROTOCOL_NOT_ACCEPTABLE"
  | "ERR_PROTOCOL_INCOMPATIBLE_VERSIONS"
  | "ERR_PROTOCOL_INVALID_MANIFEST"
  | "ERR_PROTOCOL_INVALID_ID"
  | "ERR_PROTOCOL_HASHER_UNAVAILABLE";

/** Base class of every error this package throws on purpose. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A frame's payload length exceeds the configured maximum (or the u32 length field). */
export class FrameTooLargeError extends ProtocolError {
  constructor(
    readonly messageType: number,
    readonly payloadBytes: number,
    readonly payloadBytesMax: number,
  ) {
    super(
      "ERR_PROTOCOL_FRAME_TOO_LARGE",
      `frame of type 0x${hex4(messageType)} has a ${payloadBytes}-byte payload, over the ${payloadBytesMax}-byte maximum`,
    );
  }
}

/** The byte stream ended inside a frame (in its header or its payload). */
export class TruncatedFrameError extends ProtocolError {
  constructor(readonly bufferedBytes: number) {
    super("ERR_PROTOCOL_TRUNCATED_FRAME", `stream ended inside a frame (${bufferedBytes} bytes of it received)`);
  }
}

/** A frame's type code has no message schema (unassigned code, or a custom entry). */
export class UnknownMessageTypeError extends ProtocolError {
  constructor(readonly messageType: number) {
    super("ERR_PROTOCOL_UNKNOWN_MESSAGE_TYPE", `unknown protocol message type 0x${hex4(messageType)}`);
  }
}

/** A payload is not a valid protobuf encoding of the message its type code names. */
export class MessageDecodeError extends ProtocolError {
  constructor(
    readonly messageType: number,
    cause: unknown,
  ) {
    super(
      "ERR_PROTOCOL_MESSAGE_DECODE",
      `cannot decode message of type 0x${hex4(messageType)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** A message object cannot be encoded (a value out of its field's range, or an unknown message). */
export class MessageEncodeError extends ProtocolError {
  constructor(
    readonly typeName: string,
    reason: string,
  ) {
    super("ERR_PROTOCOL_MESSAGE_ENCODE", `cannot encode ${typeName}: ${reason}`);
  }
}

/** REQUESTED_ACK was asked for on a message type that must not carry it (§1.2). */
export class AckNotAllowedError extends ProtocolError {
  constructor(readonly messageType: number) {
    super("ERR_PROTOCOL_ACK_NOT_ALLOWED", `message type 0x${hex4(messageType)} cannot carry the REQUESTED_ACK flag`);
  }
}

/** A content-type header is missing or names no version this package supports (HTTP 415). */
export class UnsupportedContentTypeError extends ProtocolError {
  constructor(
    readonly contentType: string | undefined,
    reason: string,
  ) {
    super("ERR_PROTOCOL_UNSUPPORTED_CONTENT_TYPE", reason);
  }
}

/** An Accept header lists no version this side can produce (HTTP 415 in the SDKs). */
export class NotAcceptableError extends ProtocolError {
  constructor(
    readonly accept: string | undefined,
    reason: string,
  ) {
    super("ERR_PROTOCOL_NOT_ACCEPTABLE", reason);
  }
}

/** Two protocol version ranges do not overlap. */
export class IncompatibleVersionsError extends ProtocolError {
  constructor(
    readonly theirs: { readonly min: number; readonly max: number },
    readonly ours: { readonly min: number; readonly max: number },
  ) {
    super(
      "ERR_PROTOCOL_INCOMPATIBLE_VERSIONS",
      `protocol versions [${theirs.min}, ${theirs.max}] do not overlap the supported [${ours.min}, ${ours.max}]`,
    );
  }
}

/** A discovery manifest breaks the schema or Restate's rules; `field` is a path like `services[0].name`. */
export class InvalidManifestError extends ProtocolError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super("ERR_PROTOCOL_INVALID_MANIFEST", `invalid manifest field ${field}: ${reason}`);
  }
}

export type IdKind = "invocation" | "awakeable" | "deployment" | "partition-key";

/** A textual or raw identifier is malformed. */
export class InvalidIdError extends ProtocolError {
  constructor(
    readonly kind: IdKind,
    readonly input: string,
    reason: string,
  ) {
    super("ERR_PROTOCOL_INVALID_ID", `invalid ${kind} id ${JSON.stringify(input.slice(0, 80))}: ${reason}`);
  }
}

/** The native xxh3 implementation used for partition keys could not be loaded on this platform. */
export class HasherUnavailableError extends ProtocolError {
  constructor(cause: unknown) {
    super(
      "ERR_PROTOCOL_HASHER_UNAVAILABLE",
      `the xxh3 hasher (@node-rs/xxhash) cannot be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

const classes: Readonly<Record<ProtocolErrorCode, { readonly prototype: ProtocolError }>> = {
  ERR_PROTOCOL_FRAME_TOO_LARGE: FrameTooLargeError,
  ERR_PROTOCOL_TRUNCATED_FRAME: TruncatedFrameError,
  ERR_PROTOCOL_UNKNOWN_MESSAGE_TYPE: UnknownMessageTypeError,
  ERR_PROTOCOL_MESSAGE_DECODE: MessageDecodeError,
  ERR_PROTOCOL_MESSAGE_ENCODE: MessageEncodeError,
  ERR_PROTOCOL_ACK_NOT_ALLOWED: AckNotAllowedError,
  ERR_PROTOCOL_UNSUPPORTED_CONTENT_TYPE: UnsupportedContentTypeError,
  ERR_PROTOCOL_NOT_ACCEPTABLE: NotAcceptableError,
  ERR_PROTOCOL_INCOMPATIBLE_VERSIONS: IncompatibleVersionsError,
  ERR_PROTOCOL_INVALID_MANIFEST: InvalidManifestError,
  ERR_PROTOCOL_INVALID_ID: InvalidIdError,
  ERR_PROTOCOL_HASHER_UNAVAILABLE: HasherUnavailableError,
};

/** Every stable error code of this package. */
export const PROTOCOL_ERROR_CODES: readonly ProtocolErrorCode[] = Object.keys(classes) as ProtocolErrorCode[];

/**
 * Rebuilds an error that travelled as plain data (for example across a worker-thread boundary)
 * as an instance of the class its code names, carrying the other own fields it travelled with.
 * Returns undefined when `value` carries no code of this package.
 */
export function protocolErrorFromObject(value: unknown): ProtocolError | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { code, message, stack } = value as { code?: unknown; message?: unknown; stack?: unknown };
  if (typeof code !== "string" || !Object.hasOwn(classes, code)) return undefined;
  const ctor = classes[code as ProtocolErrorCode];
  // Rebuilt without running the constructor: the original arguments did not travel, the fields did.
  const error = Object.create(ctor.prototype) as ProtocolError & Record<string, unknown>;
  for (const [key, field] of Object.entries(value)) {
    if (key !== "code" && key !== "message" && key !== "stack" && key !== "name") error[key] = field;
  }
  Object.defineProperty(error, "code", { value: code, enumerable: true, writable: false });
  Object.defineProperty(error, "message", { value: typeof message === "string" ? message : "", writable: true });
  Object.defineProperty(error, "name", { value: error.constructor.name, writable: true });
  if (typeof stack === "string") Object.defineProperty(error, "stack", { value: stack, writable: true });
  return error;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
