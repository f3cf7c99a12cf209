/** Retry timing: exponential backoff with full jitter, and Railway's `Retry-After` header. */

export interface BackoffPolicy {
  /** First step in milliseconds; step n waits up to base * 2^(n-1). */
  baseDelayMs: number;
  /** Cap of one wait in milliseconds. */
  maxDelayMs: number;
}

/** Delay before retry number `retry` (1 = the first retry): uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
