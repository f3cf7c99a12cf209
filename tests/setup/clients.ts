import { inject } from "vitest";
import postgres, { type Sql } from "postgres";

/** Helpers for tests of the `stack` project: connections to the stack started by tests/setup/stack.ts. */
export function stack() {
  return inject("stack");
}

/** A connection to the stack's database as `postgres` (or another login role). Close it in afterAll. */
export function connect(options: { user?: string; database?: string; max?: number } = {}): Sql {
  const s = stack();
  return postgres({
    host: "127.0.0.1",
    port: s.dbPort,
    user: options.user ?? "postgres",
    password: "postgres",
    database: options.database ?? "postgres",
    max: options.max ?? 4,
    onnotice: () => {},
  });
}

/** Waits until `check` returns a value other than undefined, polling every `everyMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, options: { timeoutMs?: number; everyMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? "a condition"}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 50));
  }
}

/** The single row of a query that must return exactly one. */
export async function one<T>(rows: Promise<readonly T[]>): Promise<T> {
  const result = await rows;
  if (result.length !== 1) throw new Error(`expected one row, got ${result.length}`);
  return result[0]!;
}
