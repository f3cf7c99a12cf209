import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { maintainMessagePartitions } from "../../local/realtime/partitions.ts";
import { agentClaims, asRole } from "../setup/as-role.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";

const ORCH = "agent.agentify.hosting-orchestrator";
const A = "agent.marketplace.orchestrator";
const B = "agent.monitoring.health";

let db: TestDatabase;
let admin: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  admin = db.connectAs("supabase_admin");
  await maintainMessagePartitions(admin);
});
afterAll(async () => { await db.drop(); });

async function send(agent: string, row: Record<string, unknown>) {
  return asRole(db.sql, agentClaims(agent), (tx) => tx`insert into public.messages ${tx(row as never)} returning id, status, conversation_id`);
}
const request = (intent: string, payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ type: "request", sender: A, to: [ORCH], intent, payload: db.sql.json(payload as never), ...extra });

describe("envelope validation", () => {
  it.each([
    [{ sender: "Agent.Bad" }, 'invalid sender "Agent.Bad"'],
    [{ to: [] }, 'a message needs at least one recipient in "to"'],
    [{ to: ["agent.ok", "nope"] }, 'invalid recipient "nope"'],
    [{ intent: "Deploy-Now" }, 'invalid intent "Deploy-Now"'],
    [{ payload: "array" }, "payload must be a JSON object, got array"],
    [{ type: "shout" }, "messages_type_known"],
  ] as [Record<string, unknown>, string][])("refuses %j with a clear error", async (change, message) => {
    const row = { ...request("get_address"), ...change, ...(change.payload === "array" ? { payload: db.sql.json([1, 2]) } : {}) };
    await expect(db.sql`insert into public.messages ${db.sql(row as never)}`).rejects.toThrow(message);
  });

  it("refuses a row with a missing field", async () => {
    await expect(db.sql`insert into public.messages (type, sender, "to") values ('request', ${A}, ${[ORCH]})`)
      .rejects.toThrow(/null value in column "intent"/);
  });

  it("queues requests addressed to the orchestrator, delivers everything else, and ignores a forged status", async () => {
    const [queued] = await send(A, { ...request("get_address", { agent_id: "agent.x.y", customer_id: "c" }) });
    expect(queued).toMatchObject({ status: "queued" });
    expect(queued!.conversation_id).toBe(queued!.id);
    const [other] = await send(A, { type: "inform", sender: A, to: [B], intent: "hello", payload: db.sql.json({}) });
    expect(other).toMatchObject({ status: "delivered" });
    const [forged] = await db.sql`insert into public.messages (type, sender, "to", intent, status) values ('request', ${A}, ${[ORCH]}, 'get_address', 'done') returning status`;
    expect(forged).toMatchObject({ status: "queued" });
  });
});

describe("row level security", () => {
  it("lets an agent send only as itself, and never as the orchestrator", async () => {
    await expect(send(A, request("get_address", {}, { sender: B }))).rejects.toMatchObject({ code: "42501" });
    await expect(send(ORCH, { type: "inform", sender: ORCH, to: [A], intent: "x", payload: db.sql.json({}) })).rejects.toMatchObject({ code: "42501" });
    await expect(asRole(db.sql, { role: "anon" }, (tx) => tx`insert into public.messages ${tx(request("get_address") as never)}`))
      .rejects.toMatchObject({ code: "42501" });
  });

  it("lets an agent read only the messages it sent or received", async () => {
    const [mine] = await send(A, { type: "inform", sender: A, to: [B], intent: "only_a_and_b", payload: db.sql.json({}) });
    const seenBy = async (agent: string) => (await asRole(db.sql, agentClaims(agent), (tx) => tx`select id from public.messages where id = ${mine!.id}`)).length;
    expect(await seenBy(A)).toBe(1);
    expect(await seenBy(B)).toBe(1);
    expect(await seenBy("agent.someone.else")).toBe(0);
    expect((await asRole(db.sql, { role: "authenticated", operator: true }, (tx) => tx`select id from public.messages where id = ${mine!.id}`)).length).toBe(1);
  });

  it("keeps agents from changing messages", async () => {
    const [mine] = await send(A, request("get_address"));
    await expect(asRole(db.sql, agentClaims(A), (tx) => tx`update public.messages set status = 'done' where id = ${mine!.id}`))
      .rejects.toMatchObject({ code: "42501" });
  });
});

describe("idempotency keys", () => {
  it("keeps the first message of a repeated (sender, idempotency_key)", async () => {
    const row = request("get_address", { agent_id: "agent.x.y", customer_id: "c" }, { idempotency_key: "retry-1" });
    const [first] = await send(A, row);
    const second = await send(A, row);
    expect(first).toBeDefined();
    expect(second).toEqual([]);
    const viaFunction = await asRole(db.sql, agentClaims(A), (tx) =>
      tx`select (public.send_message(${[ORCH]}, 'get_address', '{}'::jsonb, idempotency_key => 'retry-1')).id`);
    expect(viaFunction[0]!.id).toBe(first!.id);
    const [{ n }] = await db.sql`select count(*)::int as n from public.messages where idempotency_key = 'retry-1'` as unknown as [{ n: number }];
    expect(n).toBe(1);
  });
});

