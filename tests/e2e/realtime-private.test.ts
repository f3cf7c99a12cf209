import type { RealtimeChannel } from "@supabase/supabase-js";
import type { Sql } from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../setup/clients.ts";
import {
  agentToken,
  expectNothing,
  inbox,
  nextSystem,
  clientTracker,
  subscribe,
  subscribeTracked,
  type TestClient,
  type Vsn,
} from "./realtime-helpers.ts";

/**
 * Realtime conformance, private channels and broadcast from the database, through supabase-js:
 * RLS on realtime.messages decides who joins (`select` policy, evaluated with realtime.topic()) and
 * who may send (`insert` policy); rows written by realtime.send reach the right subscribers, only
 * after commit, and no others; token refresh re-checks, and a revoking token closes the channel.
 *
 * Policies (created here, dropped afterwards): an agent reads and writes `agent:<its agent_id>`;
 * every authenticated caller reads `lobby:*` but nobody may write there.
 */
let sql: Sql;
const run = `${process.pid}`;
const A = `agent.test.a${run}`;
const B = `agent.test.b${run}`;

beforeAll(async () => {
  sql = connect();
  await sql.unsafe(`
    create policy "rt test: agents read their own topic and the lobby" on realtime.messages
      for select to authenticated
      using ((select realtime.topic()) = 'agent:' || (auth.jwt()->>'agent_id') or (select realtime.topic()) like 'lobby:%');
    create policy "rt test: agents write their own topic" on realtime.messages
      for insert to authenticated
      with check ((select realtime.topic()) = 'agent:' || (auth.jwt()->>'agent_id'));
  `);
});

afterAll(async () => {
  await sql.unsafe(`
    drop policy if exists "rt test: agents read their own topic and the lobby" on realtime.messages;
    drop policy if exists "rt test: agents write their own topic" on realtime.messages;
  `);
  await sql.end();
});

const { client, closeAll } = clientTracker();
afterEach(closeAll);

async function joined(c: TestClient, topic: string, isPrivate: boolean, event = "reply"): Promise<{ channel: RealtimeChannel; box: ReturnType<typeof inbox> }> {
  const channel = c.supabase.channel(topic, { config: { private: isPrivate } });
  const box = inbox(channel, event);
  const outcome = await subscribe(channel);
  expect(outcome).toEqual({ status: "SUBSCRIBED" });
  return { channel, box };
}

async function send(payload: Record<string, unknown>, event: string, topic: string, isPrivate: boolean): Promise<void> {
  await sql`select realtime.send(${sql.json(payload as never)}, ${event}, ${topic}, ${isPrivate})`;
}

