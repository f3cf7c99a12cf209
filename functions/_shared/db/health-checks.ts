import type { Sql } from "postgres";
import type { ProbeResult } from "../health/probe.ts";

/**
 * Records one health check and the container's resulting health: a `health_checks` row and the
 * container's `health`, `health_state`, `healthy_since`, `uptime` and last check time, in one statement.
 */
export async function recordCheck(sql: Sql, containerId: string, result: ProbeResult): Promise<{ health: boolean; healthState: string }> {
  const [row] = await sql<{ health: boolean; health_state: string }[]>`
    with check_row as (
      insert into public.health_checks (container_id, status, response_time, error_message)
      values (${containerId}, ${result.status}, ${result.responseTimeMs}, ${result.error})
    )
    update public.containers c
       set health = ${result.status !== "unhealthy"},
           health_state = ${result.status},
           healthy_since = case when ${result.status !== "unhealthy"} then coalesce(c.healthy_since, now()) else null end,
           uptime = case when ${result.status !== "unhealthy"}
                         then extract(epoch from now() - coalesce(c.healthy_since, now()))::int else 0 end,
           last_health_check_at = now()
     where c.id = ${containerId}
    returning c.health, c.health_state`;
  return { health: row?.health ?? false, healthState: row?.health_state ?? result.status };
}
