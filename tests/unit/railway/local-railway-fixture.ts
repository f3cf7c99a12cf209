import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type LocalRailway, startLocalRailway } from "../../../local/railway/server.ts";

/**
 * One local Railway for a test file: started before its tests, reset before each, stopped after.
 * Call it at the top of the file, before any hook that uses the Railway.
 */
export interface LocalRailwayFixture {
  /** The running local Railway (only inside tests and hooks). */
  readonly railway: LocalRailway;
  /** The RAILWAY_* variables that point the client at it. */
  clientEnv(): Record<string, string>;
  /** Calls the control API (POST with `body`, GET without) and returns status and JSON body. */
  controlResponse(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Like controlResponse, for calls that must succeed: asserts a 2xx and returns the body. */
  control(path: string, body?: unknown): Promise<any>;
}

export function useLocalRailway(): LocalRailwayFixture {
  let running: LocalRailway | undefined;
  const fixture: LocalRailwayFixture = {
    get railway() {
      if (!running) throw new Error("the local Railway runs only inside tests and hooks");
      return running;
    },
    clientEnv: () => ({
      RAILWAY_API_URL: fixture.railway.url,
      RAILWAY_API_KEY: fixture.railway.token,
      RAILWAY_PROJECT_ID: fixture.railway.projectId,
      RAILWAY_ENVIRONMENT_ID: fixture.railway.environmentId,
      RAILWAY_PLAN: "pro",
    }),
    async controlResponse(path, body) {
      const response = await fetch(`${fixture.railway.controlUrl}${path}`,
        body === undefined ? {} : { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    },
    async control(path, body) {
      const { status, body: json } = await fixture.controlResponse(path, body);
      expect(status).toBeLessThan(300);
      return json;
    },
  };
  beforeAll(async () => { running = await startLocalRailway({ port: 0, deploymentStepMs: 5 }); });
  afterAll(async () => { await running?.stop(); });
  beforeEach(async () => { await fixture.control("/reset", {}); });
  return fixture;
}
