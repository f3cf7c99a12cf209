import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stack } from "../setup/clients.ts";
import { clientTracker, inbox, subscribe, token, type Vsn } from "./realtime-helpers.ts";

/**
 * Realtime conformance, public channels, driven through supabase-js: join, broadcast between
 * clients (self / ack), leave, heartbeats, connect-time JWT checks, refused presence and
 * postgres_changes joins that leave broadcast on the same socket working, reconnects — for both
 * serializers (vsn 1.0.0 JSON objects, vsn 2.0.0 arrays + binary broadcast frames).
 */
const { client, closeAll } = clientTracker();
afterEach(closeAll);

let topicCounter = 0;
const freshTopic = (name: string) => `${name}-${process.pid}-${++topicCounter}`;

describe.each<Vsn>(["2.0.0", "1.0.0"])("public broadcast, vsn %s", (vsn) => {
  it("joins, and a broadcast reaches the other subscriber but not the sender (self: false)", async () => {
    const topic = freshTopic("room");
    const a = await client({ vsn });
    const b = await client({ vsn });
    const sender = a.supabase.channel(topic);
    const senderBox = inbox(sender, "hello");
    const receiver = b.supabase.channel(topic);
    const receiverBox = inbox(receiver, "hello");
    expect(await subscribe(sender)).toEqual({ status: "SUBSCRIBED" });
    expect(await subscribe(receiver)).toEqual({ status: "SUBSCRIBED" });

    expect(await sender.send({ type: "broadcast", event: "hello", payload: { n: 1, text: "héllo ✓" } })).toBe("ok");
    const got = await receiverBox.next();
    expect(got).toMatchObject({ type: "broadcast", event: "hello", payload: { n: 1, text: "héllo ✓" } });

    // The sender's own copy would have arrived before the receiver's second message.
    await sender.send({ type: "broadcast", event: "hello", payload: { n: 2 } });
    await receiverBox.nth(2);
    expect(senderBox.received).toEqual([]);
  });

  it("honours self: true and ack: true", async () => {
    const topic = freshTopic("echo");
    const a = await client({ vsn });
    const channel = a.supabase.channel(topic, { config: { broadcast: { self: true, ack: true } } });
    const box = inbox(channel, "ping");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    // With ack the promise settles only when the server replies: "ok", never "timed out".
    expect(await channel.send({ type: "broadcast", event: "ping", payload: { x: 1 } })).toBe("ok");
    expect(await box.next()).toMatchObject({ event: "ping", payload: { x: 1 } });
  });

  it("stops delivering after leave, and the client sees the channel closed", async () => {
    const topic = freshTopic("leave");
    const a = await client({ vsn });
    const b = await client({ vsn });
    const sender = a.supabase.channel(topic);
    const stays = b.supabase.channel(topic);
    const leaver = await client({ vsn });
    const leaves = leaver.supabase.channel(topic);
    const staysBox = inbox(stays, "e");
    for (const ch of [sender, stays, leaves]) expect((await subscribe(ch)).status).toBe("SUBSCRIBED");

    expect(await leaves.unsubscribe()).toBe("ok");
    await sender.send({ type: "broadcast", event: "e", payload: { after: "leave" } });
    await staysBox.next();
    // The client drops frames of channels it left, so look at the socket's frames: the server must
    // not have sent the broadcast at all (bounded window after the positive delivery above).
    await new Promise((r) => setTimeout(r, 200));
    expect(leaver.frames.filter((f) => f.includes(`realtime:${topic} broadcast`))).toEqual([]);
    expect(leaver.frames.some((f) => f.includes(`realtime:${topic} phx_close`))).toBe(true);
  });

  it("answers heartbeats", async () => {
    const a = await client({ vsn });
    const statuses: string[] = [];
    const ok = new Promise<void>((resolve) =>
      a.supabase.realtime.onHeartbeat((status) => {
        statuses.push(status);
        if (status === "ok") resolve();
      }),
    );
    const channel = a.supabase.channel(freshTopic("hb"));
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    await a.supabase.realtime.sendHeartbeat();
    await ok;
    expect(statuses).toContain("ok");
  });

  it("refuses presence and postgres_changes joins with a documented error, and broadcast on the same socket keeps working", async () => {
    const topic = freshTopic("mixed");
    const a = await client({ vsn });
    const b = await client({ vsn });
    const presence = a.supabase.channel(freshTopic("presence"));
    presence.on("presence", { event: "sync" }, () => {});
    const presenceOutcome = await subscribe(presence);
    expect(presenceOutcome.status).toBe("CHANNEL_ERROR");
    expect(presenceOutcome.error?.message).toMatch(/^PresenceNotSupported: /);

    const changes = a.supabase.channel(freshTopic("changes"));
    changes.on("postgres_changes", { event: "*", schema: "public", table: "messages" }, () => {});
    const changesOutcome = await subscribe(changes);
    expect(changesOutcome.status).toBe("CHANNEL_ERROR");
    expect(changesOutcome.error?.message).toMatch(/^PostgresChangesNotSupported: /);
    await a.supabase.removeChannel(presence);
    await a.supabase.removeChannel(changes);

    const listener = a.supabase.channel(topic);
    const box = inbox(listener, "still");
    expect((await subscribe(listener)).status).toBe("SUBSCRIBED");
    const sender = b.supabase.channel(topic);
    expect((await subscribe(sender)).status).toBe("SUBSCRIBED");
    await sender.send({ type: "broadcast", event: "still", payload: { works: true } });
    expect(await box.next()).toMatchObject({ payload: { works: true } });
  });

  it("keeps working after the connection drops and the client reconnects", async () => {
    const topic = freshTopic("reconnect");
    const a = await client({ vsn });
    const b = await client({ vsn });
    const listener = a.supabase.channel(topic);
    const box = inbox(listener, "e");
    const statuses: string[] = [];
    const resubscribed = new Promise<void>((resolve) =>
      listener.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED" && statuses.filter((s) => s === "SUBSCRIBED").length === 2) resolve();
      }),
    );
    const sender = b.supabase.channel(topic);
    expect((await subscribe(sender)).status).toBe("SUBSCRIBED");
    await new Promise<void>((resolve) => {
      const check = () => (statuses.includes("SUBSCRIBED") ? resolve() : setTimeout(check, 20));
      check();
    });
    // Drop the TCP connection under the client, as a network failure would.
    // realtime-js keeps the transport on its (internal) phoenix socket.
    const internals = a.supabase.realtime as unknown as { socketAdapter: { getSocket(): { conn: WebSocket | null } } };
    const conn = internals.socketAdapter.getSocket().conn;
    expect(conn).toBeTruthy();
    conn!.terminate();
    await resubscribed;
    await sender.send({ type: "broadcast", event: "e", payload: { after: "reconnect" } });
    expect(await box.next()).toMatchObject({ payload: { after: "reconnect" } });
  });
});

