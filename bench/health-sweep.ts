/**
 * Health sweep benchmark: 10,000 containers whose health endpoints are served by one local HTTP
 * server (a child process, so it has a core of its own), swept by the real sweep code
 * (functions/_shared/sweep/sweeper.ts: claims, probes with the SSRF guard and timeout, batch writes,
 * informs) against a fresh database of the local stack — next to the same 10,000 GETs made by a bare
 * `fetch` loop at the same concurrency in the same run (the ceiling).
 *
 *   node --import tsx bench/health-sweep.ts                  # uses the running stack (npm start) or starts one
 *   LOCAL_STATE_DIR=/path/to/state node --import tsx bench/health-sweep.ts
 *
 * Settings (env): BENCH_CONTAINERS (10000), BENCH_CONCURRENCY (200), BENCH_PORT_BASE (57321, for a
 * stack of its own when none runs). Sweep 1 is the first sweep (every container goes unknown →
 * healthy: one inform each); sweep 2 is the steady state (no state changes). Both are measured.
 * Writes bench/results/health-sweep.json.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres, { type Sql } from "postgres";
import { probeHealth, type ProbeResult } from "../functions/_shared/health/probe.ts";
import { silentLog } from "../functions/_shared/log.ts";
import { createHealthSweeper, type SweepReport } from "../functions/_shared/sweep/sweeper.ts";
import { stackConfigFromEnv } from "../local/config/stack-config.ts";
import { bootstrapPlatform } from "../local/platform/bootstrap.ts";
import { pushMigrations } from "../local/postgres/db-push.ts";
import { maintainMessagePartitions } from "../local/realtime/partitions.ts";
import { startBackgroundStack, type BackgroundStack } from "../local/stack/background-stack.ts";
import { readRunningStack, type StackInfo } from "../local/stack/state-file.ts";

const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const TIMEOUT_MS = 5000;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

interface Phase {
  name: string;
  checks: number;
  seconds: number;
  checksPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMB: number;
  failures: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Samples RSS every 20 ms while `work` runs; returns its result and the peak. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakRssMB: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** One HTTP server for every health endpoint, in a child process. */
async function startHealthServer(): Promise<{ port: number; stop: () => void }> {
  const code = `const s = require("node:http").createServer((q, r) => { r.writeHead(200, {"content-type": "application/json"}); r.end('{"status":"ok"}'); });
    s.keepAliveTimeout = 60000; s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", (c) => reject(new Error(`health server exited (${c})`)));
  });
  return { port, stop: () => { child.kill("SIGTERM"); } };
}

async function freshDatabase(info: StackInfo, stateDir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = new URL(info.dbUrl);
  const name = `bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres({ host: db.hostname, port: Number(db.port), user: "supabase_admin", password: "postgres", database: "postgres", max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const config = stackConfigFromEnv({ LOCAL_STATE_DIR: stateDir, LOCAL_DB_PORT: db.port, LOCAL_API_PORT: new URL(info.apiUrl).port }, root);
  await bootstrapPlatform(config, name);
  const url = `postgresql://postgres:postgres@${db.hostname}:${db.port}/${name}`;
  await pushMigrations(root, url, { seed: false });
  const partitions = postgres({ host: db.hostname, port: Number(db.port), user: "supabase_admin", password: "postgres", database: name, max: 1, onnotice: () => {} });
  await maintainMessagePartitions(partitions);
  await partitions.end();
  return { url, drop: async () => { await admin.unsafe(`drop database if exists ${name} with (force)`); await admin.end(); } };
}

async function insertContainers(sql: Sql, port: number): Promise<string[]> {
  const urls: string[] = [];
  for (let start = 0; start < CONTAINERS; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, CONTAINERS - start) }, (_, k) => {
      const i = start + k;
      const url = `http://127.0.0.1:${port}/c/${i}/health`;
      urls.push(url);
      return { agent_id: `agent.bench.a${i}`, customer_id: `c${i}`, target_type: "edge", owner_agent_id: "agent.bench.owner",
        image: "bench:1", status: "running", health_url: url };
    });
    await sql`insert into public.containers ${sql(rows as never)}`;
  }
  return urls;
}

/** The ceiling: the same GETs with a bare fetch loop, same concurrency, body read. */
async function bareLoop(urls: string[]): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const { peakRssMB } = await withPeakRss(async () => {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        const t = performance.now();
        try {
          const r = await fetch(url);
          await r.text();
          if (!r.ok) failures++;
        } catch {
          failures++;
        }
        latencies.push(performance.now() - t);
      }
    }));
  });
  return summarize("bare fetch loop (ceiling)", latencies, performance.now() - started, peakRssMB, failures);
}

