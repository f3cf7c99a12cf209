import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, eventually, stack } from "../setup/clients.ts";
import { connectAgent, ORCHESTRATOR, replyTo, type Agent, type Envelope } from "../support/agent-client.ts";

/**
 * Auto-heal end to end: a container deployed through the message bus to the local Railway stops
 * answering its health check; one sweep (woken as pg_cron wakes it) finds it unhealthy, restarts its
 * deployment through the Railway client, records the heal and tells the owner over Realtime.
 */
const s = stack();
const sql = connect();
const control = (path: string, body: unknown = {}) =>
  fetch(`${s.railwayControlUrl}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

const OWNER = "agent.marketplace.health-heal";
let agent: Agent;
beforeAll(async () => { agent = await connectAgent(OWNER, s); });
afterAll(async () => {
  await sql`update public.containers set status = 'removed', removed_at = now() where owner_agent_id = ${OWNER}`;
  await agent.close();
  await sql.end();
});

describe("auto-heal through the local Railway", () => {
  it("restarts an unhealthy Railway container, records the heal and informs its owner", async () => {
    const { data, error } = await agent.supabase.from("messages").insert({
      type: "request", sender: OWNER, to: [ORCHESTRATOR], intent: "deploy_to_railway",
      payload: { agent_id: "agent.marketplace.healme", customer_id: `heal-${Date.now()}`, image: "ghcr.io/agentify/healme:1.0.0" },
    }).select("id").single();
    if (error) throw new Error(error.message);
    const reply: Envelope = await agent.waitFor(replyTo((data as { id: string }).id));
    const containerId = reply.payload.container_id as string;
    await agent.waitFor((m) => m.intent === "deployment_status_changed" && m.payload.container_id === containerId && m.payload.status === "running");
    const [container] = await sql`update public.containers set health_failure_threshold = 1 where id = ${containerId}
                                  returning provider_service_id, provider_deployment_id`;
    expect((await control(`/services/${container!.provider_service_id}/health`, { status: 503 })).status).toBe(200);

    await sql`select private.wake_health_sweep()`;
    const healed = await agent.waitFor((m) => m.intent === "container_healed" && m.payload.container_id === containerId);
    expect(healed.payload).toMatchObject({ provider_deployment_id: container!.provider_deployment_id, attempt: 1, outcome: "restarted", error: null });
    const changed = await agent.waitFor((m) => m.intent === "health_changed" && m.payload.container_id === containerId && m.payload.new === "unhealthy");
    expect(changed.payload).toMatchObject({ last_error: "HTTP 503" });
    const heals = await sql`select kind, status, provider_deployment_id from public.deployments where container_id = ${containerId} and kind = 'heal'`;
    expect(heals).toEqual([{ kind: "heal", status: "succeeded", provider_deployment_id: container!.provider_deployment_id }]);
    const state = await eventually(async () => {
      const r = await fetch(`${s.railwayControlUrl}/state`);
      const snapshot = await r.json() as { deployments: { id: string; restarts: number }[] };
      const d = snapshot.deployments.find((x) => x.id === container!.provider_deployment_id);
      return d && d.restarts >= 1 ? d : undefined;
    }, { what: "the local Railway to see the restart" });
    expect(state.restarts).toBe(1);
  });
});
