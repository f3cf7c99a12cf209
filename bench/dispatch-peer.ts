import { Logger, run, type Runner } from "graphile-worker";
import type { Sql } from "postgres";
import { adminSql } from "./bench-agents.ts";
import { numberOption, type Bench } from "./bench-types.ts";
import { sleep, summarize } from "./stats.ts";

/**
 * dispatch-peer: the queue hop alone — a row inserted until its handler has run and is done — for our
 * dispatcher (messages row → trigger → pg_net → function drain → handler → reply written) and for
 * graphile-worker running a no-op task on the same Postgres in the same run.
 *
 * Two phases each: a burst of `jobs` inserted at once (throughput: jobs / (last done − first
 * inserted)), then `samples` single jobs one after another (latency: insert → done, server clock).
 * Our "job" is a get_address request for an agent that is not deployed: the handler runs one
 * query and writes a failure reply, the cheapest complete request.
 */
const ORCH = "agent.agentify.hosting-orchestrator";

async function oursBurst(sql: Sql, jobs: number): Promise<{ perSecond: number; latencies: number[] }> {
  const batch = Math.min(500, jobs);
  const tag = `burst-${Date.now()}`;
  for (let done = 0; done < jobs; done += batch) {
    await sql`insert into public.messages (type, sender, "to", intent, payload)
              select 'request', 'agent.bench.dispatch', ${[ORCH]}, 'get_address',
                     jsonb_build_object('agent_id', 'agent.bench.none', 'customer_id', ${tag}::text)
                from generate_series(1, ${Math.min(batch, jobs - done)}::int)`;
  }
  for (;;) {
    const [row] = await sql<{ left: number }[]>`select count(*)::int as left from public.messages
      where sender = 'agent.bench.dispatch' and payload->>'customer_id' = ${tag} and status in ('queued', 'dispatched')`;
    if (row!.left === 0) break;
    await sleep(20);
  }
  const rows = await sql<{ created: number; processed: number }[]>`
    select extract(epoch from created_at) * 1000 as created, extract(epoch from processed_at) * 1000 as processed
      from public.messages where sender = 'agent.bench.dispatch' and payload->>'customer_id' = ${tag}`;
  const first = Math.min(...rows.map((r) => Number(r.created)));
  const last = Math.max(...rows.map((r) => Number(r.processed)));
  return { perSecond: (rows.length / (last - first)) * 1000, latencies: rows.map((r) => Number(r.processed) - Number(r.created)) };
}

async function oursSequential(sql: Sql, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const [req] = await sql<{ id: string }[]>`insert into public.messages (type, sender, "to", intent, payload)
      values ('request', 'agent.bench.dispatch', ${[ORCH]}, 'get_address', '{"agent_id":"agent.bench.none","customer_id":"seq"}') returning id`;
    for (;;) {
      const [row] = await sql<{ ms: number | null }[]>`
        select extract(epoch from processed_at - created_at) * 1000 as ms from public.messages where id = ${req!.id} and processed_at is not null`;
      if (row) { latencies.push(Number(row.ms)); break; }
      await sleep(1);
    }
  }
  return latencies;
}

export const dispatchPeer: Bench = {
  name: "dispatch-peer",
  description: "queue hop: our dispatcher vs graphile-worker (no-op task), same Postgres",
  async run({ stack, options, log }) {
    const jobs = numberOption(options, "jobs", 5000);
    const samples = numberOption(options, "samples", 200);
    const concurrency = numberOption(options, "concurrency", 25);
    const sql = adminSql(stack, 8);
    let runner: Runner | undefined;
    try {
      log(`dispatch-peer: ours, burst of ${jobs} then ${samples} sequential`);
      const ours = await oursBurst(sql, jobs);
      const oursSeq = await oursSequential(sql, samples);

      log(`dispatch-peer: graphile-worker (concurrency ${concurrency}), same database`);
      const started = new Map<string, number>();
      let done = 0;
      runner = await run({
        connectionString: stack.info.dbUrl,
        concurrency,
        noHandleSignals: true,
        pollInterval: 1000,
        logger: new Logger(() => () => {}), // quiet: one line per job would swamp the table
        taskList: {
          noop: async (payload) => {
            started.set((payload as { key: string }).key, Date.now());
            done++;
          },
        },
      });
      // warm the schema and connections
      await sql`select graphile_worker.add_job('noop', '{"key":"warm"}'::json)`;
      while (done < 1) await sleep(5);

      done = 0;
      const burstStart = Date.now();
      for (let i = 0; i < jobs; i += 500) {
        await sql`select graphile_worker.add_job('noop', json_build_object('key', 'b' || g)) from generate_series(${i}::int, ${Math.min(jobs, i + 500) - 1}::int) g`;
      }
      while (done < jobs) await sleep(5);
      const peerPerSecond = (jobs / (Math.max(...[...started.entries()].filter(([k]) => k.startsWith("b")).map(([, t]) => t)) - burstStart)) * 1000;

      const peerSeq: number[] = [];
      for (let i = 0; i < samples; i++) {
        const key = `s${i}`;
        const t0 = Date.now();
        await sql`select graphile_worker.add_job('noop', json_build_object('key', ${key}::text))`;
        while (!started.has(key)) await sleep(0.5);
        peerSeq.push(started.get(key)! - t0);
      }

      const o = summarize(oursSeq);
      const p = summarize(peerSeq);
      const ratio = Math.round((ours.perSecond / peerPerSecond) * 100) / 100;
      return {
        ok: true,
        params: { jobs, samples, peer_concurrency: concurrency, ours_concurrency: "ORCHESTRATOR_CONCURRENCY (default 10)", ours_intent: "get_address (not_found reply)", peer: "graphile-worker 0.16.6 no-op task" },
        metrics: {
          ours_jobs_per_s: Math.round(ours.perSecond), peer_jobs_per_s: Math.round(peerPerSecond), ratio,
          ours_p50_ms: o.p50_ms, peer_p50_ms: p.p50_ms, ours_p99_ms: o.p99_ms, peer_p99_ms: p.p99_ms,
        },
        table: [
          ["metric", "ours", "graphile-worker"],
          [`burst of ${jobs}: jobs/s`, String(Math.round(ours.perSecond)), String(Math.round(peerPerSecond))],
          ["sequential: p50 insert → done", `${o.p50_ms} ms`, `${p.p50_ms} ms`],
          ["sequential: p99 insert → done", `${o.p99_ms} ms`, `${p.p99_ms} ms`],
          ["ratio ours/peer (jobs/s)", String(ratio), ""],
        ],
        notes: [
          "ours includes the HTTP hop to the edge function and writing the reply row (with its Realtime broadcast); the peer's task does nothing",
          "peer latency is add_job call → task start (client clock); ours is created_at → processed_at (server clock)",
        ],
      };
    } finally {
      await runner?.stop();
      await sql.end();
    }
  },
};
