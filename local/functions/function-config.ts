import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";

/**
 * Edge functions as the Supabase CLI finds them: every folder of functions/ not starting with "_"
 * that has an entrypoint, with `[functions.<name>]` settings from supabase/config.toml
 * (paths there are relative to supabase/; verify_jwt defaults to true).
 */
export interface FunctionSpec {
  name: string;
  /** Absolute path of the entry module. */
  entrypoint: string;
  verifyJwt: boolean;
}

const FunctionSection = z.object({
  enabled: z.boolean().default(true),
  verify_jwt: z.boolean().default(true),
  entrypoint: z.string().optional(),
});
const ConfigToml = z.object({ functions: z.record(z.string(), FunctionSection).default({}) }).passthrough();

export async function loadFunctionSpecs(projectRoot: string): Promise<Map<string, FunctionSpec>> {
  const supabaseDir = path.join(projectRoot, "supabase");
  const functionsDir = path.join(projectRoot, "functions");
  const configText = await readFile(path.join(supabaseDir, "config.toml"), "utf8").catch(() => "");
  const config = ConfigToml.parse(configText ? parse(configText) : {});
  const specs = new Map<string, FunctionSpec>();
  const folders = await readdir(functionsDir, { withFileTypes: true }).catch(() => []);
  for (const folder of folders) {
    if (!folder.isDirectory() || folder.name.startsWith("_") || folder.name.startsWith(".")) continue;
    const section = FunctionSection.parse(config.functions[folder.name] ?? {});
    if (!section.enabled) continue;
    const entrypoint = section.entrypoint
      ? path.resolve(supabaseDir, section.entrypoint)
      : path.join(functionsDir, folder.name, "index.ts");
    if (!existsSync(entrypoint)) continue;
    specs.set(folder.name, { name: folder.name, entrypoint, verifyJwt: section.verify_jwt });
  }
  return specs;
}
