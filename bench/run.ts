import path from "node:path";
import { startBackgroundStack } from "../local/stack/background-stack.ts";
import type { Bench, BenchResult } from "./bench-types.ts";
import { dispatchPeer } from "./dispatch-peer.ts";
import { e2eLatency } from "./e2e-latency.ts";
import { e2eThroughput } from "./e2e-throughput.ts";
import { healthSweep } from "./health-sweep.ts";
import { markdown, machine, writeResult } from "./report.ts";
import { realtimeFanout } from "./realtime-fanout.ts";
import { restSelect } from "./rest-select.ts";

/**
 * `npm run bench [-- <name>…] [--key=value…]`: starts a local stack of its own (ports from
 * BENCH_PORT_BASE, default 59321), runs the named benchmarks (all by default) one after another,
 * prints a markdown table each and writes bench/results/<name>.json. Exits 1 if a benchmark's own
 * check failed (e.g. a lost request).
 */
const benches: Bench[] = [e2eLatency, e2eThroughput, dispatchPeer, restSelect, realtimeFanout, healthSweep];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith("--"));
  const options = Object.fromEntries(args.filter((a) => a.startsWith("--")).map((a) => {
    const [k, v] = a.slice(2).split("=");
    return [k!, v ?? "true"];
  }));
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(", ")}; known: ${benches.map((b) => b.name).join(", ")}\n`);
    return 2;
  }
  const selected = names.length ? benches.filter((b) => names.includes(b.name)) : benches;
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`starting a local stack for the benchmarks…`);
  const stack = await startBackgroundStack({ projectRoot: root, portBase: Number(process.env.BENCH_PORT_BASE ?? 59321) });
  let failed = false;
  try {
    const m = machine();
    process.stdout.write(`## Benchmarks (${m.cores} cores, ${m.memory_gb} GiB, ${m.cpu}, node ${m.node})\n\n`);
    for (const bench of selected) {
      let result: BenchResult;
      try {
        result = await bench.run({ stack, projectRoot: root, options, log });
      } catch (error) {
        log(`${bench.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
        failed = true;
        continue;
      }
      process.stdout.write(markdown(bench.name, result) + "\n");
      const file = await writeResult(root, bench.name, result);
      log(`${bench.name}: ${result.ok ? "ok" : "CHECK FAILED"} (${path.relative(root, file)})`);
      failed ||= !result.ok;
    }
  } finally {
    await stack.stop({ keep: process.env.KEEP_BENCH_STACK === "1" });
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
