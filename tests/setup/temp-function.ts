import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { stack } from "./clients.ts";

/**
 * A throw-away edge function written into functions/tmp-test-<random>/ (gitignored) while the stack
 * runs, from a fixture in tests/fixtures/functions/. The stack picks it up without a restart.
 */
export interface TempFunction {
  name: string;
  url: string;
  /** Rewrites the function's source (the fixture with __VERSION__ replaced). */
  write(version: string): Promise<void>;
  remove(): Promise<void>;
}

export async function createTempFunction(fixture: string): Promise<TempFunction> {
  const s = stack();
  const name = `tmp-test-${randomBytes(4).toString("hex")}`;
  const dir = path.join(s.projectRoot, "functions", name);
  const source = await readFile(path.join(s.projectRoot, "tests", "fixtures", "functions", fixture), "utf8");
  await mkdir(dir, { recursive: true });
  const fn: TempFunction = {
    name,
    url: `${s.apiUrl}/functions/v1/${name}`,
    write: (version) => writeFile(path.join(dir, "index.ts"), source.replaceAll("__VERSION__", version)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await fn.write("1");
  return fn;
}
