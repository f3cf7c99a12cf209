import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseEnv } from "node:util";

/**
 * The environment hosted Supabase gives an edge function (contracts §7.3), plus the variables of
 * the project's `.env` and `functions/.env` (later files win). SUPABASE_INTERNAL_* names are dropped.
 */
export async function functionEnvironment(
  projectRoot: string,
  platform: { SUPABASE_URL: string; SUPABASE_ANON_KEY: string; SUPABASE_SERVICE_ROLE_KEY: string; SUPABASE_DB_URL: string },
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const fromFiles: Record<string, string> = {};
  for (const file of [path.join(projectRoot, ".env"), path.join(projectRoot, "functions", ".env")]) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const [key, value] of Object.entries(parseEnv(text))) {
      if (value !== undefined && !key.startsWith("SUPABASE_INTERNAL_")) fromFiles[key] = value;
    }
  }
  return {
    ...fromFiles,
    ...extra,
    ...platform,
    DENO_DIR: path.join(projectRoot, ".local", "deno"),
    DENO_NO_UPDATE_CHECK: "1",
  };
}
