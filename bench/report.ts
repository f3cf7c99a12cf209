import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BenchResult } from "./bench-types.ts";

/** The printed markdown table and the JSON file `bench/results/<name>.json` of one benchmark. */
export function machine() {
  return {
    cores: os.cpus().length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
  };
}

function commit(root: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function markdown(name: string, result: BenchResult): string {
  const [header, ...rows] = result.table;
  if (!header) return `### ${name}\n(no figures)\n`;
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${name}`,
    "",
    line(header),
    line(header.map(() => "---")),
    ...rows.map(line),
    "",
    `params: ${Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(", ")}`,
    ...(result.notes ?? []).map((n) => `note: ${n}`),
    "",
  ].join("\n");
}

export async function writeResult(root: string, name: string, result: BenchResult): Promise<string> {
  const dir = path.join(root, "bench", "results");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({
    name, commit: commit(root), date: new Date().toISOString(), machine: machine(),
    params: result.params, metrics: result.metrics, ok: result.ok,
  }, null, 2) + "\n");
  return file;
}
