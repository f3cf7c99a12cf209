import type { Sql } from "postgres";
import type { ClaimedContainer } from "../sweep/types.ts";

/**
 * Claims of the health sweep (private.claim_health_checks / claim_health_check): leased containers,
 * released again by the batch write (db/health-writes.ts) or by the lease running out.
 */
/** Leases up to `batchSize` containers due for a check at `at` (FOR UPDATE SKIP LOCKED). */
export async function claimDueContainers(sql: Sql, batchSize: number, at: Date): Promise<ClaimedContainer[]> {
  return [...await sql<ClaimedContainer[]>`select * from private.claim_health_checks(${batchSize}, ${at})`];
}

/** Leases one container for an on-demand check; undefined when a sweep holds it right now. */
export async function claimContainer(sql: Sql, containerId: string, at: Date): Promise<ClaimedContainer | undefined> {
  const [row] = await sql<ClaimedContainer[]>`select * from private.claim_health_check(${containerId}, ${at})`;
  return row;
}

/** Gives a lease back without a check (e.g. the container has no health URL any more). */
export async function releaseClaims(sql: Sql, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`update public.containers set health_claimed_until = null where id = any(${ids as string[]}::uuid[])`;
}
