import path from "node:path";
import { z } from "zod";

/**
 * Where the local stack lives and listens. Every value can be set by environment variable
 * (documented in .env.example); the defaults follow the Supabase CLI's ports.
 */
export interface StackConfig {
  /** The project checkout (holds migrations/, functions/, supabase/). */
  projectRoot: string;
  /** Gitignored folder holding the database cluster, keys and the running stack's state file. */
  stateDir: string;
  /** Interface every service binds to. Loopback only. */
  host: string;
  /** API gateway: /functions/v1, /rest/v1, /realtime/v1. Default 54321. */
  apiPort: number;
  /** PostgreSQL. Default 54322. */
  dbPort: number;
  /** Dashboard. Default 54323. */
  dashboardPort: number;
  /** Local Railway GraphQL API, started when no Railway token is configured. Default 54330. */
  railwayPort: number;
  /** Password of every login role of the local database (as the Supabase CLI: "postgres"). */
  dbPassword: string;
}

const port = z.coerce.number().int().min(0).max(65535);

const EnvSchema = z.object({
  LOCAL_STATE_DIR: z.string().min(1).optional(),
  LOCAL_API_PORT: port.default(54321),
  LOCAL_DB_PORT: port.default(54322),
  LOCAL_DASHBOARD_PORT: port.default(54323),
  LOCAL_RAILWAY_PORT: port.default(54330),
});

export function stackConfigFromEnv(env: Record<string, string | undefined>, projectRoot: string): StackConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid local stack configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    projectRoot,
    stateDir: path.resolve(projectRoot, e.LOCAL_STATE_DIR ?? ".local/stack"),
    host: "127.0.0.1",
    apiPort: e.LOCAL_API_PORT,
    dbPort: e.LOCAL_DB_PORT,
    dashboardPort: e.LOCAL_DASHBOARD_PORT,
    railwayPort: e.LOCAL_RAILWAY_PORT,
    dbPassword: "postgres",
  };
}

export function dbUrl(config: StackConfig, user = "postgres", database = "postgres"): string {
  return `postgresql://${user}:${encodeURIComponent(config.dbPassword)}@${config.host}:${config.dbPort}/${database}`;
}

export function apiUrl(config: StackConfig): string {
  return `http://${config.host}:${config.apiPort}`;
}
