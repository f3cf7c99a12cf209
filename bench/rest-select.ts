import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { adminSql } from "./bench-agents.ts";
import { numberOption, type Bench } from "./bench-types.ts";
import { summarize } from "./stats.ts";

/**
 * rest-select: REST select by primary key through supabase-js (anon key, RLS on) against the same
 * query over a direct Postgres connection, same concurrency, same run.
 */
export const restSelect: Bench = {
  name: "rest-select",
  description: "select by primary key: supabase-js over /rest/v1 vs a direct Postgres connection",
  async run({ stack, options, log }) {
    const seconds = numberOption(options, "seconds", 10);
    const concurrency = numberOption(options, "concurrency", 32);
    const rows = 1000;
    const sql = adminSql(stack, concurrency);
    try {
      await sql`create table if not exists public.bench_items (id int primary key, name text not null)`;
      await sql`alter table public.bench_items enable row level security`;
      await sql`drop policy if exists "anyone reads bench items" on public.bench_items`;
      await sql`create policy "anyone reads bench items" on public.bench_items for select to anon using (true)`;
      await sql`insert into public.bench_items select g, 'item ' || g from generate_series(1, ${rows}) g on conflict do nothing`;
      await sql`notify pgrst, 'reload schema'`;
      const supabase = createClient(stack.info.apiUrl, stack.info.anonKey, { realtime: { transport: WebSocket as never } });
      for (let i = 0; i < 50; i++) {
        const { error } = await supabase.from("bench_items").select("id, name").eq("id", 1).single();
        if (!error) break;
        await new Promise((r) => setTimeout(r, 100));
      }

      async function measure(label: string, once: (id: number) => Promise<void>) {
        log(`rest-select: ${label}, ${concurrency} concurrent for ${seconds}s`);
        const latencies: number[] = [];
        const end = performance.now() + seconds * 1000;
        await Promise.all(Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const t0 = performance.now();
            await once(1 + Math.floor(Math.random() * rows));
            latencies.push(performance.now() - t0);
          }
        }));
        return { perSecond: Math.round(latencies.length / seconds), ...summarize(latencies) };
      }
      const rest = await measure("REST", async (id) => {
        const { error } = await supabase.from("bench_items").select("id, name").eq("id", id).single();
        if (error) throw new Error(error.message);
      });
      const direct = await measure("direct", async (id) => {
        await sql`select id, name from public.bench_items where id = ${id}`;
      });
      return {
        ok: true,
        params: { seconds, concurrency, rows },
        metrics: { rest_requests_per_s: rest.perSecond, direct_queries_per_s: direct.perSecond, rest_p50_ms: rest.p50_ms, direct_p50_ms: direct.p50_ms, rest_p99_ms: rest.p99_ms, direct_p99_ms: direct.p99_ms },
        table: [
          ["metric", "REST (supabase-js)", "direct Postgres"],
          ["requests/s", String(rest.perSecond), String(direct.perSecond)],
          ["p50", `${rest.p50_ms} ms`, `${direct.p50_ms} ms`],
          ["p99", `${rest.p99_ms} ms`, `${direct.p99_ms} ms`],
        ],
      };
    } finally {
      await sql`drop table if exists public.bench_items`.catch(() => {});
      await sql.end();
    }
  },
};
