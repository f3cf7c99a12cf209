import type { Sql } from "postgres";
import { ORCHESTRATOR_ID } from "../protocol/glossary.ts";
import { type DecidedOutcome, recipientsOf } from "../sweep/types.ts";

/**
 * The batch write of the health sweep, in ONE transaction: a multi-row insert of health_checks, one
 * update of every checked container (state, usage, heal backoff, attention; the lease released) and
 * the informs of every state change. A state change and its inform commit together, so each change
 * is announced exactly once.
 */
interface Inform {
  to: string[];
  intent: string;
  payload: Record<string, unknown>;
}

function informsOf(outcomes: readonly DecidedOutcome[]): Inform[] {
  const informs: Inform[] = [];
  for (const o of outcomes) {
    const c = o.container;
    const who = { container_id: c.id, agent_id: c.agent_id, customer_id: c.customer_id };
    if (o.step.changed) {
      informs.push({
        to: recipientsOf(c),
        intent: "health_changed",
        payload: { ...who, old: o.step.previous, new: o.step.state, last_error: o.step.passed ? null : o.probe.error,
          response_time: o.probe.responseTimeMs, checked_at: o.at.toISOString() },
      });
    }
    if (o.heal.action === "attention") {
      informs.push({ to: recipientsOf(c), intent: "container_needs_attention",
        payload: { ...who, reason: o.heal.reason, last_error: o.probe.error, since: o.at.toISOString() } });
    }
  }
  return informs;
}

/**
 * Writes one batch; returns the ids of the containers still live when it committed. A container
 * undeployed while it was being checked keeps its check row but gets no health update, no inform
 * and (the caller) no restart.
 */
export async function writeOutcomes(sql: Sql, outcomes: readonly DecidedOutcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const checks = outcomes.map((o) => ({
    container_id: o.container.id,
    status: o.step.checkStatus,
    response_time: o.probe.responseTimeMs,
    load: o.load,
    error_message: o.probe.error,
    checked_at: o.at.toISOString(),
  }));
  const updates = outcomes.map((o) => ({
    id: o.container.id,
    health: o.step.passed,
    health_state: o.step.state,
    healthy_since: o.step.healthySince?.toISOString() ?? null,
    uptime: o.step.uptimeSeconds,
    failures: o.step.consecutiveFailures,
    last_error: o.step.passed ? null : o.probe.error,
    checked_at: o.at.toISOString(),
    cpu: o.usage?.cpu ?? null,
    memory: o.usage?.memoryGB ?? null,
    usage_at: o.usage?.at.toISOString() ?? null,
    load: o.load,
    next_heal_at: o.heal.action === "restart" ? o.heal.nextHealAt.toISOString() : null,
    attention: o.heal.action === "attention" ? "set" : o.step.state === "healthy" ? "clear" : null,
    attention_reason: o.heal.action === "attention" ? o.heal.reason : null,
  }));
  return sql.begin(async (tx) => {
    await tx`
      insert into public.health_checks (container_id, status, response_time, load, error_message, checked_at)
      select container_id, status, response_time, load, error_message, checked_at
        from jsonb_to_recordset(${tx.json(checks as never)}::jsonb)
          as v(container_id uuid, status text, response_time integer, load real, error_message text, checked_at timestamptz)`;
    const updated = await tx<{ id: string }[]>`
      update public.containers c
         set health = v.health,
             health_state = v.health_state,
             healthy_since = v.healthy_since,
             uptime = v.uptime,
             health_consecutive_failures = v.failures,
             health_last_error = v.last_error,
             last_health_check_at = v.checked_at,
             health_claimed_until = null,
             cpu_usage = coalesce(v.cpu, c.cpu_usage),
             memory_usage = coalesce(v.memory, c.memory_usage),
             usage_updated_at = coalesce(v.usage_at, c.usage_updated_at),
             load = coalesce(v.load, c.load),
             next_heal_at = coalesce(v.next_heal_at, c.next_heal_at),
             needs_attention = case v.attention when 'set' then true when 'clear' then false else c.needs_attention end,
             attention_reason = case v.attention when 'set' then v.attention_reason when 'clear' then null else c.attention_reason end,
             attention_since = case v.attention when 'set' then coalesce(c.attention_since, v.checked_at)
                                                when 'clear' then null else c.attention_since end
        from jsonb_to_recordset(${tx.json(updates as never)}::jsonb)
          as v(id uuid, health boolean, health_state text, healthy_since timestamptz, uptime integer, failures integer,
               last_error text, checked_at timestamptz, cpu real, memory real, usage_at timestamptz, load real,
               next_heal_at timestamptz, attention text, attention_reason text)
       where c.id = v.id and c.status in ('running', 'crashed')
      returning c.id`;
    const live = new Set(updated.map((r) => r.id));
    const informs = informsOf(outcomes.filter((o) => live.has(o.container.id)));
    if (informs.length > 0) {
      await tx`
        insert into public.messages (type, sender, "to", intent, payload)
        select 'inform', ${ORCHESTRATOR_ID}, array(select jsonb_array_elements_text(m -> 'to')), m ->> 'intent', m -> 'payload'
          from jsonb_array_elements(${tx.json(informs as never)}::jsonb) as m`;
    }
    return live;
  });
}
