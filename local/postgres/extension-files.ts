import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { StackError } from "../cli/stack-error.ts";
import { PG_SHARE } from "./system-packages.ts";

/**
 * Installs the local stand-ins of hosted Supabase's extensions (pg_net, supabase_vault) into
 * PostgreSQL's extension folder, so `create extension pg_net` works as it does on hosted Supabase.
 * Rewrites a file only when its content differs.
 */
export async function installExtensionFiles(sourceDir: string, shareDir = PG_SHARE): Promise<string[]> {
  const target = path.join(shareDir, "extension");
  const written: string[] = [];
  for (const name of await readdir(sourceDir)) {
    if (!/\.(control|sql)$/.test(name)) continue;
    const content = await readFile(path.join(sourceDir, name), "utf8");
    const dest = path.join(target, name);
    const current = await readFile(dest, "utf8").catch(() => undefined);
    if (current === content) continue;
    try {
      await writeFile(dest, content);
    } catch (cause) {
      throw new StackError(
        "extension_install_failed",
        `cannot write ${dest} (${(cause as Error).message}); run once as root, or copy ${sourceDir}/* there`,
        { cause },
      );
    }
    written.push(name);
  }
  return written;
}
