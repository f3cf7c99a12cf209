import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "../log/logger.ts";

/**
 * One edge function running in its own Deno process (local/functions/deno-worker.ts).
 * `ready` resolves with the loopback port once the function called Deno.serve, or rejects with the
 * boot error (the module threw at top level, or never served).
 */
export interface FunctionProcess {
  ready: Promise<number>;
  /** True once the process has exited; a new one must be started. */
  readonly exited: boolean;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  denoBin: string;
  denoConfig: string;
  workerPath: string;
  name: string;
  entrypoint: string;
  env: Record<string, string>;
  cwd: string;
  log: Logger;
}

export function spawnFunctionProcess(o: SpawnOptions): FunctionProcess {
  const child: ChildProcess = spawn(
    o.denoBin,
    ["run", "--quiet", `--config=${o.denoConfig}`, "--allow-net", "--allow-env", "--allow-read", "--allow-sys",
     "--no-prompt", o.workerPath],
    {
      cwd: o.cwd,
      env: { ...o.env, LOCAL_FUNCTION_ENTRY: o.entrypoint, LOCAL_FUNCTION_NAME: o.name },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let exited = false;
  let stderrTail = "";
  const exit = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));
  // Deno could not be started at all: the process never runs, so it counts as exited.
  child.once("error", (error) => {
    stderrTail += `cannot start deno: ${error.message}\n`;
    exited = true;
    child.emit("exit", null, null);
  });

  const ready = new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith('{"event":"listening"')) {
        resolve((JSON.parse(line) as { port: number }).port);
        return;
      }
      o.log.info("function output", { function: o.name, line: line.slice(0, 2000) });
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderrTail = (stderrTail + line + "\n").slice(-4000);
      o.log.warn("function stderr", { function: o.name, line: line.slice(0, 2000) });
    });
    void exit.then(() => reject(new Error(stderrTail.trim() || `the ${o.name} worker exited before serving`)));
  });
  ready.catch(() => {}); // observed by callers; avoid an unhandled rejection when nobody waits

  return {
    ready,
    get exited() { return exited; },
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
