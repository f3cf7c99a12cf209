/**
 * Auto-heal policy, pure: whether an unhealthy container is restarted now, waits for its backoff, or
 * is handed to an operator because restarts did not help.
 *
 * A Railway container that is unhealthy after a check is restarted at once the first time; the n-th
 * restart within the last hour is followed by a pause of min(backoffMax, backoffBase · 2^(n−1)). When
 * `maxPerHour` restarts in the last hour did not bring it back, it is marked for attention and not
 * restarted again until it has been healthy once (which clears the mark).
 */
export interface HealPolicy {
  enabled: boolean;
  maxPerHour: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

export interface HealCandidate {
  targetType: "railway" | "edge" | string;
  providerDeploymentId: string | null;
  nextHealAt: Date | null;
  needsAttention: boolean;
}

export type HealDecision =
  | { action: "none" }
  | { action: "wait"; until: Date }
  | { action: "restart"; nextHealAt: Date; attempt: number }
  | { action: "attention"; reason: string };

export function backoffSeconds(policy: HealPolicy, healsInLastHour: number): number {
  return Math.min(policy.backoffMaxSeconds, policy.backoffBaseSeconds * 2 ** Math.max(0, healsInLastHour - 1));
}

/** Decides for a container that is unhealthy after this check; `healsInLastHour` counts heal rows since at − 1 h. */
export function planHeal(c: HealCandidate, healsInLastHour: number, policy: HealPolicy, at: Date): HealDecision {
  if (!policy.enabled || c.targetType !== "railway" || !c.providerDeploymentId || c.needsAttention) return { action: "none" };
  if (c.nextHealAt && c.nextHealAt.getTime() > at.getTime()) return { action: "wait", until: c.nextHealAt };
  if (healsInLastHour >= policy.maxPerHour) {
    return { action: "attention", reason: `still unhealthy after ${healsInLastHour} automatic restart${healsInLastHour === 1 ? "" : "s"} within an hour` };
  }
  const attempt = healsInLastHour + 1;
  return { action: "restart", attempt, nextHealAt: new Date(at.getTime() + backoffSeconds(policy, attempt) * 1000) };
}
