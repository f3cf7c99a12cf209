import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { signJwt } from "../../local/keys/keys.ts";
import { stack } from "../setup/clients.ts";

/**
 * Helpers for the Realtime conformance tests: everything goes through the official supabase-js.
 * Waits are on events (subscribe callbacks, broadcast listeners); the only timed waits are the
 * short, documented "does not arrive" windows of `expectNothing`.
 */
export type Vsn = "1.0.0" | "2.0.0";

export interface TestClient {
  supabase: SupabaseClient;
  /** Every frame the socket received, as realtime-js logs it ("<status> <topic> <event> (<ref>)"), before channel filtering. */
  frames: string[];
  /** Replaces the token the client hands to Realtime (applied with `refreshAuth`). */
  setToken(token: string): void;
  refreshAuth(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A supabase-js client whose Realtime token comes from a callback (as with a custom auth provider).
 * The token is resolved before returning, so the first join already carries it.
 */
export async function realtimeClient(options: { token?: string; vsn?: Vsn; heartbeatIntervalMs?: number } = {}): Promise<TestClient> {
  const s = stack();
  let token = options.token ?? s.anonKey;
  const frames: string[] = [];
  const supabase = createClient(s.apiUrl, s.anonKey, {
    accessToken: async () => token,
    realtime: {
      transport: WebSocket as never,
      logger: (kind: string, message: string) => {
        if (kind === "receive") frames.push(message.trim());
      },
      ...(options.vsn ? { vsn: options.vsn } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    },
  });
  await supabase.realtime.setAuth();
  return {
    supabase,
    frames,
    setToken: (next) => {
      token = next;
    },
    refreshAuth: () => supabase.realtime.setAuth(),
    async close() {
      await supabase.removeAllChannels();
      supabase.realtime.disconnect();
    },
  };
}

/** The clients one test file opens; `closeAll` (in afterEach) closes them. */
export function clientTracker(): { client: typeof realtimeClient; closeAll: () => Promise<void> } {
  const clients: TestClient[] = [];
  return {
    async client(options = {}) {
      const c = await realtimeClient(options);
      clients.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}

export function token(claims: Record<string, unknown>, expiresInSeconds = 3600): Promise<string> {
  return signJwt(stack().jwtSecret, claims, expiresInSeconds);
}

export function agentToken(agentId: string, expiresInSeconds = 3600): Promise<string> {
  return token({ role: "authenticated", sub: agentId, agent_id: agentId }, expiresInSeconds);
}

export interface SubscribeOutcome {
  status: string;
  error?: Error;
}

/** Subscribes and resolves with the first status: SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT or CLOSED. */
export function subscribe(channel: RealtimeChannel): Promise<SubscribeOutcome> {
  return subscribeTracked(channel).first;
}

/** Subscribes, resolving `first` with the first status and `waitFor(s)` when status `s` is seen (now or later). */
export function subscribeTracked(channel: RealtimeChannel): { first: Promise<SubscribeOutcome>; waitFor(status: string): Promise<void> } {
  const seen: string[] = [];
  const waiters: { status: string; resolve: () => void }[] = [];
  let resolveFirst: (outcome: SubscribeOutcome) => void = () => {};
  const first = new Promise<SubscribeOutcome>((resolve) => (resolveFirst = resolve));
  channel.subscribe((status, error) => {
    if (seen.length === 0) resolveFirst(error ? { status, error } : { status });
    seen.push(status);
    for (const w of waiters.splice(0)) (w.status === status ? w.resolve() : waiters.push(w));
  });
  return {
    first,
    waitFor: (status) => new Promise<void>((resolve) => (seen.includes(status) ? resolve() : waiters.push({ status, resolve }))),
  };
}

/** Collects the broadcasts of one event on a channel (register before subscribing). */
export interface Inbox<T = Record<string, unknown>> {
  received: T[];
  /** Resolves with the n-th message (1-based), waiting for it if needed. */
  nth(n: number): Promise<T>;
  /** Resolves with the first message not yet returned by `next` (already arrived or still to come). */
  next(): Promise<T>;
}

export function inbox<T = Record<string, unknown>>(channel: RealtimeChannel, event: string): Inbox<T> {
  const received: T[] = [];
  const waiters: { n: number; resolve: (m: T) => void }[] = [];
  channel.on("broadcast", { event }, (message) => {
    received.push(message as T);
    for (const waiter of waiters.splice(0)) {
      const m = received[waiter.n - 1];
      if (m !== undefined) waiter.resolve(m);
      else waiters.push(waiter);
    }
  });
  const nth = (n: number) =>
    new Promise<T>((resolve) => {
      const m = received[n - 1];
      if (m !== undefined) resolve(m);
      else waiters.push({ n, resolve });
    });
  let cursor = 0;
  return { received, nth, next: () => nth(++cursor) };
}

/** Resolves on the channel's first `system` event. */
export function nextSystem(channel: RealtimeChannel): Promise<Record<string, unknown>> {
  return new Promise((resolve) => channel.on("system", {}, (payload) => resolve(payload as Record<string, unknown>)));
}

/**
 * Proves a negative: waits a short window (default 300 ms) and returns what arrived meanwhile.
 * Used only after a positive delivery on the same path has already been observed, so the window
 * bounds an ordering question, not a speed question.
 */
export async function expectNothing<T>(box: Inbox<T>, windowMs = 300): Promise<T[]> {
  const before = box.received.length;
  await new Promise((r) => setTimeout(r, windowMs));
  return box.received.slice(before);
}
