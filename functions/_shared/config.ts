import { z } from "zod";

/**
 * The orchestrator function's configuration, read once from its environment (hosted Supabase:
 * `supabase secrets set`; locally: .env plus what `npm start` provides). Each variable's type and
 * default is declared here only; .env.example documents them. Railway's variables are read by
 * railway/config.ts.
 */
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const OrchestratorConfig = z.object({
  /** Postgres connection string (set by Supabase for every function). */
  SUPABASE_DB_URL: z.string().min(1, "SUPABASE_DB_URL is required"),
  /** Connections the function may open. Default 20: a deploy holds one while Railway is called, and the health sweep needs its own. */
  ORCHESTRATOR_DB_POOL: z.coerce.number().int().min(1).max(100).default(20),
  /** Requests processed at once by one drain. Default 10 (on 2 cores, more only adds contention: bench dispatch-peer). */
  ORCHESTRATOR_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(10),
  /** Health checks: give up after this many milliseconds. Default 5000. */
  HEALTH_TIMEOUT_MS: ms(5000),
  /** Health checks: slower than this (but 2xx) is `degraded`. Default 2000. */
  HEALTH_DEGRADED_MS: ms(2000),
  /** Health checks may call loopback addresses (local development only). Default false. */
  HEALTH_ALLOW_LOOPBACK: flag.default(false),
  /** Health checks may call private (RFC 1918) addresses, e.g. edge devices on a LAN. Default false. */
  HEALTH_ALLOW_PRIVATE: flag.default(false),
  // health sweep (docs/health.md); its database-side policy lives in private.health_settings
  /** Health sweep: checks in flight at once. Default 200. */
  HEALTH_SWEEP_CONCURRENCY: z.coerce.number().int().min(1).max(2000).default(200),
  /** Health sweep: containers claimed (leased) per claim query. Default 500. */
  HEALTH_SWEEP_CLAIM_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  /** Health sweep: checks recorded per write transaction. Default 500. */
  HEALTH_SWEEP_WRITE_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  /** Health sweep: no new claims after this many milliseconds; the rest waits for the next sweep. Default 25000. */
  HEALTH_SWEEP_MAX_MS: ms(25_000),
});
export type OrchestratorConfig = z.infer<typeof OrchestratorConfig>;

export function loadOrchestratorConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  const parsed = OrchestratorConfig.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    throw new Error(`invalid orchestrator configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
