import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { readFile } from "node:fs/promises";
import { agentClaims, asRole } from "../setup/as-role.ts";
import { connect, stack } from "../setup/clients.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";
import { insertContainers, OWNER } from "./health-fixtures.ts";

let db: TestDatabase;
let sql: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
});
afterAll(async () => { await db.drop(); });

const T = new Date("2026-12-05T12:00:00Z");
const h = (iso: string) => new Date(iso);

async function insertChecks(containerId: string, hour: Date, responseTimes: number[], statusOf: (i: number) => string) {
  const rows = responseTimes.map((rt, i) => ({
    container_id: containerId, status: statusOf(i), response_time: rt,
    checked_at: new Date(hour.getTime() + (i % 3600) * 1000),
  }));
  await sql`insert into public.health_checks ${sql(rows as never)}`;
}

describe("retention and hourly roll-ups", () => {
  it("rolls whole hours older than the raw window up, deletes them in bounded batches, and is idempotent", async () => {
    const [a, b] = await insertContainers(sql, 2);
    await sql`update private.health_settings set retention_batch_size = 100, retention_max_batches = 2`;
    // hour 09:00 the day before: response times 1..100, 10 failures, 5 degraded
    await insertChecks(a!.id, h("2026-12-04T09:00:00Z"), Array.from({ length: 100 }, (_, i) => i + 1),
      (i) => (i < 10 ? "unhealthy" : i < 15 ? "degraded" : "healthy"));
    // hour 11:00: 250 checks of 7 ms
    await insertChecks(b!.id, h("2026-12-04T11:00:00Z"), Array(250).fill(7), () => "healthy");
    // inside the 24 h window (cut-off 2026-12-04T12:00): kept raw, not rolled up
    await insertChecks(a!.id, h("2026-12-04T12:30:00Z"), [5, 6, 7], () => "healthy");
    // roll-ups 31 and 29 days old
    await sql`insert into public.health_check_rollups (container_id, hour, checks, failures, degraded, p50_ms, p95_ms, max_ms)
              values (${a!.id}, ${new Date(T.getTime() - 31 * 86400_000)}, 1, 0, 0, 1, 1, 1),
                     (${a!.id}, ${new Date(T.getTime() - 29 * 86400_000)}, 1, 0, 0, 1, 1, 1)`;

    await sql`call private.health_retention(${T})`;
    const rollups = () => sql`select container_id, hour, checks, failures, degraded, p50_ms, p95_ms, max_ms
                                from public.health_check_rollups where hour > ${new Date(T.getTime() - 10 * 86400_000)} order by hour`;
    const first = await rollups();
    expect(first).toEqual([
      { container_id: a!.id, hour: h("2026-12-04T09:00:00Z"), checks: 100, failures: 10, degraded: 5, p50_ms: 50.5, p95_ms: 95.05, max_ms: 100 },
      { container_id: b!.id, hour: h("2026-12-04T11:00:00Z"), checks: 250, failures: 0, degraded: 0, p50_ms: 7, p95_ms: 7, max_ms: 7 },
    ]);
    // at most 2 batches of 100 deleted per run: 150 of the 350 rolled-up rows are left for the next run
    const raw = () => sql<{ old: number; recent: number }[]>`
      select count(*) filter (where checked_at < '2026-12-04T12:00:00Z')::int as old,
             count(*) filter (where checked_at >= '2026-12-04T12:00:00Z')::int as recent from public.health_checks`;
    expect(await raw()).toEqual([{ old: 150, recent: 3 }]);
    expect(await sql`select rolled_up_until from private.health_settings`).toEqual([{ rolled_up_until: h("2026-12-04T12:00:00Z") }]);
    expect(await sql`select count(*)::int as n from public.health_check_rollups where hour < ${new Date(T.getTime() - 30 * 86400_000)}`).toEqual([{ n: 0 }]);
    expect(await sql`select count(*)::int as n from public.health_check_rollups where hour = ${new Date(T.getTime() - 29 * 86400_000)}`).toEqual([{ n: 1 }]);

    await sql`call private.health_retention(${T})`;
    expect(await raw()).toEqual([{ old: 0, recent: 3 }]);
    expect(await rollups()).toEqual(first); // the rerun rolls nothing up twice

    // an hour later the 12:00 hour leaves the window and is rolled up in turn
    await sql`call private.health_retention(${new Date(T.getTime() + 3600_000)})`;
    expect(await raw()).toEqual([{ old: 0, recent: 0 }]);
    expect(await sql`select checks, p50_ms from public.health_check_rollups where hour = '2026-12-04T12:00:00Z'`).toEqual([{ checks: 3, p50_ms: 6 }]);
  });

  it("lets an agent read the roll-ups of its own containers only", async () => {
    const [mine] = await insertContainers(sql, 1);
    const [theirs] = await insertContainers(sql, 1, { owner_agent_id: "agent.someone.else" });
    await sql`insert into public.health_check_rollups (container_id, hour, checks, failures, degraded)
              values (${mine!.id}, '2026-12-01T00:00:00Z', 1, 0, 0), (${theirs!.id}, '2026-12-01T00:00:00Z', 1, 0, 0)`;
    const seen = await asRole(sql, agentClaims(OWNER), (tx) => tx`select container_id from public.health_check_rollups where hour = '2026-12-01T00:00:00Z'`);
    expect(seen.map((r) => r.container_id)).toEqual([mine!.id]);
    await expect(asRole(sql, agentClaims(OWNER), (tx) => tx`select * from private.health_settings`)).rejects.toMatchObject({ code: "42501" });
    await expect(asRole(sql, agentClaims(OWNER), (tx) => tx`select private.wake_health_sweep()`)).rejects.toMatchObject({ code: "42501" });
  });
});

describe("docs/health.md", () => {
  it("has SQL examples that run (pg_cron's in the postgres database, the rest in a fresh one)", async () => {
    const doc = await readFile(`${stack().projectRoot}/docs/health.md`, "utf8");
    const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const statements = blocks.join("\n").split(/;\s*\n/).map((s) => s.replace(/^\s*--.*$/gm, "").trim()).filter(Boolean);
    expect(statements.length).toBeGreaterThanOrEqual(8);
    await insertContainers(sql, 1);
    const postgresDb = connect();
    try {
      for (const statement of statements) await (statement.includes("cron.") ? postgresDb : sql).unsafe(statement);
    } finally {
      await postgresDb.end();
    }
    expect(await sql`select heal_max_per_hour from private.health_settings`).toEqual([{ heal_max_per_hour: 2 }]);
  });
});