describe("vsn 2.0.0 binary frames", () => {
  it("carries an ArrayBuffer payload from client to client (kind 3 in, kind 4 out)", async () => {
    const topic = freshTopic("bin");
    const a = await client({ vsn: "2.0.0" });
    const b = await client({ vsn: "2.0.0" });
    const sender = a.supabase.channel(topic);
    const receiver = b.supabase.channel(topic);
    const box = inbox<{ payload: ArrayBuffer }>(receiver, "blob");
    expect((await subscribe(sender)).status).toBe("SUBSCRIBED");
    expect((await subscribe(receiver)).status).toBe("SUBSCRIBED");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sender.send({ type: "broadcast", event: "blob", payload: bytes.buffer });
    const got = await box.next();
    expect(new Uint8Array(got.payload)).toEqual(bytes);
  });

  it("delivers between a vsn 1.0.0 sender and a vsn 2.0.0 receiver, and back", async () => {
    const topic = freshTopic("mixed-vsn");
    const v1 = await client({ vsn: "1.0.0" });
    const v2 = await client({ vsn: "2.0.0" });
    const c1 = v1.supabase.channel(topic);
    const c2 = v2.supabase.channel(topic);
    const box1 = inbox(c1, "m");
    const box2 = inbox(c2, "m");
    expect((await subscribe(c1)).status).toBe("SUBSCRIBED");
    expect((await subscribe(c2)).status).toBe("SUBSCRIBED");
    await c1.send({ type: "broadcast", event: "m", payload: { from: "v1" } });
    await c2.send({ type: "broadcast", event: "m", payload: { from: "v2" } });
    expect(await box2.next()).toMatchObject({ payload: { from: "v1" } });
    expect(await box1.next()).toMatchObject({ payload: { from: "v2" } });
  });
});

