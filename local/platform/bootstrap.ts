import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { StackError } from "../cli/stack-error.ts";
import type { StackConfig } from "../config/stack-config.ts";
import { PG_BIN } from "../postgres/system-packages.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PLATFORM_SQL_DIR = path.join(here, "sql");
export const PLATFORM_EXTENSIONS_DIR = path.join(here, "extensions");

/**
 * Creates the Supabase platform layer (roles, schemas, auth helpers, Realtime, pg_net, Vault) in one
 * database, as the bootstrap superuser. Idempotent: it runs on every start, before migrations, so a
 * platform change reaches an existing cluster.
 */
export async function bootstrapPlatform(config: StackConfig, database = "postgres"): Promise<void> {
  const files = (await readdir(PLATFORM_SQL_DIR)).filter((f) => f.endsWith(".sql")).sort();
  const args = [
    "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", `password=${config.dbPassword}`,
    "-h", config.host, "-p", String(config.dbPort), "-U", "supabase_admin", "-d", database,
    "-c", "set client_min_messages = warning",
    ...files.flatMap((f) => ["-f", path.join(PLATFORM_SQL_DIR, f)]),
  ];
  const result = spawnSync(path.join(PG_BIN, "psql"), args, {
    encoding: "utf8",
    env: { ...process.env, PGPASSWORD: config.dbPassword },
  });
  if (result.status !== 0) {
    throw new StackError("platform_bootstrap_failed", `creating the platform schemas failed:\n${result.stderr.trim()}`);
  }
}
