import type { Sql } from "postgres";
import { claimDueContainers } from "../db/health-checks.ts";
import { loadHealPolicy } from "../db/heals.ts";
import type { ProbeResult } from "../health/probe.ts";
import { latestUsage, type ServiceUsage } from "../health/usage.ts";
import type { Logger } from "../log.ts";
import type { RailwayClient } from "../railway/index.ts";
import { evaluate } from "./evaluate.ts";
import { recordOutcomes } from "./record.ts";
import type { CheckOutcome, ClaimedContainer } from "./types.ts";

/**
 * The health sweep of one function instance, runtime-neutral, with its I/O injected (database, probe,
 * Railway, clock) so tests drive it without sleeping.
 *
 * One sweep: ONE Railway metrics call (usage of every service); then `concurrency` workers take
 * claimed containers from a queue that is refilled one claim batch at a time (private.claim_health_checks,
 * leased with FOR UPDATE SKIP LOCKED), probe them, and hand the outcomes to a writer that records
 * them `writeBatch` at a time, one write in flight. No new claims after `maxSweepMs`; what is left
 * stays due for the next sweep.
 *
 * Invariant: a claimed container is released by the write of its outcome; when this instance dies or
 * a write fails, its lease runs out (lease_seconds) and the next sweep claims it again.
 */
export interface SweeperOptions {
  sql: Sql;
  probe: (url: string) => Promise<ProbeResult>;
  /** Undefined when Railway is not configured: no usage, no auto-heal. */
  railway: Pick<RailwayClient, "getMetrics" | "restartDeployment"> | undefined;
  log: Logger;
  now?: () => Date;
  /** Checks in flight at once. Default 200. */
  concurrency?: number;
  /** Containers claimed per claim query. Default 500. */
  claimBatch?: number;
  /** Outcomes per write transaction. Default 500. */
  writeBatch?: number;
  /** Stop claiming after this long. Default 25,000 ms. */
  maxSweepMs?: number;
  /** How far back the metrics call looks. Default 300 s. */
  metricsWindowSeconds?: number;
}

export interface SweepReport {
  checked: number;
  written: number;
  changed: number;
  restarts: number;
  attention: number;
  writeErrors: number;
  metrics: "ok" | "unavailable" | "not_configured";
  durationMs: number;
}

export interface HealthSweeper {
  /** Runs one sweep; while one runs, a second call asks it to go round once more and shares its promise. */
  run(): Promise<SweepReport | undefined>;
  /** Resolves when no sweep is running. */
  idle(): Promise<void>;
}

export function createHealthSweeper(o: SweeperOptions): HealthSweeper {
  const now = o.now ?? (() => new Date());
  let running: Promise<SweepReport | undefined> | undefined;
  let again = false;

  async function usage(report: SweepReport): Promise<Map<string, ServiceUsage>> {
    if (!o.railway) {
      report.metrics = "not_configured";
      return new Map();
    }
    try {
      const since = new Date(now().getTime() - (o.metricsWindowSeconds ?? 300) * 1000);
      return latestUsage(await o.railway.getMetrics({ since }));
    } catch (error) {
      // health is still recorded; usage keeps its last values and usage_updated_at tells their age
      report.metrics = "unavailable";
      o.log.warn("Railway metrics unavailable: usage keeps its last values", { error: String((error as Error).message ?? error) });
      return new Map();
    }
  }

  async function sweepOnce(): Promise<SweepReport> {
    const started = now();
    const deadline = started.getTime() + (o.maxSweepMs ?? 25_000);
    const report: SweepReport = { checked: 0, written: 0, changed: 0, restarts: 0, attention: 0, writeErrors: 0, metrics: "ok", durationMs: 0 };
    const [usageByService, healPolicy] = await Promise.all([usage(report), loadHealPolicy(o.sql)]);
    const claimBatch = o.claimBatch ?? 500;
    const writeBatch = o.writeBatch ?? 500;

    // the queue of claimed containers, refilled by one claim at a time
    let queue: ClaimedContainer[] = [];
    let head = 0;
    let exhausted = false;
    let claiming: Promise<void> | undefined;
    async function next(): Promise<ClaimedContainer | undefined> {
      for (;;) {
        if (head < queue.length) return queue[head++];
        if (exhausted) return undefined;
        claiming ??= (async () => {
          const at = now();
          const rows = at.getTime() > deadline ? [] : await claimDueContainers(o.sql, claimBatch, at);
          queue = rows;
          head = 0;
          if (rows.length === 0) exhausted = true;
        })().finally(() => { claiming = undefined; });
        await claiming;
      }
    }

    // the writer: one batch in flight at a time; workers wait when two more are queued behind it
    let buffer: CheckOutcome[] = [];
    let writing: Promise<void> = Promise.resolve();
    let queuedWrites = 0;
    const flush = () => {
      const batch = buffer;
      buffer = [];
      if (batch.length === 0) return writing;
      queuedWrites++;
      writing = writing.then(async () => {
        try {
          const decided = await recordOutcomes({ sql: o.sql, railway: o.railway, healPolicy, log: o.log }, batch);
          report.written += decided.length;
          for (const d of decided) {
            if (d.step.changed) report.changed++;
            if (d.heal.action === "restart") report.restarts++;
            if (d.heal.action === "attention") report.attention++;
          }
        } catch (error) {
          report.writeErrors += batch.length;
          o.log.error("could not record a batch of health checks; their leases run out", { checks: batch.length, error: String(error) });
        } finally {
          queuedWrites--;
        }
      });
      return writing;
    };

    const worker = async () => {
      for (let c = await next(); c; c = await next()) {
        const probe = await o.probe(c.health_url).catch((error: unknown): ProbeResult =>
          ({ status: "unhealthy", responseTimeMs: 0, httpStatus: null, error: `probe failed: ${String(error)}` }));
        buffer.push(evaluate(c, probe, usageByService, now()));
        report.checked++;
        if (buffer.length >= writeBatch) {
          const written = flush();
          if (queuedWrites > 2) await written; // backpressure: memory stays bounded when the database is slower than the probes
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: o.concurrency ?? 200 }, worker));
    } finally {
      await flush();
    }
    report.durationMs = now().getTime() - started.getTime();
    return report;
  }

  async function loop(): Promise<SweepReport | undefined> {
    let last: SweepReport | undefined;
    do {
      again = false;
      last = await sweepOnce();
      o.log.info("health sweep done", { ...last });
    } while (again);
    return last;
  }

  return {
    run() {
      if (running) {
        again = true;
        return running;
      }
      running = loop()
        .catch((error: unknown) => {
          o.log.error("health sweep failed", { error: String(error) });
          return undefined;
        })
        .finally(() => { running = undefined; });
      return running;
    },
    async idle() {
      while (running) await running;
    },
  };
}
