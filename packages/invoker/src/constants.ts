// Limits and defaults of @cairn/invoker, one place for every bound (D5). Units are in the names.

/** Restate's default: an attempt with no frame in either direction for this long gets its request ended. */
export const defaultInactivityTimeoutMs = 60_000;
/** Restate's default: after the request is ended, the response may stay silent this long per chunk. */
export const defaultAbortTimeoutMs = 10 * 60_000;

/** Restate 1.7's default invocation retry policy (`invocation.default-retry-policy`). */
export const defaultRetryInitialIntervalMs = 500;
export const defaultRetryExponentiationFactor = 2;
export const defaultRetryMaxIntervalMs = 60_000;
/** Counts the first attempt. */
export const defaultRetryMaxAttempts = 70;

/** Lowest and highest service-protocol version this invoker speaks (V5..V7, as SDK 1.17.2). */
export const protocolVersionMin = 5;
export const protocolVersionMax = 7;

/** Frame header: type:u16 flags:u16 length:u32, big-endian. */
export const frameHeaderBytes = 8;
/**
 * Largest frame payload accepted from a deployment. Restate's default message size limit is
 * 32 MiB; a bigger frame is a protocol violation rather than a reason to buffer without bound.
 */
export const framePayloadBytesMax = 32 * 1024 * 1024;

/** An HTTP/2 session past this many opened streams is retired and replaced (stream ids are 31-bit). */
export const sessionStreamsMax = 1 << 30;
/** Bytes of a non-2xx response body kept for the error message. */
export const errorBodyBytesMax = 4096;
/** How long connecting to a deployment may take before the attempt fails. */
export const connectTimeoutMs = 10_000;

if (defaultRetryInitialIntervalMs > defaultRetryMaxIntervalMs) throw new Error("retry initial interval exceeds the max interval");
if (protocolVersionMin > protocolVersionMax) throw new Error("protocol version range is empty");

// h2c client (src/h2c/): the windows and limits it advertises, and its bounds (D5).
/** SETTINGS_INITIAL_WINDOW_SIZE we advertise: response bytes a deployment may send per stream ahead of our WINDOW_UPDATEs. */
export const h2cStreamWindowBytes = 1024 * 1024;
/** Our connection-level receive window (raised from 65 535 by a WINDOW_UPDATE right after the preface). */
export const h2cConnectionWindowBytes = 16 * 1024 * 1024;
/** SETTINGS_MAX_FRAME_SIZE we advertise; also what one frame may make the parser buffer. */
export const h2cMaxFrameBytes = 256 * 1024;
/** SETTINGS_HEADER_TABLE_SIZE we advertise (the RFC default: the decoder's dynamic table bound). */
export const h2cHeaderTableBytes = 4096;
/** SETTINGS_MAX_HEADER_LIST_SIZE we advertise, enforced on decode; also bounds a HEADERS + CONTINUATION block. */
export const h2cHeaderListBytesMax = 64 * 1024;
/** Request bytes one stream may queue against a closed flow-control window before it fails. */
export const h2cStreamQueuedBytesMax = 64 * 1024 * 1024;
/** Request bytes all streams of one connection may queue against closed windows. */
export const h2cConnectionQueuedBytesMax = 256 * 1024 * 1024;
/** Streams one connection may hold back while the peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached. */
export const h2cWaitingStreamsMax = 10_000;
/** Highest client stream id (2^31 - 1); a connection that would pass it is replaced. */
export const h2cStreamIdMax = 0x7fffffff;
/** Outgoing frames of one tick up to this size are joined into one socket write; above, written as a vector. */
export const h2cCoalesceBytesMax = 64 * 1024;

if (h2cMaxFrameBytes < 16_384 || h2cMaxFrameBytes > 16_777_215) throw new Error("SETTINGS_MAX_FRAME_SIZE must be in 2^14..2^24-1");
if (h2cConnectionWindowBytes < 65_535 || h2cConnectionWindowBytes > 0x7fffffff) throw new Error("the connection window must be in 65535..2^31-1");
if (h2cStreamWindowBytes > 0x7fffffff) throw new Error("SETTINGS_INITIAL_WINDOW_SIZE must be at most 2^31-1");
