import type { Sql } from "postgres";
import { ORCHESTRATOR_ID } from "../protocol/glossary.ts";
import type { HealPolicy } from "../health/heal-policy.ts";
import { type ClaimedContainer, recipientsOf } from "../sweep/types.ts";

/** Auto-heal's database side: its policy, the heals of the last hour, and each heal's record and inform. */

interface HealSettingsRow {
  heal_enabled: boolean;
  heal_max_per_hour: number;
  heal_backoff_base_seconds: number;
  heal_backoff_max_seconds: number;
}

export async function loadHealPolicy(sql: Sql): Promise<HealPolicy> {
  const [s] = await sql<HealSettingsRow[]>`
    select heal_enabled, heal_max_per_hour, heal_backoff_base_seconds, heal_backoff_max_seconds
      from private.health_settings where id = 1`;
  if (!s) throw new Error("private.health_settings has no row: apply the migrations");
  return { enabled: s.heal_enabled, maxPerHour: s.heal_max_per_hour, backoffBaseSeconds: s.heal_backoff_base_seconds,
    backoffMaxSeconds: s.heal_backoff_max_seconds };
}

/** Heals recorded for each container in the hour before `at`. */
export async function healsInLastHour(sql: Sql, containerIds: readonly string[], at: Date): Promise<Map<string, number>> {
  if (containerIds.length === 0) return new Map();
  const rows = await sql<{ container_id: string; n: number }[]>`
    select container_id, count(*)::int as n from public.deployments
     where kind = 'heal' and container_id = any(${containerIds as string[]}::uuid[])
       and created_at > ${at}::timestamptz - interval '1 hour' and created_at <= ${at}
     group by container_id`;
  return new Map(rows.map((r) => [r.container_id, r.n]));
}

export interface HealRecord {
  container: ClaimedContainer;
  attempt: number;
  at: Date;
  /** null: the restart was accepted. */
  error: string | null;
}

/** One heal: a deployments row (kind 'heal') and its inform `container_healed`, in one transaction. */
export async function recordHeal(sql: Sql, h: HealRecord): Promise<string> {
  const c = h.container;
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into public.deployments (container_id, kind, image, provider, provider_deployment_id, status, error,
                                      requested_by, created_at, finished_at)
      values (${c.id}, 'heal', ${c.image}, 'railway', ${c.provider_deployment_id}, ${h.error ? "failed" : "succeeded"},
              ${h.error}, ${ORCHESTRATOR_ID}, ${h.at}, ${h.at})
      returning id`;
    const payload = {
      container_id: c.id, agent_id: c.agent_id, customer_id: c.customer_id, deployment_id: row!.id,
      provider_deployment_id: c.provider_deployment_id, action: "restart", attempt: h.attempt,
      outcome: h.error ? "failed" : "restarted", error: h.error, at: h.at.toISOString(),
    };
    await tx`insert into public.messages (type, sender, "to", intent, payload)
             values ('inform', ${ORCHESTRATOR_ID}, ${recipientsOf(c)}, 'container_healed', ${tx.json(payload as never)})`;
    return row!.id;
  }) as Promise<string>;
}
