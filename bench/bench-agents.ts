import { randomUUID } from "node:crypto";
import postgres, { type Sql } from "postgres";
import type { BackgroundStack } from "../local/stack/background-stack.ts";
import { connectAgent, ORCHESTRATOR, type Agent } from "../tests/support/agent-client.ts";

/** Shared set-up of the end-to-end benchmarks: agents, a deployed container to ask about, SQL access. */
export async function connectAgents(stack: BackgroundStack, count: number, prefix: string): Promise<Agent[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => connectAgent(`agent.bench.${prefix}${i}`, stack.info)));
}

export function adminSql(stack: BackgroundStack, max = 4): Sql {
  return postgres(stack.info.dbUrl, { max, onnotice: () => {} });
}

/** Deploys one agent on the local Railway (one per benchmark: `customer`) so get_address has something to answer. */
export async function deployTarget(agent: Agent, customer: string): Promise<{ agent_id: string; customer_id: string }> {
  const target = { agent_id: "agent.bench.target", customer_id: customer };
  const conversation = randomUUID();
  await agent.request("deploy_to_railway", { ...target, image: "ghcr.io/agentify/bench:1.0.0" }, { conversation_id: conversation });
  const reply = await agent.waitFor((m) => m.conversation_id === conversation && m.in_reply_to !== null, 30_000);
  if (reply.type !== "inform") throw new Error(`deploy for the benchmark failed: ${JSON.stringify(reply.payload)}`);
  return target;
}

export interface Sent {
  conversation: string;
  startedAt: number;
  insertedAt?: number;
}

/** Fresh requests to send: register them (by conversation id) before inserting, since a reply can beat the insert's response. */
export function prepareRequests(count: number): Sent[] {
  return Array.from({ length: count }, () => ({ conversation: randomUUID(), startedAt: performance.now() }));
}

/** Inserts get_address requests (one HTTP call for all rows) tagged with their conversation ids. */
export async function sendRequests(agent: Agent, target: Record<string, string>, sent: Sent[]): Promise<Sent[]> {
  const { error } = await agent.supabase.from("messages").insert(sent.map((s) => ({
    type: "request", sender: agent.id, to: [ORCHESTRATOR], intent: "get_address", payload: target, conversation_id: s.conversation,
  })));
  if (error) throw new Error(`insert failed: ${error.message}`);
  const now = performance.now();
  for (const s of sent) s.insertedAt = now;
  return sent;
}
