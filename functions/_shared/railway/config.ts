/**
 * Configuration of the Railway client, read once from an environment record (the edge function's
 * environment, or the Node process's) and validated with zod. Every variable, its type and default is declared
 * here and nowhere else; docs/railway.md lists them.
 */
import { z } from "zod";
import { RailwayError } from "./errors.ts";

export const DEFAULT_RAILWAY_API_URL = "https://backboard.railway.com/graphql/v2";

/** Railway's published request budgets by plan (Free is not published per second; Hobby's is assumed). */
export const railwayPlans = {
  free: { perSecond: 10, perHour: 100 },
  hobby: { perSecond: 10, perHour: 1_000 },
  pro: { perSecond: 50, perHour: 10_000 },
} as const;

export type RailwayPlan = keyof typeof railwayPlans;

/** An unset variable and an empty one (`FOO=` in a .env file) mean the same: not configured. */
const unset = (value: unknown) => (value === "" ? undefined : value);
const optionalText = z.preprocess(unset, z.string().trim().min(1).optional());
const positiveInt = (fallback: number) => z.preprocess(unset, z.coerce.number().int().positive().default(fallback));
const optionalPositiveInt = z.preprocess(unset, z.coerce.number().int().positive().optional());

const envSchema = z
  .object({
    /** GraphQL endpoint. Default: Railway's public API. */
    RAILWAY_API_URL: z.preprocess(unset, z.url({ protocol: /^https?$/ }).default(DEFAULT_RAILWAY_API_URL)),
    /** Account or workspace token, sent as `Authorization: Bearer`. */
    RAILWAY_API_KEY: optionalText,
    /** Project token (one environment of one project), sent as `Project-Access-Token`. */
    RAILWAY_PROJECT_TOKEN: optionalText,
    /** The project every service is created in. Required. */
    RAILWAY_PROJECT_ID: z.preprocess(unset, z.string().trim().min(1, "RAILWAY_PROJECT_ID is required")),
    /** The environment of that project (e.g. production). Required. */
    RAILWAY_ENVIRONMENT_ID: z.preprocess(unset, z.string().trim().min(1, "RAILWAY_ENVIRONMENT_ID is required")),
    /** Plan whose rate limits the client keeps to: free | hobby | pro. Default hobby. */
    RAILWAY_PLAN: z.preprocess(unset, z.enum(["free", "hobby", "pro"]).default("hobby")),
    /** Override the plan's requests per second. */
    RAILWAY_RATE_LIMIT_PER_SECOND: optionalPositiveInt,
    /** Override the plan's requests per hour. */
    RAILWAY_RATE_LIMIT_PER_HOUR: optionalPositiveInt,
    /** Timeout of one HTTP attempt, in milliseconds. Default 15000. */
    RAILWAY_TIMEOUT_MS: positiveInt(15_000),
    /** Attempts per call, the first included (1 = never retry). Default 4. */
    RAILWAY_MAX_ATTEMPTS: positiveInt(4),
    /** First backoff step in milliseconds; doubles per attempt, with full jitter. Default 250. */
    RAILWAY_RETRY_BASE_MS: positiveInt(250),
    /** Longest single wait (backoff, Retry-After or limiter); a longer one fails fast instead. Default 20000. */
    RAILWAY_RETRY_MAX_DELAY_MS: positiveInt(20_000),
  })
  .superRefine((env, ctx) => {
    const tokens = [env.RAILWAY_API_KEY, env.RAILWAY_PROJECT_TOKEN].filter((token) => token !== undefined);
    if (tokens.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["RAILWAY_API_KEY"],
        message: "set exactly one of RAILWAY_API_KEY (account/workspace token) or RAILWAY_PROJECT_TOKEN (project token)",
      });
    }
  });

export type RailwayAuth = { kind: "bearer"; token: string } | { kind: "project"; token: string };

export interface RailwayConfig {
  apiUrl: string;
  auth: RailwayAuth;
  projectId: string;
  environmentId: string;
  rateLimit: { plan: RailwayPlan; perSecond: number; perHour: number };
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
}

/** Parses the RAILWAY_* variables of `env`; throws `invalid_config` naming every problem (never a value). */
export function loadRailwayConfig(env: Readonly<Record<string, string | undefined>>): RailwayConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new RailwayError("invalid_config", `Railway configuration is invalid: ${problems.join("; ")}`, { problems });
  }
  const e = parsed.data;
  const plan = railwayPlans[e.RAILWAY_PLAN];
  return {
    apiUrl: e.RAILWAY_API_URL,
    auth: authOf(e.RAILWAY_API_KEY, e.RAILWAY_PROJECT_TOKEN),
    projectId: e.RAILWAY_PROJECT_ID,
    environmentId: e.RAILWAY_ENVIRONMENT_ID,
    rateLimit: {
      plan: e.RAILWAY_PLAN,
      perSecond: e.RAILWAY_RATE_LIMIT_PER_SECOND ?? plan.perSecond,
      perHour: e.RAILWAY_RATE_LIMIT_PER_HOUR ?? plan.perHour,
    },
    timeoutMs: e.RAILWAY_TIMEOUT_MS,
    retry: {
      maxAttempts: e.RAILWAY_MAX_ATTEMPTS,
      baseDelayMs: e.RAILWAY_RETRY_BASE_MS,
      maxDelayMs: e.RAILWAY_RETRY_MAX_DELAY_MS,
    },
  };
}

function authOf(apiKey: string | undefined, projectToken: string | undefined): RailwayAuth {
  if (apiKey !== undefined) return { kind: "bearer", token: apiKey };
  if (projectToken !== undefined) return { kind: "project", token: projectToken };
  throw new RailwayError("invalid_config", "no Railway token configured"); // unreachable: the schema demands one
}

/** True when a Railway token is configured: `npm start` uses the local Railway otherwise. */
export function hasRailwayToken(env: Readonly<Record<string, string | undefined>>): boolean {
  return [env.RAILWAY_API_KEY, env.RAILWAY_PROJECT_TOKEN].some((token) => token !== undefined && token.trim() !== "");
}
