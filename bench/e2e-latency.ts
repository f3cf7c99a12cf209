import type { Envelope } from "../tests/support/agent-client.ts";
import { adminSql, connectAgents, deployTarget, prepareRequests, sendRequests, type Sent } from "./bench-agents.ts";
import { numberOption, type Bench } from "./bench-types.ts";
import { sleep, summarize } from "./stats.ts";

/**
 * e2e-latency: agents send get_address requests through supabase-js at a fixed rate and time
 * insert → reply received on their Realtime channel. Also breaks one request's path into stages
 * from the rows' timestamps: insert, wake+queue (created → dispatched), handler and reply write
 * (dispatched → processed), broadcast (reply row → received).
 */
export const e2eLatency: Bench = {
  name: "e2e-latency",
  description: "get_address insert → reply on Realtime, at a fixed rate",
  async run({ stack, options, log }) {
    const rate = numberOption(options, "rate", 50);
    const seconds = numberOption(options, "seconds", 30);
    const warmup = numberOption(options, "warmup", 5);
    const agentCount = numberOption(options, "agents", 5);
    const agents = await connectAgents(stack, agentCount, "lat");
    const sql = adminSql(stack);
    try {
      const target = await deployTarget(agents[0]!, "cust_latency");
      const pending = new Map<string, Sent & { measured: boolean }>();
      const latencies: number[] = [];
      const receivedAt = new Map<string, number>();
      for (const agent of agents) {
        agent.onMessage((m: Envelope) => {
          const s = pending.get(m.conversation_id);
          if (!s || m.in_reply_to === null) return;
          const now = performance.now();
          pending.delete(m.conversation_id);
          if (s.measured) {
            latencies.push(now - s.startedAt);
            receivedAt.set(m.in_reply_to, Date.now());
          }
        });
      }
      log(`e2e-latency: ${rate}/s for ${warmup}s warm-up + ${seconds}s, ${agentCount} agents`);
      const total = Math.round(rate * (warmup + seconds));
      const interval = 1000 / rate;
      const begin = performance.now();
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const due = begin + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const agent = agents[i % agents.length]!;
        const measured = i >= rate * warmup;
        const batch = prepareRequests(1);
        for (const s of batch) pending.set(s.conversation, Object.assign(s, { measured }));
        inFlight.push(sendRequests(agent, target, batch));
      }
      await Promise.all(inFlight);
      const deadline = performance.now() + 15_000;
      while (pending.size > 0 && performance.now() < deadline) await sleep(50);
      const lost = [...pending.values()].filter((p) => p.measured).length;

      // Stage breakdown from the rows of the measured requests (server timestamps, milliseconds).
      const ids = [...receivedAt.keys()];
      const rows = await sql<{ id: string; created: number; dispatched: number; processed: number; reply_created: number }[]>`
        select q.id, extract(epoch from q.created_at) * 1000 as created, extract(epoch from q.dispatched_at) * 1000 as dispatched,
               extract(epoch from q.processed_at) * 1000 as processed, extract(epoch from r.created_at) * 1000 as reply_created
          from public.messages q join public.messages r on r.in_reply_to = q.id
         where q.id = any(${ids}::uuid[])`;
      const stage = (f: (r: (typeof rows)[number]) => number) => summarize(rows.map(f));
      const wq = stage((r) => Number(r.dispatched) - Number(r.created));
      const hd = stage((r) => Number(r.processed) - Number(r.dispatched));
      const bc = stage((r) => receivedAt.get(r.id)! - Number(r.reply_created));
      const [wakeQueue, handler, broadcast] = [wq.p50_ms, hd.p50_ms, bc.p50_ms];
      const s = summarize(latencies);
      const insert = Math.round(Math.max(0, s.p50_ms - wakeQueue - handler - broadcast) * 100) / 100;
      return {
        ok: lost === 0,
        params: { rate_per_s: rate, seconds, warmup_s: warmup, agents: agentCount, intent: "get_address" },
        metrics: {
          ...s, lost, stage_insert_ms: insert, stage_wake_queue_ms: wakeQueue, stage_handler_ms: handler, stage_broadcast_ms: broadcast,
          stage_wake_queue_p99_ms: wq.p99_ms, stage_handler_p99_ms: hd.p99_ms, stage_broadcast_p99_ms: bc.p99_ms,
        },
        table: [
          ["metric", "value", "target"],
          ["requests measured", String(s.count), ""],
          ["p50", `${s.p50_ms} ms`, "≤ 20 ms"],
          ["p90", `${s.p90_ms} ms`, ""],
          ["p99", `${s.p99_ms} ms`, "≤ 60 ms"],
          ["max", `${s.max_ms} ms`, ""],
          ["lost", String(lost), "0"],
          ["stage p50: insert (REST, trigger, commit)", `${insert} ms`, ""],
          ["stage: wake + queue (created → claimed), p50 / p99", `${wakeQueue} / ${wq.p99_ms} ms`, ""],
          ["stage: handler + reply write, p50 / p99", `${handler} / ${hd.p99_ms} ms`, ""],
          ["stage: broadcast (reply row → received), p50 / p99", `${broadcast} / ${bc.p99_ms} ms`, ""],
        ],
        notes: ["stage figures come from row timestamps (transaction start times), so they are approximate; the insert stage is the remainder"],
      };
    } finally {
      await Promise.all(agents.map((a) => a.close()));
      await sql.end();
    }
  },
};
