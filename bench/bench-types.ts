import type { BackgroundStack } from "../local/stack/background-stack.ts";

/**
 * A benchmark: runs against a stack started by bench/run.ts and returns its figures. `ok: false`
 * fails the run (e.g. a lost or duplicated request).
 */
export interface BenchContext {
  stack: BackgroundStack;
  projectRoot: string;
  /** `--key=value` arguments of `npm run bench`. */
  options: Record<string, string>;
  log: (line: string) => void;
}

export interface BenchResult {
  params: Record<string, number | string>;
  metrics: Record<string, number>;
  /** Rows of the printed table: [what, ours, peer?, …]; the first row is the header. */
  table: string[][];
  ok: boolean;
  notes?: string[];
}

export interface Bench {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export function numberOption(options: Record<string, string>, key: string, fallback: number): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${key} must be a positive number, got ${raw}`);
  return value;
}