describe("replies and retries", () => {
  async function claimed(intent: string, payload: Record<string, unknown> = {}) {
    const [row] = await send(A, request(intent, payload));
    await db.sql`update public.messages set status = 'queued' where status = 'queued' and id <> ${row!.id}`; // no-op: others stay
    const claimedRows = await db.sql`select id, attempts from private.claim_requests(1000) where id = ${row!.id}`;
    expect(claimedRows).toHaveLength(1);
    return row!.id as string;
  }

  it("writes exactly one reply, redacts env values, and answers the sender's topic", async () => {
    const id = await claimed("deploy_to_railway", { env: { API_KEY: "secret", OTHER: "secret too" }, image: "x" });
    const reply = { deployment_id: "d", status: "deploying" };
    const [{ first }] = await db.sql`select private.complete_request(${id}, 'inform', 'deploy_to_railway_complete', ${db.sql.json(reply)}) as first` as unknown as [{ first: string }];
    const [{ second }] = await db.sql`select private.complete_request(${id}, 'inform', 'deploy_to_railway_complete', ${db.sql.json(reply)}) as second` as unknown as [{ second: string | null }];
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    const replies = await db.sql`select type, intent, sender, "to", in_reply_to from public.messages where in_reply_to = ${id}`;
    expect(replies).toEqual([{ type: "inform", intent: "deploy_to_railway_complete", sender: ORCH, to: [A], in_reply_to: id }]);
    const [req] = await db.sql`select status, payload, processed_at is not null as processed from public.messages where id = ${id}`;
    expect(req).toMatchObject({ status: "done", processed: true, payload: { env: { API_KEY: "[redacted]", OTHER: "[redacted]" }, image: "x" } });
    const broadcasts = await admin`select topic, event, private, payload->>'in_reply_to' as in_reply_to from realtime.messages where payload->>'in_reply_to' = ${id}`;
    expect(broadcasts).toEqual([{ topic: `agent:${A}`, event: "deploy_to_railway_complete", private: true, in_reply_to: id }]);
    expect(await admin`select 1 from realtime.messages where payload::text like '%secret%'`).toEqual([]);
  });

  it("re-queues a released request with backoff and answers dispatch_failed after the last attempt", async () => {
    await db.sql`update private.dispatch_settings set max_attempts = 2`;
    const id = await claimed("get_address");
    await db.sql`select private.release_request(${id}, 'provider_unavailable: down')`;
    const [again] = await db.sql`select status, attempts, last_error, next_attempt_at > now() as later from public.messages where id = ${id}`;
    expect(again).toEqual({ status: "queued", attempts: 1, last_error: "provider_unavailable: down", later: true });

    await db.sql`update public.messages set next_attempt_at = now() where id = ${id}`;
    expect(await db.sql`select id from private.claim_requests(1000) where id = ${id}`).toHaveLength(1);
    await db.sql`select private.release_request(${id}, 'provider_unavailable: still down')`;
    const [failed] = await db.sql`select status from public.messages where id = ${id}`;
    expect(failed).toEqual({ status: "failed" });
    const [reply] = await db.sql`select type, intent, payload->'error'->>'code' as code from public.messages where in_reply_to = ${id}`;
    expect(reply).toEqual({ type: "failure", intent: "get_address_failed", code: "dispatch_failed" });
    await db.sql`update private.dispatch_settings set max_attempts = 5`;
  });

  it("the sweeper releases requests left dispatched past the deadline", async () => {
    const id = await claimed("get_address");
    await db.sql`update public.messages set dispatched_at = now() - interval '1 hour' where id = ${id}`;
    const [{ result }] = await db.sql`select private.sweep_messages() as result` as unknown as [{ result: { released: number } }];
    expect(result.released).toBeGreaterThanOrEqual(1);
    const [row] = await db.sql`select status, last_error from public.messages where id = ${id}`;
    expect(row).toEqual({ status: "queued", last_error: "no reply within the dispatch deadline" });
  });

  it("never lets two concurrent drains claim the same request", async () => {
    await db.sql`update public.messages set status = 'done' where status in ('queued', 'dispatched')`;
    for (let i = 0; i < 40; i++) await send(A, request("get_address"));
    const other = db.connectAs("postgres");
    const [one, two] = await Promise.all([
      db.sql.begin((tx) => tx`select id from private.claim_requests(25)`),
      other.begin((tx) => tx`select id from private.claim_requests(25)`),
    ]);
    const ids = [...one, ...two].map((r) => r.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });
});
