import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { signJwt } from "../../local/keys/keys.ts";

/**
 * An agent as the protocol expects one: a supabase-js client with the agent's JWT, subscribed to its
 * private channel `agent:<id>`, collecting every broadcast it receives. Used by the end-to-end tests
 * and the benchmarks (so it imports nothing of vitest).
 */
export interface Envelope {
  id: string;
  type: string;
  sender: string;
  to: string[];
  intent: string;
  payload: Record<string, unknown>;
  conversation_id: string;
  in_reply_to: string | null;
}

export interface Agent {
  id: string;
  token: string;
  supabase: SupabaseClient;
  received: Envelope[];
  /** Resolves with the first received message matching `match` (already received or to come). */
  waitFor(match: (m: Envelope) => boolean, timeoutMs?: number): Promise<Envelope>;
  /** Calls `listener` for every message received from now on; returns the unsubscribe function. */
  onMessage(listener: (m: Envelope) => void): () => void;
  /** Inserts a request to the orchestrator and returns its id. */
  request(intent: string, payload: Record<string, unknown>, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const ORCHESTRATOR = "agent.agentify.hosting-orchestrator";

/** Where the agent connects: a stack's API and keys (tests: `stack()`; benches: the bench stack's info). */
export interface StackTarget {
  apiUrl: string;
  anonKey: string;
  jwtSecret: string;
}

export async function connectAgent(id: string, s: StackTarget): Promise<Agent> {
  const token = await signJwt(s.jwtSecret, { role: "authenticated", agent_id: id }, 3600);
  const supabase = createClient(s.apiUrl, s.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    accessToken: async () => token,
    realtime: { transport: WebSocket as never },
  });
  await supabase.realtime.setAuth(token);
  const received: Envelope[] = [];
  const listeners = new Set<(m: Envelope) => void>();
  const waiters: { match: (m: Envelope) => boolean; resolve: (m: Envelope) => void }[] = [];
  const channel: RealtimeChannel = supabase.channel(`agent:${id}`, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, ({ payload }) => {
    const message = payload as Envelope;
    received.push(message);
    for (const listener of listeners) listener(message);
    for (const w of waiters.splice(0)) (w.match(message) ? w.resolve(message) : waiters.push(w));
  });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve();
      else if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") reject(error ?? new Error(status));
    });
  });
  return {
    id,
    token,
    supabase,
    received,
    waitFor(match, timeoutMs = 20_000) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<Envelope>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id}: no matching message within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async request(intent, payload, extra = {}) {
      const { data, error } = await supabase.from("messages")
        .insert({ type: "request", sender: id, to: [ORCHESTRATOR], intent, payload, ...extra })
        .select("id").single();
      if (error) throw new Error(`insert failed: ${error.code} ${error.message}`);
      return (data as { id: string }).id;
    },
    async close() {
      await supabase.removeAllChannels();
      supabase.realtime.disconnect();
    },
  };
}

export const replyTo = (requestId: string) => (m: Envelope) => m.in_reply_to === requestId;