describe("connect-time JWT check", () => {
  function upgradeStatus(apikey: string | undefined): Promise<{ status: number; body: string }> {
    const s = stack();
    const url = new URL("realtime/v1/websocket", s.apiUrl.replace(/^http/, "ws") + "/");
    if (apikey !== undefined) url.searchParams.set("apikey", apikey);
    url.searchParams.set("vsn", "2.0.0");
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on("open", () => {
        ws.close();
        resolve({ status: 101, body: "" });
      });
      ws.on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on("error", (error) => {
        if (!String(error).includes("Unexpected server response")) reject(error);
      });
    });
  }

  it("accepts the anon key and refuses missing, forged, expired or claim-less keys with 401 JSON", async () => {
    expect((await upgradeStatus(stack().anonKey)).status).toBe(101);
    const missing = await upgradeStatus(undefined);
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toHaveProperty("error");

    const forged = stack().anonKey.slice(0, -4) + "AAAA";
    expect((await upgradeStatus(forged)).status).toBe(401);

    const expired = await token({ role: "anon" }, -60);
    const expiredResult = await upgradeStatus(expired);
    expect(expiredResult.status).toBe(401);
    expect(JSON.parse(expiredResult.body).error).toMatch(/^Token has expired \d+ seconds ago$/);

    const noRole = await token({ sub: "x" });
    const noRoleResult = await upgradeStatus(noRole);
    expect(noRoleResult.status).toBe(401);
    expect(JSON.parse(noRoleResult.body).error).toBe("Fields `role` and `exp` are required in JWT");
  });

  it("refuses a join whose access_token has expired, with InvalidJWTToken", async () => {
    const expired = await token({ role: "authenticated", sub: "late" }, -10);
    const a = await client({ token: expired });
    const outcome = await subscribe(a.supabase.channel(freshTopic("expired")));
    expect(outcome.status).toBe("CHANNEL_ERROR");
    expect(outcome.error?.message).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
  });
});

describe("slow consumers", () => {
  it("disconnects a subscriber that stops reading, while the others get every message", async () => {
    const topic = freshTopic("flood");
    const slow = await client();
    const fast = await client();
    const slowChannel = slow.supabase.channel(topic);
    const fastChannel = fast.supabase.channel(topic);
    const fastBox = inbox<{ payload: { i: number } }>(fastChannel, "big");
    expect((await subscribe(slowChannel)).status).toBe("SUBSCRIBED");
    expect((await subscribe(fastChannel)).status).toBe("SUBSCRIBED");

    // Stop reading on the slow client's TCP socket: the server's per-socket buffer fills up.
    const internals = slow.supabase.realtime as unknown as { socketAdapter: { getSocket(): { conn: WebSocket & { _socket: import("node:net").Socket } } } };
    const conn = internals.socketAdapter.getSocket().conn;
    const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
    conn._socket.pause();

    // 60 × 500 kB ≈ 30 MB: far more than the 4 MiB limit plus the kernel's socket buffers.
    const sender = (await client()).supabase.channel(topic);
    const blob = "x".repeat(500_000);
    const count = 60;
    for (let i = 0; i < count; i++) await expect(sender.httpSend("big", { i, blob })).resolves.toEqual({ success: true });
    expect((await fastBox.nth(count)).payload.i).toBe(count - 1);
    expect(fastBox.received.map((m) => m.payload.i)).toEqual(Array.from({ length: count }, (_, i) => i));

    conn._socket.resume();
    // The server dropped the slow socket (realtime-js reconnects on its own); bounded so a server that
    // kept the socket fails here instead of at the test timeout.
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("slow socket was not disconnected")), 15_000))]);
  });
});