function summarize(name: string, latencies: number[], ms: number, peakRssMB: number, failures: number): Phase {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { name, checks: latencies.length, seconds: ms / 1000, checksPerSecond: latencies.length / (ms / 1000),
    p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), peakRssMB, failures };
}

async function sweepPhase(name: string, sql: Sql, now: () => Date): Promise<Phase & { report: SweepReport }> {
  const latencies: number[] = [];
  const probe = async (url: string): Promise<ProbeResult> => {
    const t = performance.now();
    const result = await probeHealth(url, { timeoutMs: TIMEOUT_MS, degradedAfterMs: 2000, policy: { allowLoopback: true, allowPrivate: false } });
    latencies.push(performance.now() - t);
    return result;
  };
  const sweeper = createHealthSweeper({ sql, probe, railway: undefined, log: silentLog, now, concurrency: CONCURRENCY,
    claimBatch: 500, writeBatch: 500, maxSweepMs: 120_000 });
  const started = performance.now();
  const { value: report, peakRssMB } = await withPeakRss(() => sweeper.run());
  if (!report) throw new Error("the sweep failed");
  const failures = report.writeErrors + latencies.length - report.written;
  return { ...summarize(name, latencies, performance.now() - started, peakRssMB, failures), report };
}

async function main(): Promise<void> {
  const stateDir = path.resolve(root, process.env.LOCAL_STATE_DIR ?? ".local/stack");
  let own: BackgroundStack | undefined;
  let info = readRunningStack(stateDir);
  if (!info) {
    console.log("no running stack: starting one in the background…");
    own = await startBackgroundStack({ projectRoot: root, portBase: Number(process.env.BENCH_PORT_BASE ?? 57321) });
    info = own.info;
  }
  const server = await startHealthServer();
  const database = await freshDatabase(info, own?.stateDir ?? stateDir);
  const sql = postgres(database.url, { max: 10, onnotice: () => {} });
  try {
    const urls = await insertContainers(sql, server.port);
    // warm-up: open the connections of both clients once (not measured)
    await Promise.all(urls.slice(0, CONCURRENCY).map((u) => fetch(u).then((r) => r.text())));

    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    const bare = await bareLoop(urls);
    const first = await sweepPhase("sweep 1: first (10,000 state changes → informs)", sql, now);
    offset += 30_000; // the next sweep, 30 s later: every container is due again
    const steady = await sweepPhase("sweep 2: steady state (no changes)", sql, now);
    const [counts] = await sql<{ checks: number; informs: number }[]>`
      select (select count(*)::int from public.health_checks) as checks,
             (select count(*)::int from public.messages where intent = 'health_changed') as informs`;
    const { checks, informs } = counts!;
    if (checks !== 2 * CONTAINERS) throw new Error(`expected ${2 * CONTAINERS} health_checks rows, found ${checks}`);

    const phases = [steady, first, bare];
    console.log(`\nHealth sweep: ${CONTAINERS} containers, one local HTTP server, concurrency ${CONCURRENCY}, ${os.cpus().length} cores\n`);
    console.log("| run | checks | seconds | checks/s | p50 check ms | p99 check ms | peak RSS MB | failed |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const p of phases) {
      console.log(`| ${p.name} | ${p.checks} | ${p.seconds.toFixed(2)} | ${Math.round(p.checksPerSecond)} | ${p.p50Ms.toFixed(1)} | ${p.p99Ms.toFixed(1)} | ${p.peakRssMB} | ${p.failures} |`);
    }
    console.log(`\nrows written: ${checks} health_checks, ${informs} health_changed informs; bar: one sweep of ${CONTAINERS} ≤ 10 s → ${steady.seconds <= 10 && first.seconds <= 10 ? "met" : "NOT met"}`);

    const commit = (() => { try { return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { return "unknown"; } })();
    const result = {
      name: "health-sweep",
      commit,
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, memory: `${Math.round(os.totalmem() / 1024 ** 3)} GB`, cpu: os.cpus()[0]?.model ?? "unknown", node: process.version },
      params: { containers: CONTAINERS, concurrency: CONCURRENCY, claimBatch: 500, writeBatch: 500, timeoutMs: TIMEOUT_MS },
      metrics: Object.fromEntries(phases.map((p) => [p.name, { ...p, report: undefined, sweep: "report" in p ? p.report : undefined }])),
    };
    await mkdir(path.join(root, "bench/results"), { recursive: true });
    await writeFile(path.join(root, "bench/results/health-sweep.json"), JSON.stringify(result, null, 2) + "\n");
    console.log("wrote bench/results/health-sweep.json");
  } finally {
    await sql.end({ timeout: 5 });
    await database.drop();
    server.stop();
    await own?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
