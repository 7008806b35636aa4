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
