import { spawn } from "node:child_process";
import path from "node:path";
import { StackError } from "../cli/stack-error.ts";

/**
 * Applies migrations/ and seed.sql with the real Supabase CLI (`supabase db push --db-url`), exactly
 * as one would push to a hosted project. The CLI records what it applied in
 * supabase_migrations.schema_migrations (and seeds in supabase_migrations.seed_files), so a second
 * push applies nothing new.
 */
export async function pushMigrations(projectRoot: string, dbUrl: string, options: { seed: boolean }): Promise<string> {
  const bin = path.join(projectRoot, "node_modules", ".bin", "supabase");
  // The local cluster has no TLS; the CLI insists on it unless told.
  const url = dbUrl.includes("sslmode=") ? dbUrl : `${dbUrl}${dbUrl.includes("?") ? "&" : "?"}sslmode=disable`;
  const args = ["db", "push", "--db-url", url, "--workdir", projectRoot, "--yes", "--include-all"];
  if (options.seed) args.push("--include-seed");
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    child.once("error", (error) => reject(new StackError("db_push_failed", `cannot run the Supabase CLI: ${error.message}`)));
    child.once("exit", (code) => {
      if (code === 0) resolve(out);
      else reject(new StackError("db_push_failed", `supabase db push failed (exit ${code}):\n${out.trim()}`));
    });
  });
}
