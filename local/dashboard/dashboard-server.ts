import { access } from "node:fs/promises";
import { StackError } from "../cli/stack-error.ts";
import { serveNode } from "../gateway/node-adapter.ts";
import { signJwt } from "../keys/keys.ts";
import type { Logger } from "../log/logger.ts";
import { createDashboardHandler, dashboardAssets } from "./dashboard-handler.ts";

/**
 * The operator dashboard's server (read-only): node:http on loopback through the gateway's Node
 * adapter, around the Web-standard handler of dashboard-handler.ts.
 *
 * Local development only: `/config.json` hands an operator token (role authenticated, operator: true,
 * 12 h) to anyone who can reach the port. With `jwtSecret` the server mints that token itself (at
 * start, and again when less than an hour of it is left); with `operatorToken` it serves the token it
 * is given (hosted Supabase: a token an operator minted, docs/dashboard.md).
 */
export type DashboardOptions = {
  host: string;
  port: number;
  /** The Supabase API the page reads, e.g. http://127.0.0.1:54321 or https://<ref>.supabase.co. */
  apiUrl: string;
  anonKey: string;
  projectRoot: string;
  log: Logger;
} & ({ jwtSecret: string } | { operatorToken: string });

export interface RunningDashboard {
  url: string;
  stop(): Promise<void>;
}

export const OPERATOR_TOKEN_TTL_S = 12 * 3600;
const REMINT_BEFORE_S = 3600;

export const operatorClaims = { role: "authenticated", operator: true } as const;

/** Mints the operator token at start and again when it is about to expire. */
function mintingOperatorToken(jwtSecret: string): () => Promise<string> {
  let current: { token: string; expiresAt: number } | undefined;
  return async () => {
    const now = Math.floor(Date.now() / 1000);
    if (!current || current.expiresAt - now < REMINT_BEFORE_S) {
      current = { token: await signJwt(jwtSecret, operatorClaims, OPERATOR_TOKEN_TTL_S), expiresAt: now + OPERATOR_TOKEN_TTL_S };
    }
    return current.token;
  };
}

export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  for (const asset of Object.values(dashboardAssets(options.projectRoot))) {
    await access(asset.file).catch(() => {
      throw new Error(`the dashboard cannot start: ${asset.file} is missing (run npm install?)`);
    });
  }
  let operatorToken: () => Promise<string>;
  if ("operatorToken" in options) {
    const given = options.operatorToken;
    operatorToken = async () => given;
  } else {
    operatorToken = mintingOperatorToken(options.jwtSecret);
  }
  await operatorToken(); // minted at start: a bad secret fails here, not on the first page load
  const log = options.log.child({ component: "dashboard" });
  const handler = createDashboardHandler({
    projectRoot: options.projectRoot,
    port: options.port,
    config: { apiUrl: options.apiUrl, anonKey: options.anonKey, operatorToken },
    onError: (message, fields) => log.error(message, fields),
  });
  const server = await serveNode(handler, [], { host: options.host, port: options.port, log }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new StackError("port_in_use", `port ${options.port} (dashboard) is already in use. Stop that process, or choose another port with LOCAL_DASHBOARD_PORT.`, { cause: error });
  });
  return { url: server.url, stop: () => server.close() };
}
