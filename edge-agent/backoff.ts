/** Capped exponential backoff with jitter, for retries after failures. */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, ms; retry n has ceiling base * 2^(n-1). */
  baseMs: number;
  /** No delay is ever longer than this, ms. */
  maxMs: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure): uniform in [ceiling/2, ceiling] where
 * ceiling = min(maxMs, baseMs * 2^(failures-1)). `random` returns [0, 1).
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}
