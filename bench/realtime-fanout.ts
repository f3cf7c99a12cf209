/**
 * Realtime fan-out benchmark: broadcasts written by `realtime.send` in SQL, delivered to many
 * subscribers through the official realtime-js client, next to the same hop done directly over
 * Postgres (NOTIFY → LISTEN connections) in the same run.
 *
 *   npm run bench -- realtime-fanout     (BENCH_SUBSCRIBERS, BENCH_MESSAGES, BENCH_BURST, BENCH_NOTIFY_LISTENERS)
 *
 * Settings (env): BENCH_SUBSCRIBERS (1000), BENCH_MESSAGES (200, latency phase: one message in
 * flight at a time), BENCH_BURST (500, throughput phase: sent back to back), BENCH_NOTIFY_LISTENERS
 * (50; Postgres connections are scarce, max_connections is 100 by default).
 *
 * Latency = time from just before the sending statement is issued to the moment the subscriber's
 * callback runs, over every (message, subscriber) delivery. Sender and subscribers share this
 * process's clock; the Realtime server runs in the stack's process.
 */
import { RealtimeClient, type RealtimeChannel } from "@supabase/realtime-js";
import postgres, { type Sql } from "postgres";
import WebSocket from "ws";
import type { Bench } from "./bench-types.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 500);
const NOTIFY_LISTENERS = Number(process.env.BENCH_NOTIFY_LISTENERS ?? 50);

const now = () => performance.timeOrigin + performance.now();

interface Result {
  name: string;
  receivers: number;
  latencies: number[];
  burstMessages: number;
  burstDeliveries: number;
  burstSeconds: number;
}

/** A receiver side: counts deliveries per sequence number and records latencies. */
class Tally {
  latencies: number[] = [];
  private counts = new Map<number, number>();
  private waiters = new Map<number, () => void>();
  constructor(private readonly receivers: number) {}

  record(seq: number, sentAt: number, recording: boolean): void {
    if (recording) this.latencies.push(now() - sentAt);
    const count = (this.counts.get(seq) ?? 0) + 1;
    this.counts.set(seq, count);
    if (count === this.receivers) {
      this.counts.delete(seq);
      this.waiters.get(seq)?.();
      this.waiters.delete(seq);
    }
  }

