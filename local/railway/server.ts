/**
 * Starts the local Railway: the GraphQL API and control API on one port, plus one loopback listener per
 * service that went live. Used by `npm start` (when no Railway token is configured), the tests and main.ts.
 */
import { randomUUID } from "node:crypto";
import { buildSchema } from "graphql";
import { CONTROL_PATH, createApp, GRAPHQL_PATH } from "./app.ts";
import { createControlHandler } from "./control.ts";
import { createEndpoints, type EndpointView } from "./endpoints.ts";
import { createFaults } from "./faults.ts";
import { createGraphQLHandler, type RequestLog } from "./graphql-handler.ts";
import { serve } from "./node-adapter.ts";
import { createRootValue } from "./resolvers.ts";
import { sdl } from "./sdl.ts";
import { createStore, type Store } from "./store.ts";

export interface LocalRailwayOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port of the API; 0 picks a free one. Default 0. */
  port?: number;
  /** Structured log lines. Default: discard. */
  log?: (line: object) => void;
  /** Milliseconds per deployment step (QUEUED → INITIALIZING → DEPLOYING → SUCCESS). Default 100. */
  deploymentStepMs?: number;
  /** The token clients must send. Default: a random one. */
  token?: string;
}

export interface LocalRailway {
  /** GraphQL endpoint, e.g. http://127.0.0.1:54330/graphql/v2 (RAILWAY_API_URL). */
  url: string;
  /** Control API base, e.g. http://127.0.0.1:54330/control. */
  controlUrl: string;
  /** Accepted as `Authorization: Bearer` and as `Project-Access-Token`. */
  token: string;
  projectId: string;
  environmentId: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function endpointView(store: Store, serviceId: string): EndpointView | undefined {
  const service = store.listServices().find((s) => s.id === serviceId);
  if (!service) return undefined;
  const healthPaths = ["/health", ...(service.settings.healthcheckPath ? [service.settings.healthcheckPath] : [])];
  return {
    serviceName: service.name,
    deploymentId: store.running(serviceId)?.id ?? null,
    healthPaths,
    healthStatus: service.behaviour.healthStatus,
    healthDelayMs: service.behaviour.healthDelayMs,
  };
}

export async function startLocalRailway(options: LocalRailwayOptions = {}): Promise<LocalRailway> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const onError = (error: unknown) => log({ component: "local-railway", event: "handler_failed", error: String(error) });
  const token = options.token ?? randomUUID();
  const now = Date.now;

  let store: Store | undefined;
  const endpoints = createEndpoints({
    host,
    listen: (handler) => serve(handler, { host, port: 0, onError }),
    view: (serviceId) => (store ? endpointView(store, serviceId) : undefined),
    sleep,
  });
  store = createStore({
    projectId: randomUUID(),
    environmentId: randomUUID(),
    stepMs: options.deploymentStepMs ?? 100,
    now,
    newId: randomUUID,
    endpoints,
    log,
  });

  const faults = createFaults();
  const requestLog: RequestLog = { entries: [] };
  const schema = buildSchema(sdl);
  const app = createApp({
    graphql: createGraphQLHandler({ schema, rootValue: createRootValue(store, now), token, faults, requestLog, sleep, now }),
    control: createControlHandler({ store, faults, requestLog }),
  });
  const server = await serve(app, { host, port: options.port ?? 0, onError });
  const base = `http://${host}:${server.port}`;
  log({ component: "local-railway", event: "started", url: `${base}${GRAPHQL_PATH}` });

  const started = store;
  return {
    url: `${base}${GRAPHQL_PATH}`,
    controlUrl: `${base}${CONTROL_PATH}`,
    token,
    projectId: started.projectId,
    environmentId: started.environmentId,
    async stop() {
      await started.reset();
      await server.close();
      log({ component: "local-railway", event: "stopped" });
    },
  };
}
