import { describe, expect, it } from "vitest";
import { backoffSeconds, type HealCandidate, type HealPolicy, planHeal } from "../../../functions/_shared/health/heal-policy.ts";

const policy: HealPolicy = { enabled: true, maxPerHour: 3, backoffBaseSeconds: 60, backoffMaxSeconds: 900 };
const railway: HealCandidate = { targetType: "railway", providerDeploymentId: "dep-1", nextHealAt: null, needsAttention: false };
const at = new Date("2026-12-05T10:00:00Z");

describe("auto-heal policy", () => {
  it("restarts at once the first time, then backs off exponentially up to the maximum", () => {
    expect(planHeal(railway, 0, policy, at)).toEqual({ action: "restart", attempt: 1, nextHealAt: new Date(at.getTime() + 60_000) });
    expect(planHeal(railway, 1, policy, at)).toMatchObject({ action: "restart", attempt: 2, nextHealAt: new Date(at.getTime() + 120_000) });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(policy, n))).toEqual([60, 120, 240, 480, 900, 900]);
  });

  it("waits while the backoff runs", () => {
    const waiting = { ...railway, nextHealAt: new Date(at.getTime() + 1000) };
    expect(planHeal(waiting, 1, policy, at)).toEqual({ action: "wait", until: waiting.nextHealAt });
  });

  it("hands the container to an operator once the cap per hour is spent", () => {
    expect(planHeal(railway, 3, policy, at)).toEqual({ action: "attention", reason: "still unhealthy after 3 automatic restarts within an hour" });
  });

  it("never restarts edge containers, containers without a deployment, marked ones, or when disabled", () => {
    expect(planHeal({ ...railway, targetType: "edge" }, 0, policy, at)).toEqual({ action: "none" });
    expect(planHeal({ ...railway, providerDeploymentId: null }, 0, policy, at)).toEqual({ action: "none" });
    expect(planHeal({ ...railway, needsAttention: true }, 0, policy, at)).toEqual({ action: "none" });
    expect(planHeal(railway, 0, { ...policy, enabled: false }, at)).toEqual({ action: "none" });
  });
});
