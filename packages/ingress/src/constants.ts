// Limits and defaults of the ingress. Every bound has its unit in its name (D5: every queue and
// buffer is bounded; past a bound the ingress answers with a clear status, never grows memory).

/** Largest request body accepted; Restate's ingress uses the same 32 MiB default. */
export const requestBodyBytesMax = 32 * 1024 * 1024;

/** Requests being served at once (body read, dispatched, awaiting the answer); past it → 429. */
export const inflightRequestsMax = 10_000;

/** Bytes of request bodies held in memory at once across all requests; past it → 429. */
export const bufferedBodyBytesMax = 512 * 1024 * 1024;

/** `/{a}/{b}/…`: Restate classifies paths of 2 to 7 segments; longer paths are not routes. */
export const pathSegmentsMax = 7;

/** Longest accepted `?delay=` (one year), so a typo cannot park an invocation for centuries. */
export const delayMsMax = 366 * 24 * 60 * 60 * 1000;

/** Longest accepted `idempotency-key` header, in UTF-16 code units. */
export const idempotencyKeyLengthMax = 1024;

/** How long close() waits for in-flight requests before it drops their connections. */
export const closeGraceMs = 10_000;

/** Keep-alive idle timeout of the node:http implementation (uWS has its own 10 s default). */
export const keepAliveTimeoutMs = 10_000;
