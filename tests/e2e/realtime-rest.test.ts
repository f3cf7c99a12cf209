import type { Sql } from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, stack } from "../setup/clients.ts";
import { agentToken, clientTracker, inbox, subscribe } from "./realtime-helpers.ts";

/**
 * Realtime's REST broadcast API through supabase-js: `channel.httpSend()` (single endpoint, JSON and
 * bytes), `channel.send()` on a channel that is not joined (batch endpoint fallback), private
 * messages gated by the insert policy; plus the error shapes of the endpoint itself.
 */
let sql: Sql;
const run = `${process.pid}`;
const A = `agent.rest.a${run}`;
const B = `agent.rest.b${run}`;

beforeAll(async () => {
  sql = connect();
  await sql.unsafe(`
    create policy "rt rest test: agents read their own topic" on realtime.messages for select to authenticated
      using ((select realtime.topic()) = 'agent:' || (auth.jwt()->>'agent_id'));
    create policy "rt rest test: agents write their own topic" on realtime.messages for insert to authenticated
      with check ((select realtime.topic()) = 'agent:' || (auth.jwt()->>'agent_id'));
  `);
});

afterAll(async () => {
  await sql.unsafe(`
    drop policy if exists "rt rest test: agents read their own topic" on realtime.messages;
    drop policy if exists "rt rest test: agents write their own topic" on realtime.messages;
  `);
  await sql.end();
});

const { client, closeAll } = clientTracker();
afterEach(closeAll);

let n = 0;
const fresh = (name: string) => `${name}-${run}-${++n}`;

describe("REST broadcast", () => {
  it("httpSend delivers JSON and binary payloads to public subscribers", async () => {
    const topic = fresh("rest");
    const listener = await client();
    const channel = listener.supabase.channel(topic);
    const json = inbox(channel, "json");
    const bin = inbox<{ payload: ArrayBuffer }>(channel, "bin");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");

    const sender = (await client()).supabase.channel(topic);
    await expect(sender.httpSend("json", { hello: "world" })).resolves.toEqual({ success: true });
    expect(await json.next()).toMatchObject({ event: "json", payload: { hello: "world" } });

    const bytes = new Uint8Array([9, 8, 7]);
    await expect(sender.httpSend("bin", bytes)).resolves.toEqual({ success: true });
    expect(new Uint8Array((await bin.next()).payload)).toEqual(bytes);
  });

  it("send() on a channel that is not joined falls back to the batch endpoint", async () => {
    const topic = fresh("batch");
    const listener = await client();
    const channel = listener.supabase.channel(topic);
    const box = inbox(channel, "e");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    const notJoined = (await client()).supabase.channel(topic);
    expect(await notJoined.send({ type: "broadcast", event: "e", payload: { via: "rest" } })).toBe("ok");
    expect(await box.next()).toMatchObject({ payload: { via: "rest" } });
  });

  it("private messages need the insert policy: 403 for httpSend, skipped in a batch", async () => {
    const topic = `agent:${A}`;
    const listener = await client({ token: await agentToken(A) });
    const channel = listener.supabase.channel(topic, { config: { private: true } });
    const box = inbox(channel, "p");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");

    const intruder = (await client({ token: await agentToken(B) })).supabase.channel(topic, { config: { private: true } });
    await expect(intruder.httpSend("p", { from: "B" })).rejects.toThrow("Unauthorized");
    expect(await intruder.send({ type: "broadcast", event: "p", payload: { from: "B batch" } })).toBe("ok"); // 202, skipped

    const owner = (await client({ token: await agentToken(A) })).supabase.channel(topic, { config: { private: true } });
    await expect(owner.httpSend("p", { from: "A" })).resolves.toEqual({ success: true });
    expect(await box.next()).toMatchObject({ payload: { from: "A" } });
    expect(box.received).toHaveLength(1);
  });

  it("answers 401, 422 and 415 in Realtime's shapes", async () => {
    const url = `${stack().apiUrl}/realtime/v1/api/broadcast`;
    const noAuth = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ message: "Unauthorized" });

    const headers = { apikey: stack().anonKey, "content-type": "application/json" };
    const invalid = await fetch(url, { method: "POST", headers, body: JSON.stringify({ messages: [{ topic: "t" }] }) });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toHaveProperty("errors");

    const notJson = await fetch(url, { method: "POST", headers, body: "{nope" });
    expect(notJson.status).toBe(422);

    const wrongType = await fetch(`${url}/t/events/e`, { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: "x" });
    expect(wrongType.status).toBe(415);
  });
});
