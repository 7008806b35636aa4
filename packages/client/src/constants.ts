// Limits and defaults of @cairn/client, each with its unit in the name.

/** Retries (attempts after the first) when retrying is enabled. */
export const RETRY_MAX_ATTEMPTS_DEFAULT = 5;
export const RETRY_INITIAL_DELAY_MS = 250;
export const RETRY_FACTOR = 2;
export const RETRY_MAX_DELAY_MS = 3_000;
/** ±20 % jitter on each delay. */
export const RETRY_JITTER_RATIO = 0.2;
/** Give up retrying once this much time has passed since the first attempt. */
export const RETRY_BUDGET_MS = 60_000;
/** Statuses worth retrying when the failure did not come from the invocation itself. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Status the ingress answers while an invocation has no output yet. */
export const NOT_READY_STATUS = 470;
