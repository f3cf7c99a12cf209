/**
 * Client-side budget for Railway's API: a token bucket per second and a fixed window per hour, plus whatever
 * Railway tells us (429 Retry-After, `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`). `acquire()` waits
 * (with the injected sleep) while the wait is short, and fails fast with `provider_rate_limited` when it
 * would be longer than `maxWaitMs`, so an edge function never sleeps through its wall-clock limit.
 * The budget is per limiter instance (one per isolate); Railway's 429 remains the authority across isolates.
 */
import { RailwayError } from "./errors.ts";

export interface RateLimiterOptions {
  perSecond: number;
  perHour: number;
  /** Longest wait `acquire()` accepts before failing fast. */
  maxWaitMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface RateLimiter {
  /** Resolves when one request may be sent; throws `provider_rate_limited` when the wait would be too long. */
  acquire(): Promise<void>;
  /** Railway asked us to hold off until `untilMs` (epoch milliseconds). */
  blockUntil(untilMs: number): void;
  /** Reads `X-RateLimit-Remaining` / `X-RateLimit-Reset` from a response. */
  observe(headers: Headers): void;
}

const HOUR_MS = 3_600_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perSecond, perHour, maxWaitMs, now, sleep } = options;
  let tokens = perSecond;
  let refilledAt = now();
  let hourStartedAt = now();
  let usedThisHour = 0;
  let blockedUntil = 0;

  function refill(at: number): void {
    tokens = Math.min(perSecond, tokens + ((at - refilledAt) / 1000) * perSecond);
    refilledAt = at;
    if (at - hourStartedAt >= HOUR_MS) {
      hourStartedAt = at;
      usedThisHour = 0;
    }
  }

  /** Milliseconds until a request may go, and which budget holds it back. */
  function waitFor(at: number): { ms: number; scope: "second" | "hour" | "railway" } {
    if (blockedUntil > at) return { ms: blockedUntil - at, scope: "railway" };
    if (usedThisHour >= perHour) return { ms: hourStartedAt + HOUR_MS - at, scope: "hour" };
    if (tokens < 1) return { ms: Math.ceil(((1 - tokens) / perSecond) * 1000), scope: "second" };
    return { ms: 0, scope: "second" };
  }

  function blockUntil(untilMs: number): void {
    blockedUntil = Math.max(blockedUntil, untilMs);
  }

  return {
    async acquire() {
      for (;;) {
        const at = now();
        refill(at);
        const wait = waitFor(at);
        if (wait.ms <= 0) {
          tokens -= 1;
          usedThisHour += 1;
          return;
        }
        if (wait.ms > maxWaitMs) {
          throw new RailwayError(
            "provider_rate_limited",
            `Railway request budget spent (${wait.scope} limit); retry in ${Math.ceil(wait.ms / 1000)} s`,
            { retry_after_ms: wait.ms, limit_scope: wait.scope },
          );
        }
        await sleep(wait.ms);
      }
    },
    blockUntil,
    observe(headers) {
      const remaining = headers.get("x-ratelimit-remaining");
      const reset = headers.get("x-ratelimit-reset");
      if (remaining === null || reset === null || Number(remaining) > 0) return;
      const resetValue = Number(reset);
      if (!Number.isFinite(resetValue)) return;
      // Railway does not document the unit: a large value is an epoch timestamp (seconds), a small one a delta.
      const untilMs = resetValue > 1e9 ? resetValue * 1000 : now() + resetValue * 1000;
      blockUntil(untilMs);
    },
  };
}
