import { spawnSync } from "node:child_process";
import path from "node:path";
import { StackError } from "../cli/stack-error.ts";
import { PG_BIN } from "./system-packages.ts";

/**
 * The migrated schema as committed in supabase/schema.sql: pg_dump of the project's own schemas
 * (public, private), without the dump's version banner, SET lines and blank-line runs, so the file
 * changes only when a migration changes the schema. A test compares it with a fresh database, so
 * every review shows the net effect of a migration.
 */
export const SNAPSHOT_SCHEMAS = ["public", "private"];

export function normalizeDump(dump: string): string {
  return dump
    .split("\n")
    .filter((line) => !line.startsWith("--") && !/^SET |^SELECT pg_catalog\.set_config/.test(line) && !line.startsWith("\\restrict") && !line.startsWith("\\unrestrict"))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim() + "\n";
}

export function dumpSchema(dbUrl: string): string {
  const result = spawnSync(path.join(PG_BIN, "pg_dump"), ["--schema-only", "--no-owner", ...SNAPSHOT_SCHEMAS.flatMap((s) => ["-n", s]), dbUrl], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new StackError("schema_dump_failed", `pg_dump failed: ${result.stderr.trim()}`);
  return normalizeDump(result.stdout);
}
