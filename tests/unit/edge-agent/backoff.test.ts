import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../../edge-agent/backoff.ts";

const policy = { baseMs: 1000, maxMs: 30_000 };

describe("backoffDelayMs", () => {
  it("doubles the ceiling with every failure", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 15999]);
  });

  it("never waits longer than the cap, however many failures", () => {
    for (const failures of [6, 10, 60, 1000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelayMs(failures, policy, () => 0.999999)).toBeLessThanOrEqual(30_000);
      expect(backoffDelayMs(failures, policy, () => 0)).toBe(15_000);
    }
  });

  it("jitters within [ceiling/2, ceiling]", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(2000);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(3000);
  });

  it("treats zero or negative failure counts as the first retry", () => {
    expect(backoffDelayMs(0, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(-3, policy, () => 0)).toBe(500);
  });
});
