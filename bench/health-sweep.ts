/**
 * Health sweep benchmark: 10,000 containers whose health endpoints are served by one local HTTP
 * server (a child process, so it has a core of its own), swept by the real sweep code
 * (functions/_shared/sweep/sweeper.ts: claims, probes with the SSRF guard and timeout, batch writes,
 * informs) against a fresh database of the local stack — next to the same 10,000 GETs made by a bare
 * `fetch` loop at the same concurrency in the same run (the ceiling).
 *
 *   npm run bench -- health-sweep
 *
 * Settings (env): BENCH_CONTAINERS (10000), BENCH_CONCURRENCY (200). Sweep 1 is the first sweep (every container goes unknown →
 * healthy: one inform each); sweep 2 is the steady state (no state changes). Both are measured.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres, { type Sql } from "postgres";
import { probeHealth, type ProbeResult } from "../functions/_shared/health/probe.ts";
import { silentLogger } from "../functions/_shared/log.ts";
import { createHealthSweeper, type SweepReport } from "../functions/_shared/sweep/sweeper.ts";
import { stackConfigFromEnv } from "../local/config/stack-config.ts";
import { bootstrapPlatform } from "../local/platform/bootstrap.ts";
import { pushMigrations } from "../local/postgres/db-push.ts";
import { maintainMessagePartitions } from "../local/realtime/partitions.ts";
import type { StackInfo } from "../local/stack/state-file.ts";
import type { Bench } from "./bench-types.ts";

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
  // edge containers of one online device: no Railway metrics or restarts in the measurement
  const [device] = await sql<{ id: string }[]>`
    insert into public.devices (name, status, address, last_heartbeat_at) values ('bench-device', 'online', '127.0.0.1', now()) returning id`;
  for (let start = 0; start < CONTAINERS; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, CONTAINERS - start) }, (_, k) => {
      const i = start + k;
      const url = `http://127.0.0.1:${port}/c/${i}/health`;
      urls.push(url);
      return { agent_id: `agent.bench.a${i}`, customer_id: `c${i}`, target_type: "edge", target_id: device!.id, owner_agent_id: "agent.bench.owner",
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
  const sweeper = createHealthSweeper({ sql, probe, railway: undefined, log: silentLogger, now, concurrency: CONCURRENCY,
    claimBatch: 500, writeBatch: 500, maxSweepMs: 120_000 });
  const started = performance.now();
  const { value: report, peakRssMB } = await withPeakRss(() => sweeper.run());
  if (!report) throw new Error("the sweep failed");
  const failures = report.writeErrors + latencies.length - report.written;
  return { ...summarize(name, latencies, performance.now() - started, peakRssMB, failures), report };
}

export const healthSweep: Bench = {
  name: "health-sweep",
  description: "one sweep of 10,000 containers vs a bare fetch loop (the ceiling)",
  async run({ stack, log }) {
    const info = stack.info;
    const server = await startHealthServer();
    const database = await freshDatabase(info, stack.stateDir);
    const sql = postgres(database.url, { max: 10, onnotice: () => {} });
    try {
      const urls = await insertContainers(sql, server.port);
      // warm-up: open the connections of both clients once (not measured)
      await Promise.all(urls.slice(0, CONCURRENCY).map((u) => fetch(u).then((r) => r.text())));
      log(`health-sweep: ${CONTAINERS} containers, concurrency ${CONCURRENCY}`);
      let offset = 0;
      const now = () => new Date(Date.now() + offset);
      const bare = await bareLoop(urls);
      const first = await sweepPhase("sweep 1: first (every state changes → informs)", sql, now);
      offset += 30_000; // the next sweep, 30 s later: every container is due again
      const steady = await sweepPhase("sweep 2: steady state (no changes)", sql, now);
      const [counts] = await sql<{ checks: number; informs: number }[]>`
        select (select count(*)::int from public.health_checks) as checks,
               (select count(*)::int from public.messages where intent = 'health_changed') as informs`;
      const { checks, informs } = counts!;
      const complete = checks === 2 * CONTAINERS;
      const phases = [steady, first, bare];
      const metric = (key: string, p: (typeof phases)[number]) => ({
        [`${key}_seconds`]: Math.round(p.seconds * 100) / 100,
        [`${key}_checks_per_s`]: Math.round(p.checksPerSecond),
        [`${key}_p99_ms`]: Math.round(p.p99Ms * 10) / 10,
        [`${key}_peak_rss_mb`]: p.peakRssMB,
        [`${key}_failed`]: p.failures,
      });
      return {
        ok: complete,
        params: { containers: CONTAINERS, concurrency: CONCURRENCY, claim_batch: 500, write_batch: 500, timeout_ms: TIMEOUT_MS },
        metrics: { ...metric("steady", steady), ...metric("first", first), ...metric("bare", bare), health_checks_rows: checks, informs },
        table: [
          ["run", "checks", "seconds", "checks/s", "p50 check ms", "p99 check ms", "peak RSS MB", "failed"],
          ...phases.map((p) => [p.name, String(p.checks), p.seconds.toFixed(2), String(Math.round(p.checksPerSecond)),
            p.p50Ms.toFixed(1), p.p99Ms.toFixed(1), String(p.peakRssMB), String(p.failures)]),
        ],
        notes: [
          `rows written: ${checks} health_checks (expected ${2 * CONTAINERS}), ${informs} health_changed informs`,
          `target: one sweep of ${CONTAINERS} in ≤ 10 s → ${steady.seconds <= 10 && first.seconds <= 10 ? "met" : "NOT met"}`,
        ],
      };
    } finally {
      await sql.end({ timeout: 5 });
      await database.drop();
      server.stop();
    }
  },
};
