import path from "node:path";
import type { TestProject } from "vitest/node";
import { startBackgroundStack } from "../../local/stack/background-stack.ts";
import type { StackInfo } from "../../local/stack/state-file.ts";

/**
 * Global setup of the `stack` test project: starts one local stack for the whole run, through the
 * same CLI a developer uses, in a fresh temporary folder and on ports of its own — TEST_PORT_BASE
 * (default 55321) for the API, +1 for the database — so a developer's `npm start` stack on 54321 is
 * never touched. Tests read its URLs and keys with `inject("stack")`. The folder is removed
 * afterwards unless KEEP_TEST_STACK=1 (then its path, with stack.log and postgres.log, is printed).
 */
declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo & { stateDir: string; projectRoot: string; dbPort: number; apiPort: number };
  }
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startBackgroundStack({ projectRoot: root, portBase: Number(process.env.TEST_PORT_BASE ?? 55321) });
  project.provide("stack", { ...stack.info, stateDir: stack.stateDir, projectRoot: root, dbPort: stack.ports.db, apiPort: stack.ports.api });
  return async () => {
    const keep = process.env.KEEP_TEST_STACK === "1";
    await stack.stop({ keep });
    if (keep) process.stderr.write(`test stack kept in ${stack.stateDir}\n`);
  };
}
