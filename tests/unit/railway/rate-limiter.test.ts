import { describe, expect, it } from "vitest";
import { isRailwayError } from "../../../functions/_shared/railway/errors.ts";
import { createRateLimiter } from "../../../functions/_shared/railway/rate-limiter.ts";

/** A clock that only moves when the limiter sleeps. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

describe("rate limiter", () => {
  it("lets a second's budget through at once, then waits for the bucket to refill", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 2, perHour: 100, maxWaitMs: 5_000, ...clock });
    await limiter.acquire();
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire();
    expect(clock.sleeps).toEqual([500]);
  });

  it("fails fast with provider_rate_limited when the hour's budget is spent", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 100, perHour: 3, maxWaitMs: 5_000, ...clock });
    for (let i = 0; i < 3; i++) await limiter.acquire();
    const error = await limiter.acquire().catch((e: unknown) => e);
    expect(isRailwayError(error, "provider_rate_limited")).toBe(true);
    expect(clock.sleeps).toEqual([]);
    clock.advance(3_600_000);
    await limiter.acquire();
  });

  it("holds requests while Railway asked us to wait, and fails fast when that is too long", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10, perHour: 100, maxWaitMs: 5_000, ...clock });
    limiter.blockUntil(clock.now() + 2_000);
    await limiter.acquire();
    expect(clock.sleeps).toEqual([2_000]);
    limiter.blockUntil(clock.now() + 60_000);
    const error = await limiter.acquire().catch((e: unknown) => e);
    expect(isRailwayError(error, "provider_rate_limited") && error.details.retry_after_ms).toBe(60_000);
  });

  it("reads X-RateLimit-Remaining: 0 with X-RateLimit-Reset as delta seconds or epoch seconds", async () => {
    const clock = fakeClock(1_700_000_000_000);
    const limiter = createRateLimiter({ perSecond: 10, perHour: 100, maxWaitMs: 5_000, ...clock });
    limiter.observe(new Headers({ "x-ratelimit-remaining": "5", "x-ratelimit-reset": "3" }));
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    limiter.observe(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3" }));
    await limiter.acquire();
    expect(clock.sleeps).toEqual([3_000]);
    limiter.observe(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000 + 4) }));
    await limiter.acquire();
    expect(clock.sleeps).toEqual([3_000, 4_000]);
  });
});
