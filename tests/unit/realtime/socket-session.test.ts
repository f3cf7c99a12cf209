import { describe, expect, it } from "vitest";
import { signJwt } from "../../../local/keys/keys.ts";
import { silentLogger } from "../../../local/log/logger.ts";
import type { Authorizer } from "../../../local/realtime/authorization.ts";
import { ChannelRegistry } from "../../../local/realtime/channel-registry.ts";
import { OutgoingBroadcast, type Vsn } from "../../../local/realtime/serializer.ts";
import { SocketSession, type SessionTransport } from "../../../local/realtime/socket-session.ts";

/**
 * The session's pure parts with a fake transport and authorizer: joins and replies, refusals,
 * self/ack, private READ/WRITE caching, and the bounded send buffer that drops a slow consumer
 * without affecting the others.
 */
const secret = "unit-test-secret-unit-test-secret-0123456789";

class FakeTransport implements SessionTransport {
  frames: { data: string | Buffer; binary: boolean }[] = [];
  buffered = 0;
  terminated = false;
  send(data: Buffer | string, binary: boolean): void {
    this.frames.push({ data, binary });
  }
  bufferedAmount(): number {
    return this.buffered;
  }
  terminate(): void {
    this.terminated = true;
  }
  close(): void {}
  /** Text frames, decoded as vsn 2 arrays. */
  messages(): unknown[][] {
    return this.frames.filter((f) => !f.binary).map((f) => JSON.parse(f.data.toString()) as unknown[]);
  }
}

function fakeAuthorizer(read: boolean, write: boolean) {
  const calls = { read: 0, write: 0 };
  const authorizer: Authorizer = {
    canRead: async () => (calls.read++, read),
    canWrite: async () => (calls.write++, write),
  };
  return { authorizer, calls };
}

async function session(options: { registry?: ChannelRegistry; read?: boolean; write?: boolean; maxBufferedBytes?: number; vsn?: Vsn; tokenTtl?: number } = {}) {
  const token = await signJwt(secret, { role: "anon" }, options.tokenTtl ?? 3600);
  const transport = new FakeTransport();
  const { authorizer, calls } = fakeAuthorizer(options.read ?? true, options.write ?? true);
  const registry = options.registry ?? new ChannelRegistry();
  const s = new SocketSession(transport, {
    vsn: options.vsn ?? "2.0.0",
    connectToken: token,
    headers: {},
    jwtSecret: secret,
    registry,
    authorizer,
    limits: { maxBufferedBytes: options.maxBufferedBytes ?? 1024, maxChannels: 2, maxBroadcastBytes: 64 },
    log: silentLogger,
  });
  return { s, transport, registry, calls };
}

/** Lets the session's per-topic queues run (JWT checks are async): waits for `n` frames, bounded. */
async function frames(transport: FakeTransport, n: number): Promise<void> {
  for (let i = 0; i < 500 && transport.frames.length < n; i++) await new Promise((r) => setTimeout(r, 2));
  expect(transport.frames.length).toBeGreaterThanOrEqual(n);
}
/** For cases where no frame is the expected outcome: drains the queues of already-resolved work. */
const settle = () => new Promise((r) => setTimeout(r, 20));

const join = (ref: string, topic: string, config: Record<string, unknown> = {}) =>
  JSON.stringify([ref, ref, topic, "phx_join", { config: { broadcast: { self: false, ack: false }, presence: { key: "", enabled: false }, postgres_changes: [], private: false, ...config } }]);

