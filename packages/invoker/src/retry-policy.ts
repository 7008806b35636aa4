// The invocation retry policy: exponential backoff between failed attempts, then pause or kill.
import {
  defaultRetryExponentiationFactor,
  defaultRetryInitialIntervalMs,
  defaultRetryMaxAttempts,
  defaultRetryMaxIntervalMs,
} from "./constants.js";

export interface RetryPolicySpec {
  initialIntervalMs: number;
  exponentiationFactor: number;
  maxIntervalMs: number;
  /** Counts the first attempt. */
  maxAttempts: number;
  onMaxAttempts: "PAUSE" | "KILL";
}

export const defaultRetryPolicy: RetryPolicySpec = {
  initialIntervalMs: defaultRetryInitialIntervalMs,
  exponentiationFactor: defaultRetryExponentiationFactor,
  maxIntervalMs: defaultRetryMaxIntervalMs,
  maxAttempts: defaultRetryMaxAttempts,
  onMaxAttempts: "PAUSE",
};

export type RetryDecision = { kind: "retry"; delayMs: number } | { kind: "pause" } | { kind: "kill" };

/**
 * What to do after `failedAttempts` attempts have failed (1 after the first failure).
 * `requestedDelayMs` is the SDK's `next_retry_delay`, which overrides the backoff but not the
 * attempt limit.
 */
export function nextRetry(policy: RetryPolicySpec, failedAttempts: number, requestedDelayMs?: number): RetryDecision {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be ≥ 1, got ${failedAttempts}`);
  if (failedAttempts >= policy.maxAttempts) return policy.onMaxAttempts === "KILL" ? { kind: "kill" } : { kind: "pause" };
  if (requestedDelayMs !== undefined) return { kind: "retry", delayMs: Math.max(0, requestedDelayMs) };
  const raw = policy.initialIntervalMs * policy.exponentiationFactor ** (failedAttempts - 1);
  return { kind: "retry", delayMs: Math.min(policy.maxIntervalMs, Math.round(raw)) };
}

/** Fills the unset fields of a partial policy (service/handler overrides) from a base policy. */
export function resolveRetryPolicy(base: RetryPolicySpec, ...overrides: (Partial<RetryPolicySpec> | undefined)[]): RetryPolicySpec {
  let policy = base;
  for (const override of overrides) {
    if (override === undefined) continue;
    policy = {
      initialIntervalMs: override.initialIntervalMs ?? policy.initialIntervalMs,
      exponentiationFactor: override.exponentiationFactor ?? policy.exponentiationFactor,
      maxIntervalMs: override.maxIntervalMs ?? policy.maxIntervalMs,
      maxAttempts: override.maxAttempts ?? policy.maxAttempts,
      onMaxAttempts: override.onMaxAttempts ?? policy.onMaxAttempts,
    };
  }
  return policy;
}
