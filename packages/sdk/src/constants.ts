// Limits and defaults of @cairn/sdk, each with its unit in the name.

/** Largest frame payload accepted from the runtime (Restate's default message size limit is 32 MiB). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Largest request body the request/response handlers (HTTP/1.1, fetch, Lambda) will buffer. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;
/** First completion id of an invocation (0 is never used, RESTATE-PROTOCOL.md §3.4). */
export const FIRST_COMPLETION_ID = 1;
/** Signal index of the built-in cancel signal. */
export const CANCEL_SIGNAL_INDEX = 1;
/** First signal index handed to awakeables (2..16 are reserved). */
export const FIRST_AWAKEABLE_SIGNAL_INDEX = 17;
/** Service protocol versions this SDK speaks. */
export const MIN_PROTOCOL_VERSION = 5;
export const MAX_PROTOCOL_VERSION = 7;
/** Discovery manifest versions this SDK answers, highest preferred. */
export const MANIFEST_VERSIONS = [4, 3, 2] as const;
/** ctx.run retry defaults when a policy is given but an interval is not. */
export const RUN_RETRY_INITIAL_INTERVAL_MS = 50;
export const RUN_RETRY_FACTOR = 2;
export const RUN_RETRY_MAX_INTERVAL_MS = 10_000;
/** Default listen port (`PORT` overrides), as the official SDK. */
export const DEFAULT_PORT = 9080;
/** Clock skew tolerated when verifying request-identity JWTs (the official SDK uses none). */
export const JWT_LEEWAY_SECONDS = 0;
/** Value of the `x-restate-server` header. */
export const SDK_SERVER_HEADER = "cairn-sdk-typescript/0.1.0";

if (FIRST_AWAKEABLE_SIGNAL_INDEX <= CANCEL_SIGNAL_INDEX) throw new Error("awakeable signals must not overlap built-in signals");
