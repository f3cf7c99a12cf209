import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, eventually, stack } from "../setup/clients.ts";
import { connectAgent, ORCHESTRATOR, replyTo, type Agent, type Envelope } from "../support/agent-client.ts";

/**
 * The product, end to end: agents insert requests with supabase-js and receive the orchestrator's
 * replies on their private Realtime channel; Railway is the local stand-in started by the stack.
 */
const s = stack();
const sql = connect();
const railwayControl = (path: string, body: unknown = {}) =>
  fetch(`${s.railwayControlUrl}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

const REQUESTER = "agent.marketplace.orchestrator";
let agent: Agent;
let other: Agent;

beforeAll(async () => {
  agent = await connectAgent(REQUESTER, s);
  other = await connectAgent("agent.marketplace.billing", s);
});
afterAll(async () => {
  await agent.close();
  await other.close();
  await sql.end();
});

// The seed's three requests, verbatim.
const seed = {
  deploy: {
    type: "request", sender: REQUESTER, to: [ORCHESTRATOR], intent: "deploy_to_railway",
    payload: {
      agent_id: "agent.marketplace.weather", customer_id: "cust_123", image: "ghcr.io/agentify/weather:1.0.0",
      env: { API_KEY: "secret" }, resources: { cpu: "0.5", memory: "512Mi" },
    },
  },
  getAddress: {
    type: "request", sender: REQUESTER, to: [ORCHESTRATOR], intent: "get_address",
    payload: { agent_id: "agent.marketplace.weather", customer_id: "cust_123" },
  },
  healthCheck: (containerId: string) => ({
    type: "request", sender: REQUESTER, to: [ORCHESTRATOR], intent: "health_check", payload: { container_id: containerId },
  }),
};

async function insert(a: Agent, row: Record<string, unknown>): Promise<string> {
  const { data, error } = await a.supabase.from("messages").insert(row).select("id").single();
  if (error) throw new Error(`${error.code}: ${error.message}`);
  return (data as { id: string }).id;
}

describe("the seed's requests, end to end", () => {
  let deployReply: Envelope;

  it("deploy_to_railway replies with the seed's shape and later informs that the deployment is live", async () => {
    const id = await insert(agent, seed.deploy);
    deployReply = await agent.waitFor(replyTo(id));
    expect(deployReply).toMatchObject({ type: "inform", intent: "deploy_to_railway_complete", sender: ORCHESTRATOR, to: [REQUESTER] });
    expect(deployReply.payload).toEqual({
      deployment_id: expect.any(String), container_id: expect.any(String), address: expect.stringMatching(/^https?:\/\//),
      health_url: expect.stringMatching(/\/health$/), status: "deploying",
    });
    const live = await agent.waitFor((m) => m.intent === "deployment_status_changed" && m.payload.deployment_id === deployReply.payload.deployment_id);
    expect(live.payload).toMatchObject({ status: "running", container_id: deployReply.payload.container_id });
    expect(live.conversation_id).toBe(deployReply.conversation_id);
    const { data } = await agent.supabase.from("containers").select("status, target_type, address").eq("id", deployReply.payload.container_id as string).single();
    expect(data).toEqual({ status: "running", target_type: "railway", address: deployReply.payload.address });
  });

  it("get_address returns the address deploy_to_railway gave, and its health_url answers", async () => {
    const id = await insert(agent, seed.getAddress);
    const reply = await agent.waitFor(replyTo(id));
    expect(reply).toMatchObject({ type: "inform", intent: "get_address_complete" });
    expect(reply.payload).toMatchObject({ address: deployReply.payload.address, health: expect.any(Boolean), uptime: expect.any(Number) });
    const health = await fetch(deployReply.payload.health_url as string);
    expect(health.status).toBe(200);
  });

  it("health_check checks the container now and records it", async () => {
    const containerId = deployReply.payload.container_id as string;
    const id = await insert(agent, seed.healthCheck(containerId));
    const reply = await agent.waitFor(replyTo(id));
    expect(reply).toMatchObject({ type: "inform", intent: "health_check_complete" });
    expect(reply.payload).toMatchObject({ container_id: containerId, health: true, response_time: expect.any(Number) });
    const { data } = await agent.supabase.from("health_checks").select("status").eq("container_id", containerId);
    expect(data?.length).toBeGreaterThanOrEqual(1);
  });

  it("refuses a health_check of a container another agent owns", async () => {
    const id = await insert(other, { ...seed.healthCheck(deployReply.payload.container_id as string), sender: other.id });
    const reply = await other.waitFor(replyTo(id));
    expect(reply).toMatchObject({ type: "refuse", intent: "health_check_refused", payload: { error: { code: "forbidden" } } });
  });

  it("redeploying the same agent for the same customer updates the service instead of creating another", async () => {
    const id = await insert(agent, { ...seed.deploy, payload: { ...seed.deploy.payload, image: "ghcr.io/agentify/weather:1.1.0" } });
    const reply = await agent.waitFor(replyTo(id));
    expect(reply.payload).toMatchObject({ container_id: deployReply.payload.container_id, address: deployReply.payload.address });
    const state = await (await fetch(`${s.railwayControlUrl}/state`)).json() as { services: { name: string }[] };
    expect(state.services.filter((svc) => svc.name.startsWith("weather-cust"))).toHaveLength(1);
  });

  it("leaves the env secret in no table row and no broadcast once processed", async () => {
    await eventually(async () => {
      const [row] = await sql`select count(*)::int as n from public.messages where status in ('queued','dispatched')`;
      return row!.n === 0 ? true : undefined;
    }, { what: "every request processed" });
    const tables = await sql<{ schema: string; name: string }[]>`
      select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and not c.relispartition
         and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
         -- the migrations' own SQL source (which speaks of Vault secrets), not data
         and (n.nspname, c.relname) <> ('supabase_migrations', 'schema_migrations')`;
    const leaks: string[] = [];
    for (const t of tables) {
      // Vault's rows are checked by their stored (encrypted) values: their names, such as
      // project_jwt_secret, are labels, not the seed's env value.
      const row = t.schema === "vault" && t.name === "secrets" ? "(r.secret, r.description)" : "r";
      const rows = await sql.unsafe(`select 1 from "${t.schema}"."${t.name}" r where ${row}::text ilike '%secret%' limit 1`);
      if (rows.length > 0) leaks.push(`${t.schema}.${t.name}`);
    }
    expect(leaks).toEqual([]);
    expect(agent.received.filter((m) => JSON.stringify(m).includes("secret"))).toEqual([]);
  });

  it("undeploy removes the service and keeps the row for history; a second undeploy is not_found", async () => {
    const containerId = deployReply.payload.container_id as string;
    const first = await agent.waitFor(replyTo(await agent.request("undeploy", { container_id: containerId })));
    expect(first).toMatchObject({ type: "inform", intent: "undeploy_complete", payload: { container_id: containerId, status: "removed" } });
    const { data } = await agent.supabase.from("containers").select("status").eq("id", containerId).single();
    expect(data).toEqual({ status: "removed" });
    const second = await agent.waitFor(replyTo(await agent.request("undeploy", { container_id: containerId })));
    expect(second).toMatchObject({ type: "failure", intent: "undeploy_failed", payload: { error: { code: "not_found" } } });
    const gone = await agent.waitFor(replyTo(await agent.request("get_address", seed.getAddress.payload)));
    expect(gone).toMatchObject({ type: "failure", payload: { error: { code: "not_found" } } });
  });
});

describe("bad input", () => {
  const base = seed.deploy.payload;
  it.each([
    ["no image", { ...base, image: undefined }, "image"],
    ["a malformed image reference", { ...base, image: "Not An Image!!" }, "image"],
    ["env with a non-string value", { ...base, env: { PORT: 8080 } }, "env.PORT"],
    ["cpu: lots", { ...base, resources: { cpu: "lots", memory: "512Mi" } }, "resources.cpu"],
    ["an unknown field", { ...base, colour: "blue" }, ""],
  ])("deploy_to_railway with %s gets invalid_payload with the zod issues, and deploys nothing", async (_label, payload, path) => {
    const customer = `cust_bad_${Math.random().toString(36).slice(2, 8)}`;
    const id = await agent.request("deploy_to_railway", { ...payload, customer_id: customer });
    const reply = await agent.waitFor(replyTo(id));
    expect(reply).toMatchObject({ type: "failure", intent: "deploy_to_railway_failed", payload: { error: { code: "invalid_payload" } } });
    const issues = (reply.payload.error as { details: { issues: { path: string }[] } }).details.issues;
    expect(issues.map((i) => i.path)).toContain(path);
    const { data } = await agent.supabase.from("containers").select("id").eq("customer_id", customer);
    expect(data).toEqual([]);
  });

  it("a payload over 64 KiB gets invalid_payload", async () => {
    const id = await agent.request("get_address", { agent_id: "agent.x.y", customer_id: "c1", padding: "x".repeat(70_000) });
    const reply = await agent.waitFor(replyTo(id));
    expect(reply.payload).toMatchObject({ error: { code: "invalid_payload", message: expect.stringMatching(/limit is 65536/) } });
  });

  it("the orchestrator function takes its tasks from the database's service-role key only", async () => {
    const url = `${s.apiUrl}/functions/v1/hosting-orchestrator`;
    const post = (key: string) => fetch(url, { method: "POST", body: '{"task":"drain"}', headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
    expect((await post(s.anonKey)).status).toBe(403);
    expect((await post(agent.token)).status).toBe(403);
    expect((await post(s.serviceRoleKey)).status).toBe(202);
  });

  it("an unknown intent gets not_understood", async () => {
    const reply = await agent.waitFor(replyTo(await agent.request("make_coffee", {})));
    expect(reply).toMatchObject({ type: "not_understood", intent: "make_coffee_not_understood", payload: { error: { code: "unknown_intent" } } });
  });

  it("a spoofed sender is refused by row level security", async () => {
    const { error } = await agent.supabase.from("messages").insert({ ...seed.getAddress, sender: "agent.marketplace.billing" });
    expect(error).toMatchObject({ code: "42501" });
    const { error: asOrchestrator } = await agent.supabase.from("messages").insert({ ...seed.getAddress, sender: ORCHESTRATOR });
    expect(asOrchestrator).toMatchObject({ code: "42501" });
  });

  it("a malformed envelope is refused by the database with a clear error", async () => {
    const { error } = await agent.supabase.from("messages").insert({ ...seed.getAddress, to: ["Not-An-Agent"] });
    expect(error).toMatchObject({ code: "23514", message: 'invalid recipient "Not-An-Agent"' });
  });

  it("a repeated idempotency key is the same request: one reply", async () => {
    const row = { ...seed.getAddress, idempotency_key: `k-${Date.now()}` };
    const { error: e1 } = await agent.supabase.from("messages").insert(row);
    const { error: e2 } = await agent.supabase.from("messages").insert(row);
    expect([e1, e2]).toEqual([null, null]);
    const { data } = await agent.supabase.from("messages").select("id").eq("idempotency_key", row.idempotency_key);
    expect(data).toHaveLength(1);
    const requestId = (data as { id: string }[])[0]!.id;
    await agent.waitFor(replyTo(requestId));
    const { data: replies } = await agent.supabase.from("messages").select("id").eq("in_reply_to", requestId);
    expect(replies).toHaveLength(1);
  });
});

describe("send_message", () => {
  it("returns the first message for a repeated key, even when two copies race, and the request is answered once", async () => {
    const args = { to: [ORCHESTRATOR], intent: "get_address", payload: seed.getAddress.payload, idempotency_key: `race-${Date.now()}` };
    const [a, b] = await Promise.all([agent.supabase.rpc("send_message", args), agent.supabase.rpc("send_message", args)]);
    expect([a.error, b.error]).toEqual([null, null]);
    const id = (a.data as { id: string }).id;
    expect((b.data as { id: string }).id).toBe(id);
    await agent.waitFor(replyTo(id));
    const { data } = await agent.supabase.from("messages").select("id").eq("in_reply_to", id);
    expect(data).toHaveLength(1);
  });
});

describe("Railway failing for a while", () => {
  const payload = (customer: string) => ({ ...seed.deploy.payload, customer_id: customer });

  it("still gets exactly one reply once Railway recovers", async () => {
    await railwayControl("/faults", { status: 503, count: 2 });
    const id = await agent.request("deploy_to_railway", payload("cust_flaky"));
    const reply = await agent.waitFor(replyTo(id), 60_000);
    expect(reply).toMatchObject({ type: "inform", intent: "deploy_to_railway_complete" });
    const { data } = await agent.supabase.from("messages").select("id").eq("in_reply_to", id);
    expect(data).toHaveLength(1);
  });

  it("answers provider_unavailable after the last retry", async () => {
    await sql`update private.dispatch_settings set max_attempts = 1`;
    try {
      await railwayControl("/faults", { status: 503, count: 1000 });
      const id = await agent.request("deploy_to_railway", payload("cust_down"));
      const reply = await agent.waitFor(replyTo(id), 90_000);
      expect(reply).toMatchObject({ type: "failure", payload: { error: { code: "provider_unavailable" } } });
      const { data } = await agent.supabase.from("containers").select("id").eq("customer_id", "cust_down");
      expect(data).toEqual([]);
    } finally {
      await railwayControl("/reset"); // clears the remaining injected faults
      await sql`update private.dispatch_settings set max_attempts = 5`;
    }
  }, 120_000);
});

describe("load", () => {
  it("answers 1,000 requests inserted at once by 10 agents exactly once each, only to their sender", async () => {
    const agents = await Promise.all(Array.from({ length: 10 }, (_, i) => connectAgent(`agent.load.a${i}`, s)));
    try {
      const sent = await Promise.all(agents.map(async (a) => {
        const rows = Array.from({ length: 100 }, (_, i) => ({
          type: "request", sender: a.id, to: [ORCHESTRATOR], intent: "get_address",
          payload: { agent_id: "agent.load.nothing", customer_id: `c${i}` },
        }));
        const { data, error } = await a.supabase.from("messages").insert(rows).select("id");
        if (error) throw new Error(error.message);
        return new Set((data as { id: string }[]).map((r) => r.id));
      }));
      await Promise.all(agents.map((a, i) =>
        eventually(async () => (a.received.filter((m) => m.in_reply_to && sent[i]!.has(m.in_reply_to)).length >= 100 ? true : undefined),
          { timeoutMs: 60_000, what: `${a.id}'s 100 replies` })));
      agents.forEach((a, i) => {
        const replies = a.received.filter((m) => m.in_reply_to);
        expect(replies.every((m) => sent[i]!.has(m.in_reply_to!))).toBe(true); // nothing of another agent's
        expect(new Set(replies.map((m) => m.in_reply_to)).size).toBe(100);
        expect(replies).toHaveLength(100); // none twice
      });
      const [row] = await sql`select count(*)::int as n from public.messages where in_reply_to = any(${[...sent.flatMap((s) => [...s])]}::uuid[])`;
      expect(row!.n).toBe(1000);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  }, 120_000);
});
