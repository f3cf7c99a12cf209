import type { Sql, TransactionSql } from "postgres";
import { asRole } from "../setup/as-role.ts";

/** Helpers of the edge database tests: operators, enrolled devices and calls made with a device credential. */
/** Claims of a device administrator (create, enroll, revoke devices). */
export const OPERATOR = { role: "authenticated", operator: true, device_admin: true } as const;
/** Claims of the read-only dashboard: reads everything, manages nothing. */
export const READ_ONLY_OPERATOR = { role: "authenticated", operator: true } as const;
export const JWT_SECRET = "edge-test-jwt-secret-0123456789-abcdefghijklmnop";

export interface Credential { device_id: string; token: string; expires_at: string }

/** The claims of a JWT (not verified: PostgREST verifies signatures before SQL runs). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** Runs `work` as PostgREST would for a request carrying `token`. */
export function asDevice<T>(sql: Sql, token: string, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return asRole(sql, claimsOf(token), work);
}

export async function createDevice(sql: Sql, name: string, options: { labels?: Record<string, string>; architecture?: string; cpu?: number; memoryMb?: number } = {}) {
  const [row] = await asRole(sql, OPERATOR, (tx) => tx<{ r: { device_id: string; enrollment_token: string } }[]>`
    select public.create_device(${name}, ${tx.json(options.labels ?? {})}, ${options.architecture ?? null}, ${options.cpu ?? 2}, ${options.memoryMb ?? 1024}) as r`);
  return row!.r;
}

export async function exchange(sql: Sql, enrollmentToken: string): Promise<Credential> {
  const [row] = await asRole(sql, { role: "anon" }, (tx) => tx<{ r: Credential }[]>`select public.device_token_exchange(${enrollmentToken}) as r`);
  return row!.r;
}

/** A device created, enrolled and online (heartbeat sent, address reported). */
export async function onlineDevice(sql: Sql, name: string, options: Parameters<typeof createDevice>[2] = {}) {
  const created = await createDevice(sql, name, options);
  const credential = await exchange(sql, created.enrollment_token);
  await asDevice(sql, credential.token, (tx) => tx`select public.device_report(${tx.json(report(null, []) as never)})`);
  return { id: created.device_id, credential };
}

export function report(generation: number | null, containers: Record<string, unknown>[]) {
  return {
    agent_version: "0.1.0-test", generation, containers,
    device: { address: "127.0.0.1", architecture: "x86_64", cpu_count: 4, memory_mb: 4096 },
    timestamp: new Date(0).toISOString(),
  };
}

export function entry(containerId: string, state: string, extra: Record<string, unknown> = {}) {
  return {
    container_id: containerId, engine_id: state === "failed" ? null : "engine-1", state, health: state === "running" ? "healthy" : "unknown",
    engine_error: null, cpu_percent: state === "running" ? 12.5 : null, memory_mb: state === "running" ? 20 : null,
    started_at: state === "running" ? new Date(0).toISOString() : null, ...extra,
  };
}
