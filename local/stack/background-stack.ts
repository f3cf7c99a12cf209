import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readRunningStack, type StackInfo } from "./state-file.ts";

/**
 * A whole local stack started in the background through the same CLI a developer uses
 * (`local/cli/main.ts start`), in a fresh temporary state folder and on ports of its own
 * (`portBase` for the API, +1 database, +2 dashboard, +9 local Railway). Used by the test setup and
 * the benchmarks. Its output goes to `<stateDir>/stack.log`.
 */
export interface BackgroundStack {
  info: StackInfo;
  stateDir: string;
  ports: { api: number; db: number; dashboard: number; railway: number };
  /** Stops the stack; removes its folder unless `keep`. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

export async function startBackgroundStack(o: { projectRoot: string; portBase: number; env?: Record<string, string>; timeoutMs?: number }): Promise<BackgroundStack> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "ho-stack-"));
  await chmod(stateDir, 0o755);
  const ports = { api: o.portBase, db: o.portBase + 1, dashboard: o.portBase + 2, railway: o.portBase + 9 };
  const logFile = path.join(stateDir, "stack.log");
  const log = await open(logFile, "a");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(o.projectRoot, "local/cli/main.ts"), "start"], {
    cwd: o.projectRoot,
    env: {
      ...process.env,
      ...o.env,
      LOCAL_STATE_DIR: stateDir,
      LOCAL_API_PORT: String(ports.api),
      LOCAL_DB_PORT: String(ports.db),
      LOCAL_DASHBOARD_PORT: String(ports.dashboard),
      LOCAL_RAILWAY_PORT: String(ports.railway),
    },
    stdio: ["ignore", log.fd, log.fd],
  });
  await log.close();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const output = () => readFile(logFile, "utf8").catch(() => "");

  const deadline = Date.now() + (o.timeoutMs ?? 170_000);
  let info: StackInfo | undefined;
  while (!info) {
    const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    if (done) throw new Error(`the stack exited while starting:\n${await output()}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the stack did not start in time:\n${await output()}`);
    }
    info = readRunningStack(stateDir);
  }
  return {
    info,
    stateDir,
    ports,
    async stop(options = {}) {
      child.kill("SIGTERM");
      await exited;
      if (!options.keep) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
