// Retry policy of the client: exponential backoff with jitter, bounded in attempts and time,
// honouring `Retry-After`. Used only where repeating is safe (an idempotency key, or a read).
import {
  RETRY_BUDGET_MS,
  RETRY_FACTOR,
  RETRY_INITIAL_DELAY_MS,
  RETRY_JITTER_RATIO,
  RETRY_MAX_ATTEMPTS_DEFAULT,
  RETRY_MAX_DELAY_MS,
} from "./constants.js";

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxAttempts?: number;
  initialDelayMs?: number;
  factor?: number;
  maxDelayMs?: number;
  budgetMs?: number;
}

export interface ResolvedRetry {
  maxAttempts: number;
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  budgetMs: number;
}

export function resolveRetry(options: RetryOptions | boolean | undefined): ResolvedRetry | undefined {
  if (options === undefined || options === false) return undefined;
  const o = options === true ? {} : options;
  return {
    maxAttempts: o.maxAttempts ?? RETRY_MAX_ATTEMPTS_DEFAULT,
    initialDelayMs: o.initialDelayMs ?? RETRY_INITIAL_DELAY_MS,
    factor: o.factor ?? RETRY_FACTOR,
    maxDelayMs: o.maxDelayMs ?? RETRY_MAX_DELAY_MS,
    budgetMs: o.budgetMs ?? RETRY_BUDGET_MS,
  };
}

/** Delay before retry number `attempt` (1-based), or the server's Retry-After when given. */
export function retryDelayMs(policy: ResolvedRetry, attempt: number, retryAfterHeader: string | null, random: () => number = Math.random): number {
  if (retryAfterHeader !== null) {
    const seconds = Number(retryAfterHeader);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.budgetMs);
    const at = Date.parse(retryAfterHeader);
    if (!Number.isNaN(at)) return Math.max(0, Math.min(at - Date.now(), policy.budgetMs));
  }
  const base = Math.min(policy.initialDelayMs * Math.pow(policy.factor, attempt - 1), policy.maxDelayMs);
  const jitter = 1 + (random() * 2 - 1) * RETRY_JITTER_RATIO;
  return Math.max(0, Math.round(base * jitter));
}
