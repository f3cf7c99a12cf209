import postgres from "postgres";
import { loadOrchestratorConfig } from "./config.ts";
import { callerRole } from "./http/caller-role.ts";
import { createDeploymentWatcher, type DeploymentWatcher } from "./dispatch/deployment-watcher.ts";
import { createDrainer, type Drainer } from "./dispatch/drainer.ts";
import type { Services } from "./handlers/context.ts";
import { cachedResolver } from "./health/cached-resolver.ts";
import { probeHealth } from "./health/probe.ts";
import { createLogger, type Logger } from "./log.ts";
import { createRailwayClient, hasRailwayToken, loadRailwayConfig } from "./railway/index.ts";
import { createHealthSweeper, type HealthSweeper } from "./sweep/sweeper.ts";

/**
 * The hosting-orchestrator function, runtime-neutral: the Deno entry (functions/hosting-orchestrator/
 * index.ts) passes its environment and `EdgeRuntime.waitUntil`; tests build it the same way under Node.
 *
 * HTTP surface (called by pg_net from the database, with the service-role key; any other caller
 * gets 403):
 *   POST {"task":"drain"}  → 202; drains the queued requests in the background
 *   POST {"task":"health_sweep"} → 202; one health sweep in the background (pg_cron, docs/health.md)
 *   GET                    → 200 {"status":"ok"}
 */
export interface OrchestratorApp {
  handle(request: Request): Promise<Response>;
  drainer: Drainer;
  watcher: DeploymentWatcher | undefined;
  sweeper: HealthSweeper;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Keeps background work alive after the response (EdgeRuntime.waitUntil on hosted Supabase). */
  waitUntil?: (work: Promise<unknown>) => void;
  log?: Logger;
  fetch?: typeof fetch;
  /** Resolves host names for the health checks' SSRF guard (Deno.resolveDns in the entry file). */
  resolveHost?: (host: string) => Promise<string[]>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function createOrchestratorApp(env: Record<string, string | undefined>, options: AppOptions = {}): OrchestratorApp {
  const config = loadOrchestratorConfig(env);
  const log = options.log ?? createLogger({ component: "hosting-orchestrator" });
  const sql = postgres(config.SUPABASE_DB_URL, {
    max: config.ORCHESTRATOR_DB_POOL,
    onnotice: () => {},
    connection: { application_name: "hosting-orchestrator" },
  });
  const railway = hasRailwayToken(env)
    ? createRailwayClient({ config: loadRailwayConfig(env), log: (line) => log.info("railway", line), ...(options.fetch ? { fetch: options.fetch } : {}) })
    : undefined;
  if (!railway) log.warn("Railway is not configured: deploy_to_railway requests will fail with provider_error");

  const watcher = railway ? createDeploymentWatcher({ sql, railway, log: log.child({ part: "deployment-watcher" }) }) : undefined;
  const resolve = options.resolveHost ? cachedResolver(options.resolveHost) : undefined;
  const services: Services = {
    sql,
    railway,
    log,
    watchDeployments: () => watcher?.poke(),
    probe: (url) => probeHealth(url, {
      timeoutMs: config.HEALTH_TIMEOUT_MS,
      degradedAfterMs: config.HEALTH_DEGRADED_MS,
      policy: { allowLoopback: config.HEALTH_ALLOW_LOOPBACK, allowPrivate: config.HEALTH_ALLOW_PRIVATE },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(resolve ? { resolve } : {}),
    }),
  };
  const drainer = createDrainer({ services, concurrency: config.ORCHESTRATOR_CONCURRENCY });
  // health sweep (issue 6): woken by pg_cron through private.wake_health_sweep()
  const sweeper = createHealthSweeper({
    sql, probe: services.probe, railway, log: log.child({ part: "health-sweep" }),
    concurrency: config.HEALTH_SWEEP_CONCURRENCY, claimBatch: config.HEALTH_SWEEP_CLAIM_BATCH,
    writeBatch: config.HEALTH_SWEEP_WRITE_BATCH, maxSweepMs: config.HEALTH_SWEEP_MAX_MS,
  });

  return {
    drainer,
    watcher,
    sweeper,
    async handle(request) {
      if (request.method === "GET") return json(200, { status: "ok" });
      if (request.method !== "POST") return json(405, { error: { code: "method_not_allowed", message: "use POST" } });
      if (callerRole(request) !== "service_role") {
        return json(403, { error: { code: "forbidden", message: "tasks are started by the database with the service-role key" } });
      }
      const body = await request.json().catch(() => ({})) as { task?: unknown };
      if (body.task === "health_sweep") {
        options.waitUntil?.(sweeper.run());
        return json(202, { accepted: true, task: "health_sweep" });
      }
      if (body.task !== undefined && body.task !== "drain") {
        return json(400, { error: { code: "unknown_task", message: `unknown task ${JSON.stringify(body.task)}` } });
      }
      const work = drainer.wake().then(() => watcher?.poke());
      options.waitUntil?.(work);
      return json(202, { accepted: true });
    },
    async close() {
      await drainer.idle();
      await watcher?.idle();
      await sweeper.idle();
      await sql.end({ timeout: 5 });
    },
  };
}
