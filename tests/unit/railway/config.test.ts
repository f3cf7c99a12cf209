import { describe, expect, it } from "vitest";
import { DEFAULT_RAILWAY_API_URL, hasRailwayToken, loadRailwayConfig } from "../../../functions/_shared/railway/config.ts";
import { isRailwayError, type RailwayError } from "../../../functions/_shared/railway/errors.ts";

const base = { RAILWAY_PROJECT_ID: "proj", RAILWAY_ENVIRONMENT_ID: "env" };

function configError(env: Record<string, string | undefined>): RailwayError {
  try {
    loadRailwayConfig(env);
  } catch (error) {
    if (isRailwayError(error, "invalid_config")) return error;
    throw error;
  }
  throw new Error("expected invalid_config");
}

describe("loadRailwayConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadRailwayConfig({ ...base, RAILWAY_API_KEY: "acct-token" });
    expect(config).toEqual({
      apiUrl: DEFAULT_RAILWAY_API_URL,
      auth: { kind: "bearer", token: "acct-token" },
      projectId: "proj",
      environmentId: "env",
      rateLimit: { plan: "hobby", perSecond: 10, perHour: 1000 },
      timeoutMs: 15000,
      retry: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 20000 },
    });
  });

  it("uses Project-Access-Token auth for a project token and the plan's limits", () => {
    const config = loadRailwayConfig({ ...base, RAILWAY_PROJECT_TOKEN: "p-token", RAILWAY_PLAN: "pro", RAILWAY_RATE_LIMIT_PER_HOUR: "5000" });
    expect(config.auth).toEqual({ kind: "project", token: "p-token" });
    expect(config.rateLimit).toEqual({ plan: "pro", perSecond: 50, perHour: 5000 });
  });

  it("treats empty variables as unset", () => {
    const config = loadRailwayConfig({ ...base, RAILWAY_API_KEY: "t", RAILWAY_PROJECT_TOKEN: "", RAILWAY_API_URL: "", RAILWAY_TIMEOUT_MS: "" });
    expect(config.apiUrl).toBe(DEFAULT_RAILWAY_API_URL);
    expect(config.timeoutMs).toBe(15000);
  });

  it("demands exactly one token and never echoes it", () => {
    expect(configError(base).message).toMatch(/exactly one of RAILWAY_API_KEY/);
    const both = configError({ ...base, RAILWAY_API_KEY: "secret-account", RAILWAY_PROJECT_TOKEN: "secret-project" });
    expect(JSON.stringify(both.toJSON())).not.toMatch(/secret-/);
  });

  it("names every invalid variable", () => {
    const error = configError({ RAILWAY_API_KEY: "t", RAILWAY_PLAN: "enterprise", RAILWAY_TIMEOUT_MS: "-5", RAILWAY_API_URL: "ftp://x" });
    for (const name of ["RAILWAY_PROJECT_ID", "RAILWAY_ENVIRONMENT_ID", "RAILWAY_PLAN", "RAILWAY_TIMEOUT_MS", "RAILWAY_API_URL"]) {
      expect(error.message).toContain(name);
    }
  });

  it("hasRailwayToken tells whether a real Railway is configured", () => {
    expect(hasRailwayToken({})).toBe(false);
    expect(hasRailwayToken({ RAILWAY_API_KEY: " " })).toBe(false);
    expect(hasRailwayToken({ RAILWAY_PROJECT_TOKEN: "x" })).toBe(true);
  });
});
