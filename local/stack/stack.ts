import path from "node:path";
import postgres, { type Sql } from "postgres";
import { StackError } from "../cli/stack-error.ts";
import { apiUrl, dbUrl, type StackConfig } from "../config/stack-config.ts";
import { startDashboard } from "../dashboard/dashboard-server.ts";
import { createFunctionHost, type FunctionHost } from "../functions/function-host.ts";
import { serveNode, type NodeServer } from "../gateway/node-adapter.ts";
import { createGateway, type Route } from "../gateway/routes.ts";
import { loadOrCreateKeys, type ProjectKeys } from "../keys/keys.ts";
import type { Logger } from "../log/logger.ts";
import { startPgNetWorker, type PgNetWorker } from "../pgnet/worker.ts";
import { bootstrapPlatform, PLATFORM_EXTENSIONS_DIR } from "../platform/bootstrap.ts";
import { clusterPaths, clusterState, initCluster, markClusterReady, startCluster, type RunningCluster } from "../postgres/cluster.ts";
import { pushMigrations } from "../postgres/db-push.ts";
import { installExtensionFiles } from "../postgres/extension-files.ts";
import { ensureSystemPackages, POSTGRES_REQUIREMENTS } from "../postgres/system-packages.ts";
import { describePortOwner, isPortFree } from "../ports/port-owner.ts";
import { maintainMessagePartitions } from "../realtime/partitions.ts";
import { startRealtimeService } from "../realtime/realtime-service.ts";
import { startRestService } from "../rest/rest-service.ts";
import { hasRailwayToken } from "../../functions/_shared/railway/config.ts";
import { startLocalRailway } from "../railway/server.ts";
import { functionEnvironment } from "./function-env.ts";
import { storeDispatchSecrets, storeProjectJwtSecret } from "./dispatch-secrets.ts";
import type { StackInfo } from "./state-file.ts";

/**
 * The whole local stack: PostgreSQL with the Supabase platform layer and the project's migrations,
 * and the API gateway (Edge Functions; REST and Realtime join the route table) with the pg_net
 * worker. `start` brings it up in order; `stop` takes it down in reverse, leaving no process behind.
 */
export interface RunningStack {
  info: StackInfo;
  keys: ProjectKeys;
  stop(): Promise<void>;
}

async function assertPortsFree(config: StackConfig): Promise<void> {
  const ports: [string, number][] = [["API", config.apiPort], ["database", config.dbPort]];
  for (const [what, port] of ports) {
    if (await isPortFree(config.host, port)) continue;
    const owner = await describePortOwner(port);
    throw new StackError(
      "port_in_use",
      `port ${port} (${what}) is already in use${owner ? ` by ${owner}` : ""}. Stop that process, or choose another port ` +
        `with LOCAL_${what === "API" ? "API" : "DB"}_PORT.`,
    );
  }
}

