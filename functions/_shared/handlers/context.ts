import type { Sql } from "postgres";
import type { Logger } from "../log.ts";
import type { ProbeResult } from "../health/probe.ts";
import type { RequestRow } from "../protocol/envelope.ts";
import type { RailwayClient } from "../railway/index.ts";

/** What a handler gets: the database, the providers and the request being answered. */
export interface Services {
  sql: Sql;
  /** Undefined when Railway is not configured (no token): deploys fail with provider_error. */
  railway: RailwayClient | undefined;
  /** Runs one health check (the same code path as the sweep). */
  probe: (url: string) => Promise<ProbeResult>;
  /** Tells the deployment watcher there is something to follow. */
  watchDeployments: () => void;
  log: Logger;
}

export interface HandlerContext extends Services {
  request: RequestRow;
}

/** A handler returns the payload of its `<intent>_complete` reply, or throws an OrchestratorError. */
export type Handler<P> = (payload: P, ctx: HandlerContext) => Promise<Record<string, unknown>>;
