import type { Sql } from "postgres";

/**
 * Stores in Vault what the dispatch trigger needs to call the hosting-orchestrator function: its URL
 * and a key it accepts. On hosted Supabase an operator does the same once (README, "Deploying").
 */
export async function storeDispatchSecrets(sql: Sql, s: { functionUrl: string; key: string }): Promise<void> {
  for (const [name, value] of [["hosting_orchestrator_url", s.functionUrl], ["hosting_orchestrator_key", s.key]] as const) {
    const [existing] = await sql<{ id: string }[]>`select id from vault.secrets where name = ${name}`;
    if (existing) await sql`select vault.update_secret(${existing.id}, ${value})`;
    else await sql`select vault.create_secret(${value}, ${name}, 'hosting-orchestrator dispatch')`;
  }
}