describe("private channel joins", () => {
  it("admits the agent the select policy allows and refuses another agent and anon with the documented reason", async () => {
    const own = await client({ token: await agentToken(A) });
    await joined(own, `agent:${A}`, true);

    const other = await client({ token: await agentToken(B) });
    const refused = await subscribe(other.supabase.channel(`agent:${A}`, { config: { private: true } }));
    expect(refused.status).toBe("CHANNEL_ERROR");
    expect(refused.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: agent:${A}`);

    const anon = await client();
    const anonRefused = await subscribe(anon.supabase.channel(`agent:${A}`, { config: { private: true } }));
    expect(anonRefused.status).toBe("CHANNEL_ERROR");
    expect(anonRefused.error?.message).toMatch(/^Unauthorized: /);
  });

  it("lets the service role join any private topic (BYPASSRLS)", async () => {
    const { stack } = await import("../setup/clients.ts");
    const service = await client({ token: stack().serviceRoleKey });
    await joined(service, `agent:${A}`, true);
  });
});

describe.each<Vsn>(["2.0.0", "1.0.0"])("realtime.send from SQL, vsn %s", (vsn) => {
  it("reaches the private subscribers of its topic, with meta.id, and no one else", async () => {
    const ownA = await joined(await client({ vsn, token: await agentToken(A) }), `agent:${A}`, true);
    const ownB = await joined(await client({ vsn, token: await agentToken(B) }), `agent:${B}`, true);
    const publicA = await joined(await client({ vsn }), `agent:${A}`, false);

    await send({ text: "for A" }, "reply", `agent:${A}`, true);
    const got = (await ownA.box.next()) as { event: string; payload: { text: string; id: string }; meta?: { id: string } };
    expect(got.event).toBe("reply");
    expect(got.payload.text).toBe("for A");
    // realtime.send puts the row id in the payload and Realtime passes it as meta.id.
    expect(got.meta?.id).toBe(got.payload.id);

    await send({ text: "for B" }, "reply", `agent:${B}`, true);
    expect(((await ownB.box.next()) as { payload: { text: string } }).payload.text).toBe("for B");

    // A public row on the same topic reaches the public subscriber, not the private one.
    await send({ text: "public A" }, "reply", `agent:${A}`, false);
    expect(((await publicA.box.next()) as { payload: { text: string } }).payload.text).toBe("public A");

    expect(ownA.box.received).toHaveLength(1);
    expect(ownB.box.received).toHaveLength(1);
    expect(publicA.box.received).toHaveLength(1);
  });

  it("delivers only after commit, and never a rolled-back row", async () => {
    const ownA = await joined(await client({ vsn, token: await agentToken(A) }), `agent:${A}`, true);
    const reserved = await sql.reserve();
    try {
      await reserved`begin`;
      await reserved`select realtime.send(${sql.json({ n: 1 })}, 'reply', ${`agent:${A}`}, true)`;
      // Uncommitted: nothing may arrive (bounded window; the positive case follows on the same path).
      expect(await expectNothing(ownA.box)).toEqual([]);
      await reserved`commit`;
      expect(((await ownA.box.next()) as { payload: { n: number } }).payload.n).toBe(1);

      await reserved`begin`;
      await reserved`select realtime.send(${sql.json({ n: 2 })}, 'reply', ${`agent:${A}`}, true)`;
      await reserved`rollback`;
      await send({ n: 3 }, "reply", `agent:${A}`, true);
      expect(((await ownA.box.next()) as { payload: { n: number } }).payload.n).toBe(3);
      expect(ownA.box.received.map((m) => (m as { payload: { n: number } }).payload.n)).toEqual([1, 3]);
    } finally {
      reserved.release();
    }
  });
});

describe("sending on private channels", () => {
  it("needs the insert policy: allowed on the agent's own topic, silently dropped in the read-only lobby", async () => {
    const topic = `agent:${A}`;
    const sender = await client({ token: await agentToken(A) });
    const senderChannel = sender.supabase.channel(topic, { config: { private: true, broadcast: { ack: true } } });
    expect((await subscribe(senderChannel)).status).toBe("SUBSCRIBED");
    const receiver = await joined(await client({ token: await agentToken(A) }), topic, true, "note");
    expect(await senderChannel.send({ type: "broadcast", event: "note", payload: { ok: 1 } })).toBe("ok");
    expect(await receiver.box.next()).toMatchObject({ payload: { ok: 1 } });

    const lobby = `lobby:${run}`;
    const lobbySender = sender.supabase.channel(lobby, { config: { private: true, broadcast: { ack: true } } });
    expect((await subscribe(lobbySender)).status).toBe("SUBSCRIBED");
    const lobbyReceiver = await joined(await client({ token: await agentToken(B) }), lobby, true, "note");
    // Denied: no delivery and no ack (Realtime drops it silently), so the push times out client-side.
    expect(await lobbySender.send({ type: "broadcast", event: "note", payload: { no: 1 } }, { timeout: 500 })).toBe("timed out");
    await send({ control: true }, "note", lobby, true);
    expect(await lobbyReceiver.box.next()).toMatchObject({ payload: { control: true } });
    expect(lobbyReceiver.box.received).toHaveLength(1);
  });
});

describe("access_token refresh", () => {
  it("keeps a channel whose new token still passes READ, and closes one whose new token does not", async () => {
    const topic = `agent:${A}`;
    const c = await client({ token: await agentToken(A) });
    const channel = c.supabase.channel(topic, { config: { private: true } });
    const box = inbox(channel, "reply");
    const tracked = subscribeTracked(channel);
    expect(await tracked.first).toEqual({ status: "SUBSCRIBED" });

    c.setToken(await agentToken(A, 7200));
    await c.refreshAuth();
    await send({ step: "after refresh" }, "reply", topic, true);
    expect(await box.next()).toMatchObject({ payload: { step: "after refresh" } });

    const system = nextSystem(channel);
    c.setToken(await agentToken(B));
    await c.refreshAuth();
    expect(await system).toMatchObject({
      extension: "system",
      status: "error",
      message: `You no longer have permissions to read from this Channel topic: ${topic}`,
    });
    await tracked.waitFor("CLOSED");
  });
});

describe("realtime.broadcast_changes from a trigger", () => {
  it("delivers the row change as {operation, table, schema, record, old_record}", async () => {
    const table = `rt_test_items_${run}`;
    await sql.unsafe(`
      create table public.${table} (id int primary key, owner text not null, label text);
      create function public.${table}_broadcast() returns trigger language plpgsql as $$
      begin
        perform realtime.broadcast_changes('agent:' || coalesce(new.owner, old.owner), tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
        return null;
      end $$;
      create trigger broadcast_changes after insert or update or delete on public.${table}
        for each row execute function public.${table}_broadcast();
    `);
    try {
      const own = await joined(await client({ token: await agentToken(A) }), `agent:${A}`, true, "INSERT");
      await sql.unsafe(`insert into public.${table} (id, owner, label) values (1, $1, 'first')`, [A]);
      expect(await own.box.next()).toMatchObject({
        event: "INSERT",
        payload: { operation: "INSERT", table, schema: "public", record: { id: 1, owner: A, label: "first" }, old_record: null },
      });
    } finally {
      await sql.unsafe(`drop table if exists public.${table}; drop function if exists public.${table}_broadcast();`);
    }
  });
});