  /** Resolves when every receiver has seen `seq` (or after `timeoutMs`, so a lost message is reported, not hung on). */
  allReceived(seq: number, timeoutMs = 5000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(seq);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(seq, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

async function measure(
  name: string,
  receivers: number,
  tally: Tally,
  sendOne: (seq: number, sentAt: number) => Promise<unknown>,
): Promise<Result> {
  let lost = 0;
  for (let seq = 0; seq < MESSAGES; seq++) {
    const all = tally.allReceived(seq);
    await sendOne(seq, now());
    if (!(await all)) lost++;
  }
  const latencies = tally.latencies;
  tally.latencies = [];
  // Throughput: a burst sent back to back (pipelined), timed until the last delivery.
  const base = 1_000_000;
  const last = tally.allReceived(base + BURST - 1, 30_000);
  const started = now();
  await Promise.all(Array.from({ length: BURST }, (_, i) => sendOne(base + i, now())));
  const complete = await last;
  const burstSeconds = (now() - started) / 1000;
  if (lost > 0 || !complete) process.stderr.write(`${name}: ${lost} latency messages and ${complete ? 0 : "some"} burst messages not fully delivered\n`);
  tally.latencies = [];
  return { name, receivers, latencies, burstMessages: BURST, burstDeliveries: BURST * receivers, burstSeconds };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function realtimeSubscribers(apiUrl: string, anonKey: string, topic: string, count: number, tally: Tally, recording: () => boolean) {
  const clients: RealtimeClient[] = [];
  const joins: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const client = new RealtimeClient(`${apiUrl.replace(/^http/, "ws")}/realtime/v1`, {
      params: { apikey: anonKey },
      transport: WebSocket as never,
    });
    clients.push(client);
    const channel: RealtimeChannel = client.channel(topic);
    channel.on("broadcast", { event: "tick" }, (message) => {
      const payload = message.payload as { seq: number; t: number };
      tally.record(payload.seq, payload.t, recording());
    });
    joins.push(
      new Promise<void>((resolve, reject) =>
        channel.subscribe((status, error) => {
          if (status === "SUBSCRIBED") resolve();
          else reject(new Error(`subscriber ${i}: ${status} ${error?.message ?? ""}`));
        }),
      ),
    );
    if (i % 100 === 99) await Promise.all(joins.slice(-100));
  }
  await Promise.all(joins);
  return {
    async close() {
      await Promise.all(clients.map(async (c) => {
        await c.removeAllChannels();
        await c.disconnect();
      }));
    },
  };
}

async function benchRealtime(info: { apiUrl: string; anonKey: string }, sender: Sql, receivers: number): Promise<Result> {
  const topic = `bench:${process.pid}:${receivers}`;
  const tally = new Tally(receivers);
  let recording = true;
  const subs = await realtimeSubscribers(info.apiUrl, info.anonKey, topic, receivers, tally, () => recording);
  try {
    return await measure(`realtime.send → realtime-js`, receivers, tally, (seq, t) =>
      sender`select realtime.send(jsonb_build_object('seq', ${seq}::int, 't', ${t}::float8), 'tick', ${topic}, false)`,
    );
  } finally {
    recording = false;
    await subs.close();
  }
}

async function benchNotify(dbUrl: string, sender: Sql, receivers: number): Promise<Result> {
  const channel = `bench_${process.pid}_${receivers}`;
  const tally = new Tally(receivers);
  const listeners: Sql[] = [];
  for (let i = 0; i < receivers; i++) {
    const listener = postgres(dbUrl, { max: 1, onnotice: () => {} });
    listeners.push(listener);
    await listener.listen(channel, (text) => {
      const payload = JSON.parse(text) as { seq: number; t: number };
      tally.record(payload.seq, payload.t, true);
    });
  }
  try {
    return await measure(`pg_notify → LISTEN (postgres.js)`, receivers, tally, (seq, t) =>
      sender`select pg_notify(${channel}, json_build_object('seq', ${seq}::int, 't', ${t}::float8)::text)`,
    );
  } finally {
    await Promise.all(listeners.map((l) => l.end({ timeout: 1 })));
  }
}

function row(r: Result): string[] {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return [
    r.name,
    String(r.receivers),
    String(sorted.length),
    percentile(sorted, 50).toFixed(2),
    percentile(sorted, 99).toFixed(2),
    (sorted.at(-1) ?? Number.NaN).toFixed(2),
    Math.round(r.burstDeliveries / r.burstSeconds).toLocaleString("en-US"),
    Math.round(r.burstMessages / r.burstSeconds).toLocaleString("en-US"),
  ];
}

function figures(prefix: string, r: Result): Record<string, number> {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    [`${prefix}_p50_ms`]: round(percentile(sorted, 50)),
    [`${prefix}_p99_ms`]: round(percentile(sorted, 99)),
    [`${prefix}_deliveries_per_s`]: Math.round(r.burstDeliveries / r.burstSeconds),
    [`${prefix}_messages_per_s`]: Math.round(r.burstMessages / r.burstSeconds),
  };
}

export const realtimeFanout: Bench = {
  name: "realtime-fanout",
  description: "realtime.send → realtime-js subscribers, next to NOTIFY → LISTEN on the same Postgres",
  async run({ stack, log }) {
    const info = stack.info;
    const sender = postgres(info.dbUrl, { max: 10, onnotice: () => {} });
    try {
      log(`realtime-fanout: ${MESSAGES} messages one at a time (latency), then ${BURST} back to back (throughput)`);
      const notifyOne = await benchNotify(info.dbUrl, sender, 1);
      const realtimeOne = await benchRealtime(info, sender, 1);
      const notifyMany = await benchNotify(info.dbUrl, sender, NOTIFY_LISTENERS);
      const realtimeMany = await benchRealtime(info, sender, SUBSCRIBERS);
      return {
        ok: true,
        params: { subscribers: SUBSCRIBERS, messages: MESSAGES, burst: BURST, notify_listeners: NOTIFY_LISTENERS },
        metrics: {
          ...figures("realtime_1", realtimeOne), ...figures("notify_1", notifyOne),
          ...figures("realtime_fanout", realtimeMany), ...figures("notify_fanout", notifyMany),
        },
        table: [
          ["path", "receivers", "deliveries", "p50 ms", "p99 ms", "max ms", "burst deliveries/s", "burst messages/s"],
          ...[notifyOne, realtimeOne, notifyMany, realtimeMany].map(row),
        ],
        notes: ["every receiver runs in the bench process, so part of the fan-out latency is the receivers' own work"],
      };
    } finally {
      await sender.end({ timeout: 5 });
    }
  },
};
