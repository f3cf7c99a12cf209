import type { Sql } from "postgres";

/**
 * Stores in Vault what the dispatch trigger needs to call the hosting-orchestrator function: its URL
 * and a key it accepts. On hosted Supabase an operator does the same once (README, "Deploying").
 */
export async function storeDispatchSecrets(sql: Sql, s: { functionUrl: string; key: string }): Promise<void> {
  await storeVaultSecret(sql, "hosting_orchestrator_url", s.functionUrl, "hosting-orchestrator dispatch");
  await storeVaultSecret(sql, "hosting_orchestrator_key", s.key, "hosting-orchestrator dispatch");
}

/**
 * Stores the project's JWT secret in Vault as `project_jwt_secret`, so SQL can sign device credentials
 * (migration 20261204204000_edge_devices.sql). On hosted Supabase an operator does the same once:
 * `select vault.create_secret('<jwt secret>', 'project_jwt_secret');`
 */
export async function storeProjectJwtSecret(sql: Sql, jwtSecret: string): Promise<void> {
  await storeVaultSecret(sql, "project_jwt_secret", jwtSecret, "signs edge device credentials");
}

/** Creates or replaces one named Vault secret. */
export async function storeVaultSecret(sql: Sql, name: string, value: string, description: string): Promise<void> {
  const [existing] = await sql<{ id: string }[]>`select id from vault.secrets where name = ${name}`;
  if (existing) await sql`select vault.update_secret(${existing.id}, ${value})`;
  else await sql`select vault.create_secret(${value}, ${name}, ${description})`;
}
