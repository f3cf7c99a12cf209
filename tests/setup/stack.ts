import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { readRunningStack, type StackInfo } from "../../local/stack/state-file.ts";

/**
 * Global setup of the `stack` test project: starts one local stack for the whole run, through the
 * same CLI a developer uses (`local/cli/main.ts start`), in a fresh temporary state folder and on
 * ports of its own (55321…), so a developer's `npm start` stack on 54321 is never touched.
 * Tests read its URLs and keys with `inject("stack")`. The state folder is removed afterwards,
 * unless KEEP_TEST_STACK=1 (then its path and postgres.log are kept for inspection).
 */
declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo & { stateDir: string; projectRoot: string; dbPort: number; apiPort: number };
  }
}

/** Ports of the test stack: TEST_PORT_BASE (default 55321) and the next ones, so parallel runs can coexist. */
const base = Number(process.env.TEST_PORT_BASE ?? 55321);
export const TEST_PORTS = { api: base, db: base + 1, dashboard: base + 2, railway: base + 9 };

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "ho-test-stack-"));
  const env = {
    ...process.env,
    LOCAL_STATE_DIR: stateDir,
    LOCAL_API_PORT: String(TEST_PORTS.api),
    LOCAL_DB_PORT: String(TEST_PORTS.db),
    LOCAL_DASHBOARD_PORT: String(TEST_PORTS.dashboard),
    LOCAL_RAILWAY_PORT: String(TEST_PORTS.railway),
  };
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "local/cli/main.ts"), "start"], {
    cwd: root, env, stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 170_000;
  let info: StackInfo | undefined;
  while (!info) {
    const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    if (done) throw new Error(`the test stack exited while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the test stack did not start in time:\n${output}`);
    }
    info = readRunningStack(stateDir);
  }
  project.provide("stack", { ...info, stateDir, projectRoot: root, dbPort: TEST_PORTS.db, apiPort: TEST_PORTS.api });

  return async () => {
    child.kill("SIGTERM");
    await exited;
    if (process.env.KEEP_TEST_STACK === "1") {
      process.stderr.write(`test stack kept in ${stateDir}\n`);
      return;
    }
    const log = await readFile(path.join(stateDir, "postgres.log"), "utf8").catch(() => "");
    if (/PANIC|FATAL:  the database system is shutting down/.test(log)) process.stderr.write(log.slice(-4000));
    await rm(stateDir, { recursive: true, force: true });
  };
}
