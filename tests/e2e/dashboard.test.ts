import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { verifyJwt } from "../../local/keys/keys.ts";
import { connect, stack } from "../setup/clients.ts";
import { connectAgent, replyTo, type Agent } from "../support/agent-client.ts";

/**
 * The operator dashboard through its public surfaces: the server on the dashboard port, its
 * `/config.json` operator token used with supabase-js exactly as the page uses it, and the page itself
 * rendered by headless Chromium against data deployed through the message bus.
 */
const s = stack();
const sql = connect();
const OWNER = "agent.marketplace.dashboard-e2e";
const CUSTOMER = `dash-${Date.now().toString(36)}`;
const CHROMIUM = "/usr/bin/chromium";
const chromiumInstalled = existsSync(CHROMIUM);

interface DashboardConfig { apiUrl: string; anonKey: string; operatorToken: string }

let agent: Agent;
let requestId: string;
let containerId: string;

beforeAll(async () => {
  agent = await connectAgent(OWNER, s);
  requestId = await agent.request("deploy_to_railway", {
    agent_id: "agent.marketplace.dashboarded", customer_id: CUSTOMER, image: "ghcr.io/agentify/dashboarded:1.0.0",
    resources: { cpu: "0.5", memory: "512Mi" },
  });
  const reply = await agent.waitFor(replyTo(requestId));
  expect(reply.intent).toBe("deploy_to_railway_complete");
  containerId = reply.payload.container_id as string;
});

afterAll(async () => {
  await sql`update public.containers set status = 'removed', removed_at = now() where owner_agent_id = ${OWNER}`;
  await agent?.close();
  await sql.end();
});

async function dashboardConfig(): Promise<DashboardConfig> {
  const response = await fetch(`${s.dashboardUrl}/config.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return (await response.json()) as DashboardConfig;
}

/** A GET with a Host header of our choosing (fetch does not let us set one). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
  });
}

describe("the dashboard server", () => {
  it("serves the page, its transpiled module and the supabase-js bundle, with a strict CSP", async () => {
    const page = await fetch(s.dashboardUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<table id="containers">');
    expect(html).toContain('src="/vendor/supabase.js"');

    const app = await fetch(`${s.dashboardUrl}/app.js`);
    expect(app.headers.get("content-type")).toMatch(/^text\/javascript/);
    const code = await app.text();
    expect(code).toContain("/config.json");
    expect(code).not.toMatch(/^\s*interface Container/m); // TypeScript was stripped

    const bundle = await fetch(`${s.dashboardUrl}/vendor/supabase.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain("createClient");
  });

  it("answers 404 for unknown paths, 405 for writes and 403 for a foreign Host header", async () => {
    expect((await fetch(`${s.dashboardUrl}/../package.json`)).status).toBe(404);
    expect((await fetch(`${s.dashboardUrl}/app.ts`)).status).toBe(404);
    expect((await fetch(`${s.dashboardUrl}/config.json`, { method: "POST", body: "{}" })).status).toBe(405);
    expect(await getWithHost(`${s.dashboardUrl}/config.json`, "evil.example:80")).toBe(403);
    expect(await getWithHost(`${s.dashboardUrl}/config.json`, new URL(s.dashboardUrl).host)).toBe(200);
  });

  it("/config.json gives the API, the anon key and a 12-hour operator token signed with the project secret", async () => {
    const config = await dashboardConfig();
    expect(config.apiUrl).toBe(s.apiUrl);
    expect(config.anonKey).toBe(s.anonKey);
    const claims = await verifyJwt(s.jwtSecret, config.operatorToken);
    expect(claims).toMatchObject({ role: "authenticated", operator: true });
    expect(claims.agent_id).toBeUndefined();
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);
  });
});

describe("the operator token with supabase-js, as the page reads", () => {
  it("reads another agent's container, messages and deployments, which an unrelated agent cannot", async () => {
    const config = await dashboardConfig();
    const operator = createClient(config.apiUrl, config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false }, accessToken: async () => config.operatorToken,
      realtime: { transport: WebSocket as never }, // Node 20 has no global WebSocket; no channel is opened
    });
    const containers = await operator.from("containers").select("id,agent_id,customer_id,target_type,status,health_state").eq("id", containerId);
    expect(containers.error).toBeNull();
    expect(containers.data).toEqual([expect.objectContaining({ agent_id: "agent.marketplace.dashboarded", customer_id: CUSTOMER, target_type: "railway" })]);
    const messages = await operator.from("messages").select("id,sender,intent").in("id", [requestId]);
    expect(messages.data).toEqual([{ id: requestId, sender: OWNER, intent: "deploy_to_railway" }]);
    const deployments = await operator.from("deployments").select("container_id,kind").eq("container_id", containerId);
    expect(deployments.data).toEqual([{ container_id: containerId, kind: "deploy" }]);
    const rollups = await operator.from("health_check_rollups").select("hour").limit(1);
    expect(rollups.error).toBeNull();

    const stranger = await connectAgent("agent.marketplace.dashboard-stranger", s);
    try {
      const seen = await stranger.supabase.from("containers").select("id").eq("id", containerId);
      expect(seen.data).toEqual([]);
    } finally {
      await stranger.close();
    }
  });
});

describe.skipIf(!chromiumInstalled)(`the page in headless Chromium${chromiumInstalled ? "" : ` (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`}`, () => {
  it("renders the deployed container's row and the request message from live data", async () => {
    const profile = await mkdtemp(path.join(os.tmpdir(), "dashboard-chromium-"));
    try {
      const { stdout } = await promisify(execFile)(CHROMIUM, [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`,
        // Virtual time runs the page's first polling rounds to completion before the DOM is dumped.
        "--virtual-time-budget=5000", "--dump-dom", s.dashboardUrl,
      ], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
      const row = stdout.match(new RegExp(`<tr data-container-id="${containerId}"[^>]*>(.*?)</tr>`, "s"))?.[1];
      expect(row, "the container's row").toBeDefined();
      expect(row).toContain("agent.marketplace.dashboarded");
      expect(row).toContain(CUSTOMER);
      expect(row).toContain("railway");
      expect(stdout).toContain(`<tr data-message-id="${requestId}"`);
      expect(stdout).toMatch(/<p id="connection" class="connection up"[^>]*>Live · updated/);
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
