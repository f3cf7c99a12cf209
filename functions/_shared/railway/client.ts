/**
 * The typed Railway client: one function per operation the orchestrator needs, each with typed input and
 * output, validated with zod at the boundary (grouped in operations/). `deployService` (deploy.ts) composes
 * them into the full sequence. Everything with a side effect outside this process (fetch, clock, sleep,
 * randomness, logging) is injected, with Web-standard defaults.
 */
import { backoffDelayMs } from "./backoff.ts";
import type { RailwayConfig } from "./config.ts";
import { RailwayError } from "./errors.ts";
import type { OperationContext } from "./operations/context.ts";
import { deploymentOperations } from "./operations/deployments.ts";
import { metricsOperations } from "./operations/metrics.ts";
import { serviceOperations } from "./operations/services.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limiter.ts";
import { createTransport, type Fetch, type Log, type Sleep } from "./transport.ts";

export interface RailwayClientOptions {
  config: RailwayConfig;
  /** Default: globalThis.fetch. */
  fetch?: Fetch;
  /** Default: setTimeout. Tests pass a fake that advances a fake clock. */
  sleep?: Sleep;
  /** Default: Math.random. */
  random?: () => number;
  /** Epoch milliseconds. Default: Date.now. */
  now?: () => number;
  /** Structured log lines (never a secret). Default: discard. */
  log?: Log;
  /** Default: one built from config.rateLimit. Share one between clients of the same token. */
  limiter?: RateLimiter;
}

export function createRailwayOperations(options: RailwayClientOptions) {
  const { config } = options;
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const limiter = options.limiter ??
    createRateLimiter({ ...config.rateLimit, maxWaitMs: config.retry.maxDelayMs, now, sleep });
  const transport = createTransport(config, { fetch, sleep, random, now, log, limiter });

  const call: OperationContext["call"] = async (operation, schema, variables, secrets) => {
    const data = await transport.send(operation, variables, { secrets: secrets ?? [] });
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new RailwayError("provider_rejected", `Railway's answer to ${operation} has an unexpected shape`, {
        operation,
        problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
      });
    }
    return parsed.data;
  };

  const ctx: OperationContext = {
    call,
    config,
    projectId: config.projectId,
    environmentId: config.environmentId,
    now,
    sleep,
    pause: (sends) => sleep(backoffDelayMs(sends, config.retry, random)),
  };

  return {
    config: { projectId: config.projectId, environmentId: config.environmentId },
    ...serviceOperations(ctx),
    ...deploymentOperations(ctx),
    ...metricsOperations(ctx),
  };
}

export type RailwayOperations = ReturnType<typeof createRailwayOperations>;
