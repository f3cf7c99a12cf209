import { healsInLastHour, recordHeal } from "../db/heals.ts";
import { writeOutcomes } from "../db/health-writes.ts";
import { type HealPolicy, planHeal } from "../health/heal-policy.ts";
import type { Logger } from "../log.ts";
import type { RailwayClient } from "../railway/index.ts";
import type { CheckOutcome, DecidedOutcome } from "./types.ts";
import type { Sql } from "postgres";

/**
 * Records one batch of checks and heals what it must: decide heals (from the heals of the last hour),
 * write the batch in one transaction (db/health-writes.ts), then restart the containers it decided to
 * restart. The backoff (next_heal_at) commits with the batch, before the restart is made, so a later
 * check never restarts the same container again before it.
 */
export interface RecordDeps {
  sql: Sql;
  /** Undefined when Railway is not configured: nothing is restarted. */
  railway: Pick<RailwayClient, "restartDeployment"> | undefined;
  healPolicy: HealPolicy;
  log: Logger;
}

export async function recordOutcomes(deps: RecordDeps, outcomes: readonly CheckOutcome[]): Promise<DecidedOutcome[]> {
  if (outcomes.length === 0) return [];
  const unhealthy = outcomes.filter((o) => o.step.state === "unhealthy");
  const policy = deps.railway ? deps.healPolicy : { ...deps.healPolicy, enabled: false };
  const counts = unhealthy.length > 0 && policy.enabled
    ? await healsInLastHour(deps.sql, unhealthy.map((o) => o.container.id), outcomes[0]!.at)
    : new Map<string, number>();
  const decided: DecidedOutcome[] = outcomes.map((o) => ({
    ...o,
    heal: o.step.state !== "unhealthy" ? { action: "none" } : planHeal({
      targetType: o.container.target_type,
      providerDeploymentId: o.container.provider_deployment_id,
      nextHealAt: o.container.next_heal_at,
      needsAttention: o.container.needs_attention,
    }, counts.get(o.container.id) ?? 0, policy, o.at),
  }));
  const live = await writeOutcomes(deps.sql, decided);
  for (const o of decided) {
    if (!live.has(o.container.id)) continue; // undeployed meanwhile
    if (o.heal.action === "restart") await heal(deps, o, o.heal.attempt);
    if (o.heal.action === "attention") deps.log.warn("auto-heal gave up: container needs attention", { container_id: o.container.id, reason: o.heal.reason });
  }
  return decided;
}

async function heal(deps: RecordDeps, o: DecidedOutcome, attempt: number): Promise<void> {
  const c = o.container;
  let error: string | null = null;
  try {
    await deps.railway!.restartDeployment(c.provider_deployment_id!);
  } catch (e) {
    const coded = e as { code?: string; message?: string };
    error = `${coded.code ?? "provider_error"}: ${coded.message ?? String(e)}`;
  }
  await recordHeal(deps.sql, { container: c, attempt, at: o.at, error });
  deps.log[error ? "warn" : "info"]("auto-heal restart", { container_id: c.id, attempt, outcome: error ? "failed" : "restarted", ...(error ? { error } : {}) });
}