/** Creates (first time) and starts the database, with the platform layer; no migrations. */
export async function startDatabase(config: StackConfig, log: Logger): Promise<RunningCluster> {
  ensureSystemPackages(POSTGRES_REQUIREMENTS, (m) => log.info(m));
  const written = await installExtensionFiles(PLATFORM_EXTENSIONS_DIR);
  if (written.length > 0) log.info("installed extension files", { files: written });
  const paths = clusterPaths(config);
  const state = clusterState(paths);
  if (state === "half_initialised") {
    throw new StackError(
      "data_corrupt",
      `the database folder ${paths.dataDir} is incomplete or damaged (an interrupted first start?). ` +
        "Wipe and rebuild it with: npm run reset",
    );
  }
  if (state === "absent") {
    log.info("initialising the database cluster", { dataDir: paths.dataDir });
    await initCluster(config, paths);
  }
  const cluster = await startCluster(config, paths);
  try {
    await bootstrapPlatform(config);
    if (state === "absent") await markClusterReady(paths);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export function adminSql(config: StackConfig, applicationName: string): Sql {
  return postgres(dbUrl(config, "supabase_admin"), {
    max: 4,
    onnotice: () => {},
    connection: { application_name: applicationName },
  });
}

export async function startStack(config: StackConfig, log: Logger): Promise<RunningStack> {
  await assertPortsFree(config);
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log.error("stopping a service failed", { error: String(error) }));
    }
  };
  try {
    const cluster = await startDatabase(config, log);
    cleanups.push(() => cluster.stop());

    const admin = adminSql(config, "local runtime");
    cleanups.push(() => admin.end({ timeout: 5 }));
    await maintainMessagePartitions(admin);
    const janitor = setInterval(() => {
      maintainMessagePartitions(admin).catch((error: unknown) => log.warn("partition maintenance failed", { error: String(error) }));
    }, 3600_000);
    cleanups.push(async () => clearInterval(janitor));

    log.info("applying migrations and seed (supabase db push)");
    await pushMigrations(config.projectRoot, dbUrl(config), { seed: true });

    const keys = await loadOrCreateKeys(config.stateDir);
    const api = apiUrl(config);
    const platformEnv = {
      SUPABASE_URL: api,
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_DB_URL: dbUrl(config),
    };
    const configured = await functionEnvironment(config.projectRoot, platformEnv);
    // Without a Railway token, the local Railway stands in for Railway's API (docs/railway.md).
    let localRailway: Awaited<ReturnType<typeof startLocalRailway>> | undefined;
    if (!hasRailwayToken(configured)) {
      localRailway = await startLocalRailway({ host: config.host, port: config.railwayPort, log: (line) => log.info("local railway", { component: "railway", ...line }) });
      const railway = localRailway;
      cleanups.push(() => railway.stop());
    }
    const env = await functionEnvironment(config.projectRoot, platformEnv, {
      // Local mode: health checks may call the loopback addresses of local services.
      HEALTH_ALLOW_LOOPBACK: "true",
      ...(localRailway ? {
        RAILWAY_API_URL: localRailway.url,
        RAILWAY_API_KEY: localRailway.token,
        RAILWAY_PROJECT_ID: localRailway.projectId,
        RAILWAY_ENVIRONMENT_ID: localRailway.environmentId,
      } : {}),
    });
    await storeDispatchSecrets(admin, { functionUrl: `${api}/functions/v1/hosting-orchestrator`, key: keys.serviceRoleKey });
    await storeProjectJwtSecret(admin, keys.jwtSecret);
    const functions: FunctionHost = await createFunctionHost({ projectRoot: config.projectRoot, jwtSecret: keys.jwtSecret, env, log });
    cleanups.push(() => functions.close());

    const authenticator = postgres(dbUrl(config, "authenticator"), { max: 20, onnotice: () => {}, connection: { application_name: "postgrest" } });
    cleanups.push(() => authenticator.end({ timeout: 5 }));
    const rest = await startRestService({
      sql: authenticator, jwtSecret: keys.jwtSecret, schemas: ["public"], extraSearchPath: ["public", "extensions"],
      maxRows: 1000, log: log.child({ component: "rest" }),
    });
    cleanups.push(() => rest.close());
    const realtime = await startRealtimeService({ adminDbUrl: dbUrl(config, "supabase_admin"), jwtSecret: keys.jwtSecret, log: log.child({ component: "realtime" }) });
    cleanups.push(() => realtime.close());

    const routes: Route[] = [{ prefix: "/functions/v1", http: functions.handler }, rest.route, realtime.route];
    const server: NodeServer = await serveNode(createGateway(routes), routes, { host: config.host, port: config.apiPort, log: log.child({ component: "gateway" }) });
    cleanups.push(() => server.close());

    // The operator dashboard (read-only; docs/dashboard.md): serves the page and an operator token.
    const dashboard = await startDashboard({
      host: config.host, port: config.dashboardPort, apiUrl: api, anonKey: keys.anonKey, jwtSecret: keys.jwtSecret,
      projectRoot: config.projectRoot, log,
    });
    cleanups.push(() => dashboard.stop());

    // Its own connections, named as pg_net's worker is (net.check_worker_is_up looks for the name).
    const pgNetSql = adminSql(config, "pg_net worker");
    cleanups.push(() => pgNetSql.end({ timeout: 5 }));
    const worker: PgNetWorker = await startPgNetWorker({ sql: pgNetSql, log });
    cleanups.push(() => worker.stop());
    await functions.warm();
    // Requests queued while the stack was down are drained now rather than at the next sweep.
    await admin`select private.wake_dispatcher(true)`.catch((error: unknown) => log.warn("initial wake failed", { error: String(error) }));

    const info: StackInfo = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      apiUrl: api,
      dbUrl: dbUrl(config),
      dashboardUrl: dashboard.url,
      ...(localRailway ? { railwayUrl: localRailway.url, railwayControlUrl: localRailway.controlUrl } : {}),
      anonKey: keys.anonKey,
      serviceRoleKey: keys.serviceRoleKey,
      jwtSecret: keys.jwtSecret,
    };
    return { info, keys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function projectRootFrom(metaUrl: string): string {
  return path.resolve(path.dirname(new URL(metaUrl).pathname), "..", "..");
}
