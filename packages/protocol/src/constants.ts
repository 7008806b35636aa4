// Protocol constants and limits of @cairn/protocol. Wire values come from RESTATE-PROTOCOL.md
// (section numbers in each comment); limits carry their unit in the name.

/** Bytes in a frame header: type:u16 flags:u16 length:u32 (§1.2). */
export const FRAME_HEADER_BYTES = 8;

/** REQUESTED_ACK, bit 15 of the 16-bit flags field (bit 47 of the whole header, §1.2). */
export const FRAME_FLAG_REQUESTED_ACK = 0x8000;

/** The largest payload the u32 length field can describe. */
export const FRAME_PAYLOAD_BYTES_LIMIT = 0xffff_ffff;

/**
 * Default bound on one frame's payload, enforced by the decoder before it buffers anything.
 * 32 MiB is far above the frames SDKs produce (eager state is cut to the message size limit and
 * the rest read lazily), while a corrupt or hostile length field can no longer make a reader
 * allocate up to 4 GiB.
 */
export const FRAME_PAYLOAD_BYTES_MAX_DEFAULT = 32 * 1024 * 1024;

/** Message type codes are u16. */
export const MESSAGE_TYPE_MAX = 0xffff;

/** Service-protocol versions this package implements (§2): V5..V7. */
export const INVOCATION_PROTOCOL_VERSION_MIN = 5;
export const INVOCATION_PROTOCOL_VERSION_MAX = 7;

/** Discovery manifest versions this package implements (§2.1): v2..v4. */
export const MANIFEST_VERSION_MIN = 2;
export const MANIFEST_VERSION_MAX = 4;

/** Raw invocation id: partition key (u64 BE) ‖ invocation uuid (u128 BE) (§8.2). */
export const PARTITION_KEY_BYTES = 8;
export const INVOCATION_UUID_BYTES = 16;
export const INVOCATION_ID_BYTES = PARTITION_KEY_BYTES + INVOCATION_UUID_BYTES;

/** Signal index 1 cancels an invocation; 2..16 are reserved; awakeables start at 17 (§3.4). */
export const SIGNAL_INDEX_CANCEL = 1;
export const SIGNAL_INDEX_AWAKEABLE_FIRST = 17;

/** Completion ids are allocated by the SDK from 1 upward; 0 is never a real id (§3.4). */
export const COMPLETION_ID_FIRST = 1;

/** SDK error codes carried in ErrorMessage.code (§3.2). */
export const ERROR_CODE_JOURNAL_MISMATCH = 570;
export const ERROR_CODE_PROTOCOL_VIOLATION = 571;
export const ERROR_CODE_AWAITING_TWO_ASYNC_RESULTS = 572;
export const ERROR_CODE_UNSUPPORTED_FEATURE = 573;

// Relationships between the constants, checked once at load.
assert(FRAME_PAYLOAD_BYTES_MAX_DEFAULT <= FRAME_PAYLOAD_BYTES_LIMIT, "default payload max exceeds u32");
assert(INVOCATION_ID_BYTES === 24, "invocation id is 24 bytes");
assert(INVOCATION_PROTOCOL_VERSION_MIN <= INVOCATION_PROTOCOL_VERSION_MAX, "invocation version range");
assert(MANIFEST_VERSION_MIN <= MANIFEST_VERSION_MAX, "manifest version range");
assert(SIGNAL_INDEX_CANCEL < SIGNAL_INDEX_AWAKEABLE_FIRST, "signal index spaces");

function assert(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`@cairn/protocol constants: ${what}`);
}