describe("SocketSession", () => {
  it("answers heartbeats and joins with Phoenix replies", async () => {
    const { s, transport } = await session();
    s.receive(JSON.stringify([null, "1", "phoenix", "heartbeat", {}]), false);
    s.receive(join("2", "realtime:room"), false);
    await frames(transport, 2);
    expect(transport.messages()).toEqual([
      [null, "1", "phoenix", "phx_reply", { status: "ok", response: {} }],
      ["2", "2", "realtime:room", "phx_reply", { status: "ok", response: { postgres_changes: [] } }],
    ]);
  });

  it("refuses presence, postgres_changes, empty topics and too many channels with stable reasons", async () => {
    const { s, transport } = await session();
    s.receive(join("1", "realtime:p", { presence: { key: "", enabled: true } }), false);
    s.receive(join("2", "realtime:c", { postgres_changes: [{ event: "*", schema: "public" }] }), false);
    s.receive(join("3", "realtime:"), false);
    s.receive(join("4", "realtime:a"), false);
    s.receive(join("5", "realtime:b"), false);
    s.receive(join("6", "realtime:c2"), false);
    await frames(transport, 6);
    // Replies may come in any order (joins of different topics run concurrently): key them by ref.
    const reasons = Object.fromEntries(transport.messages().map((m) => [m[1], (m[4] as { response: { reason?: string } }).response.reason ?? "ok"]));
    expect(reasons).toEqual({
      "1": expect.stringMatching(/^PresenceNotSupported: /),
      "2": expect.stringMatching(/^PostgresChangesNotSupported: /),
      "3": "TopicNameRequired: You must provide a topic name",
      "4": "ok",
      "5": "ok",
      "6": "ChannelRateLimitReached: Too many channels",
    });
  });

  it("excludes the sender unless self, and acks only with ack", async () => {
    const registry = new ChannelRegistry();
    const a = await session({ registry });
    const b = await session({ registry });
    a.s.receive(join("1", "realtime:r", { broadcast: { self: true, ack: true } }), false);
    b.s.receive(join("1", "realtime:r"), false);
    await frames(a.transport, 1);
    await frames(b.transport, 1);
    a.transport.frames = [];
    b.transport.frames = [];
    a.s.receive(JSON.stringify(["1", "2", "realtime:r", "broadcast", { type: "broadcast", event: "e", payload: { v: 1 } }]), false);
    b.s.receive(JSON.stringify(["1", "3", "realtime:r", "broadcast", { type: "broadcast", event: "e", payload: { v: 2 } }]), false);
    await frames(a.transport, 3);
    await frames(b.transport, 1);
    expect(a.transport.messages().map((m) => m[3])).toEqual(["broadcast", "phx_reply", "broadcast"]);
    expect(b.transport.messages().map((m) => (m[4] as { payload: { v: number } }).payload.v)).toEqual([1]);
  });

  it("refuses a private join when READ fails, and checks WRITE once per token", async () => {
    const denied = await session({ read: false });
    denied.s.receive(join("1", "realtime:secret", { private: true }), false);
    await frames(denied.transport, 1);
    expect(denied.transport.messages()[0]?.[4]).toEqual({
      status: "error",
      response: { reason: "Unauthorized: You do not have permissions to read from this Channel topic: secret" },
    });

    const allowed = await session({ write: false });
    allowed.s.receive(join("1", "realtime:secret", { private: true, broadcast: { ack: true } }), false);
    await frames(allowed.transport, 1);
    for (const ref of ["2", "3"]) {
      allowed.s.receive(JSON.stringify(["1", ref, "realtime:secret", "broadcast", { type: "broadcast", event: "e", payload: {} }]), false);
    }
    await settle();
    expect(allowed.calls).toEqual({ read: 1, write: 1 });
    expect(allowed.transport.messages()).toHaveLength(1); // the join reply; denied sends get no ack
  });

  it("refuses oversize broadcasts", async () => {
    const { s, transport } = await session();
    s.receive(join("1", "realtime:r"), false);
    await frames(transport, 1);
    s.receive(JSON.stringify(["1", "2", "realtime:r", "broadcast", { type: "broadcast", event: "e", payload: { x: "y".repeat(100) } }]), false);
    await frames(transport, 2);
    expect(transport.messages()[1]?.[4]).toEqual({ status: "error", response: { reason: expect.stringMatching(/^PayloadSizeExceeded: /) } });
  });

  it("drops a slow consumer and keeps delivering to the others", async () => {
    const registry = new ChannelRegistry();
    const slow = await session({ registry, maxBufferedBytes: 100 });
    const fast = await session({ registry, maxBufferedBytes: 100 });
    slow.s.receive(join("1", "realtime:r"), false);
    fast.s.receive(join("1", "realtime:r"), false);
    await frames(slow.transport, 1);
    await frames(fast.transport, 1);
    slow.transport.buffered = 101; // the peer stopped reading
    const broadcast = new OutgoingBroadcast("realtime:r", "e", { kind: "json", text: "{}" }, undefined, false);
    expect(registry.fanout("r", false, broadcast)).toBe(2);
    expect(slow.transport.terminated).toBe(true);
    expect(slow.s.isClosed).toBe(true);
    expect(registry.subscriberCount("r", false)).toBe(1);
    registry.fanout("r", false, broadcast);
    expect(fast.transport.frames.filter((f) => f.data.toString().includes('"broadcast"'))).toHaveLength(2);
  });

  it("replies 'unmatched topic' to pushes on channels that were never joined, and ignores malformed frames", async () => {
    const { s, transport } = await session();
    s.receive("garbage", false);
    s.receive(JSON.stringify(["9", "10", "realtime:nope", "broadcast", { type: "broadcast", event: "e", payload: {} }]), false);
    await frames(transport, 1);
    expect(transport.messages()).toEqual([["9", "10", "realtime:nope", "phx_reply", { status: "error", response: { reason: "unmatched topic" } }]]);
  });

  it("closes a channel when its token expires: system error, then phx_close", async () => {
    const { s, transport } = await session({ tokenTtl: 1 });
    s.receive(join("1", "realtime:r"), false);
    await frames(transport, 1);
    // The expiry timer fires at the token's exp (within about a second): wait for its two frames.
    for (let i = 0; i < 100 && transport.frames.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(transport.messages().slice(1)).toEqual([
      ["1", null, "realtime:r", "system", { extension: "system", status: "error", message: "Token has expired", channel: "r" }],
      ["1", "1", "realtime:r", "phx_close", {}],
    ]);
  });
});
