import { readFileSync, existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/** What a running stack tells other commands (`status`, `stop`, the tests): written at start, removed at stop. */
export const StackInfo = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  apiUrl: z.string(),
  dbUrl: z.string(),
  dashboardUrl: z.string(),
  railwayUrl: z.string().optional(),
  railwayControlUrl: z.string().optional(),
  anonKey: z.string(),
  serviceRoleKey: z.string(),
  jwtSecret: z.string(),
});
export type StackInfo = z.infer<typeof StackInfo>;

export function stateFilePath(stateDir: string): string {
  return path.join(stateDir, "stack.json");
}

/** True while the process runs. A zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** The running stack, or undefined when none runs (a stale file of a dead stack counts as none). */
export function readRunningStack(stateDir: string): StackInfo | undefined {
  const file = stateFilePath(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = StackInfo.parse(JSON.parse(readFileSync(file, "utf8")));
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStackInfo(stateDir: string, info: StackInfo): Promise<void> {
  await writeFile(stateFilePath(stateDir), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
}

export async function removeStackInfo(stateDir: string): Promise<void> {
  await rm(stateFilePath(stateDir), { force: true });
}
