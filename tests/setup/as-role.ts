import type { Sql, TransactionSql } from "postgres";

/**
 * Runs `work` in one transaction as PostgREST would for a request: the API role switched on and the
 * JWT claims set, so RLS and auth.jwt() see exactly what they see for a real request.
 */
export async function asRole<T>(sql: Sql, claims: Record<string, unknown>, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await tx.unsafe(`set local role ${claims.role === "service_role" ? "service_role" : claims.role === "anon" ? "anon" : "authenticated"}`);
    return work(tx);
  }) as Promise<T>;
}

export const agentClaims = (agentId: string) => ({ role: "authenticated", agent_id: agentId });
