import { describe, expect, it } from "vitest";
import { backoffDelayMs, parseRetryAfter } from "../../../functions/_shared/railway/backoff.ts";

const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe("backoffDelayMs", () => {
  it("doubles the ceiling per retry and caps it", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, policy, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it("spreads delays over [0, ceiling) with the injected randomness (full jitter)", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-08-21T12:00:00Z");

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter("Fri, 21 Aug 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 21 Aug 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
