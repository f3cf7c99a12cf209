import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { maintainMessagePartitions } from "../../local/realtime/partitions.ts";
import { healthCheck } from "../../functions/_shared/handlers/health-check.ts";
import type { HandlerContext } from "../../functions/_shared/handlers/context.ts";
import { silentLogger } from "../../functions/_shared/log.ts";
import { RailwayError } from "../../functions/_shared/railway/errors.ts";
import type { ServiceMetrics } from "../../functions/_shared/railway/types.ts";
import { createHealthSweeper, type SweeperOptions } from "../../functions/_shared/sweep/sweeper.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";
import { fail, insertContainers, manualClock, MONITOR, ok, OWNER, retireAll, scriptedProbe, slow } from "./health-fixtures.ts";

let db: TestDatabase;
let sql: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
  const admin = db.connectAs("supabase_admin");
  await maintainMessagePartitions(admin);
});
afterAll(async () => { await db.drop(); });
beforeEach(async () => { await retireAll(sql); });

type Fake = NonNullable<SweeperOptions["railway"]>;
function fakeRailway(metrics: () => Promise<ServiceMetrics[]> = async () => []) {
  const restarts: string[] = [];
  let metricCalls = 0;
  const railway: Fake = {
    getMetrics: async () => { metricCalls++; return metrics(); },
    restartDeployment: async (id: string) => { restarts.push(id); },
  };
  return { railway, restarts, metricCalls: () => metricCalls };
}

const informs = (containerId: string, intent = "health_changed") =>
  sql<{ to: string[]; payload: Record<string, unknown> }[]>`
    select "to", payload from public.messages where intent = ${intent} and payload->>'container_id' = ${containerId} order by created_at, id`;
const stateOf = async (id: string) =>
  (await sql`select health, health_state, uptime, health_consecutive_failures as failures, health_last_error, needs_attention,
                    attention_reason, health_claimed_until, cpu_usage, memory_usage, load, usage_updated_at, last_health_check_at
               from public.containers where id = ${id}`)[0]!;

describe("claims", () => {
  it("never checks one container twice when two sweeps overlap", async () => {
    const containers = await insertContainers(sql, 300);
    const clock = manualClock();
    const other = db.connectAs("postgres");
    const make = (s: Sql) => createHealthSweeper({ sql: s, probe: scriptedProbe(new Map()).probe, railway: undefined, log: silentLogger,
      now: clock.now, concurrency: 8, claimBatch: 10, writeBatch: 7 });
    const [a, b] = await Promise.all([make(sql).run(), make(other).run()]);
    expect(a!.checked + b!.checked).toBe(300);
    expect(a!.writeErrors + b!.writeErrors).toBe(0);
    const rows = await sql<{ n: number }[]>`select count(*)::int as n from public.health_checks
                                            where container_id = any(${containers.map((c) => c.id)}::uuid[]) group by container_id`;
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(await sql`select id from public.containers where health_claimed_until is not null and status = 'running'`).toEqual([]);
  });

  it("lets the lease of a sweep that died run out, and claims the container again after it", async () => {
    const [c] = await insertContainers(sql, 1);
    const clock = manualClock();
    const dead = await sql`select id from private.claim_health_checks(100, ${clock.at()})`;
    expect(dead.map((r) => r.id)).toEqual([c!.id]);
    const sweep = () => createHealthSweeper({ sql, probe: scriptedProbe(new Map()).probe, railway: undefined, log: silentLogger, now: clock.now }).run();
    clock.advance(30);
    expect((await sweep())!.checked).toBe(0); // still leased (lease_seconds = 60)
    clock.advance(31);
    expect((await sweep())!.checked).toBe(1);
    expect(await stateOf(c!.id)).toMatchObject({ health_state: "healthy", health_claimed_until: null });
  });

  it("checks a container again only when it is due", async () => {
    const [c] = await insertContainers(sql, 1);
    const clock = manualClock();
    const sweeper = createHealthSweeper({ sql, probe: scriptedProbe(new Map()).probe, railway: undefined, log: silentLogger, now: clock.now });
    expect((await sweeper.run())!.checked).toBe(1);
    clock.advance(10);
    expect((await sweeper.run())!.checked).toBe(0);
    clock.advance(10); // due_after_seconds = 20
    expect((await sweeper.run())!.checked).toBe(1);
    expect(await sql`select count(*)::int as n from public.health_checks where container_id = ${c!.id}`).toEqual([{ n: 2 }]);
  });
});

describe("state transitions and informs", () => {
  async function sweepSequence(id: string, url: string, results: ReturnType<typeof ok>[]) {
    const clock = manualClock();
    const { probe } = scriptedProbe(new Map([[url, [...results]]]));
    const sweeper = createHealthSweeper({ sql, probe, railway: undefined, log: silentLogger, now: clock.now });
    const states: string[] = [];
    for (let i = 0; i < results.length; i++) {
      expect((await sweeper.run())!.checked).toBe(1);
      states.push((await stateOf(id)).health_state as string);
      clock.advance(30);
    }
    return states;
  }

  it("moves unknown → healthy → degraded → unhealthy → healthy, informing owner and monitoring once per change", async () => {
    const [c] = await insertContainers(sql, 1, { health_failure_threshold: 3 });
    const states = await sweepSequence(c!.id, c!.url, [ok(), ok(), fail("HTTP 500"), fail(), fail("timed out after 5000 ms"), fail(), ok(), slow(), ok()]);
    expect(states).toEqual(["healthy", "healthy", "degraded", "degraded", "unhealthy", "unhealthy", "healthy", "degraded", "healthy"]);
    const sent = await informs(c!.id);
    expect(sent.map((m) => [m.payload.old, m.payload.new])).toEqual([
      ["unknown", "healthy"], ["healthy", "degraded"], ["degraded", "unhealthy"], ["unhealthy", "healthy"], ["healthy", "degraded"], ["degraded", "healthy"],
    ]);
    expect(sent[2]).toEqual({ to: [OWNER, MONITOR], payload: expect.objectContaining({
      container_id: c!.id, agent_id: expect.stringMatching(/^agent\.test\./), customer_id: expect.stringMatching(/^cust-/),
      old: "degraded", new: "unhealthy", last_error: "timed out after 5000 ms" }) });
    expect(sent[3]!.payload.last_error).toBeNull();
    const checks = await sql`select status from public.health_checks where container_id = ${c!.id} order by checked_at`;
    expect(checks.map((r) => r.status)).toEqual(["healthy", "healthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy", "healthy", "degraded", "healthy"]);
    // uptime counts from the last time it became healthy (the 7th sweep, 60 s before the 9th)
    expect(await stateOf(c!.id)).toMatchObject({ health: true, uptime: 60, failures: 0, health_last_error: null });
  });

  it("sends one inform per flap and none while the state stays", async () => {
    const [c] = await insertContainers(sql, 1, { health_failure_threshold: 1 });
    await sweepSequence(c!.id, c!.url, [ok(), fail(), ok(), fail(), ok(), ok(), ok(), ok()]);
    const sent = await informs(c!.id);
    expect(sent.map((m) => m.payload.new)).toEqual(["healthy", "unhealthy", "healthy", "unhealthy", "healthy"]);
    const broadcasts = await db.connectAs("supabase_admin")`select topic from realtime.messages where event = 'health_changed' and payload->'payload'->>'container_id' = ${c!.id}`;
    expect(broadcasts.map((b) => b.topic).sort()).toEqual(Array(5).fill(`agent:${MONITOR}`).concat(Array(5).fill(`agent:${OWNER}`)).sort());
  });

  it("sends one inform to an owner that is the monitoring agent itself", async () => {
    const [c] = await insertContainers(sql, 1, { owner_agent_id: MONITOR });
    await sweepSequence(c!.id, c!.url, [ok()]);
    expect((await informs(c!.id)).map((m) => m.to)).toEqual([[MONITOR]]);
  });
});

describe("auto-heal", () => {
  it("restarts with backoff up to the cap per hour, then marks the container for attention", async () => {
    const [c] = await insertContainers(sql, 1, { health_failure_threshold: 1, provider_deployment_id: "dep-heal-1" });
    const clock = manualClock();
    const { railway, restarts } = fakeRailway();
    const { probe } = scriptedProbe(new Map([[c!.url, [fail("ECONNREFUSED")]]]));
    const sweeper = createHealthSweeper({ sql, probe, railway, log: silentLogger, now: clock.now });
    const restartTimes: number[] = [];
    for (let second = 0; second <= 900; second += 30) {
      const before = restarts.length;
      await sweeper.run();
      if (restarts.length > before) restartTimes.push(second);
      clock.advance(30);
    }
    // defaults: 3 per hour, backoff 60 s · 2^(n−1): restarts at 0, 60, 180; at 420 the cap is spent
    expect(restartTimes).toEqual([0, 60, 180]);
    expect(restarts).toEqual(["dep-heal-1", "dep-heal-1", "dep-heal-1"]);
    const heals = await sql`select kind, status, provider_deployment_id, requested_by from public.deployments where container_id = ${c!.id}`;
    expect(heals).toEqual(Array(3).fill({ kind: "heal", status: "succeeded", provider_deployment_id: "dep-heal-1", requested_by: "agent.agentify.hosting-orchestrator" }));
    expect((await informs(c!.id, "container_healed")).map((m) => m.payload.attempt)).toEqual([1, 2, 3]);
    const attention = await informs(c!.id, "container_needs_attention");
    expect(attention).toHaveLength(1);
    expect(attention[0]!.payload).toMatchObject({ reason: "still unhealthy after 3 automatic restarts within an hour", last_error: "ECONNREFUSED" });
    expect(await stateOf(c!.id)).toMatchObject({ health_state: "unhealthy", needs_attention: true, attention_reason: "still unhealthy after 3 automatic restarts within an hour" });

    // healthy again: the mark is cleared (auto-heal applies again next time)
    const recovered = createHealthSweeper({ sql, probe: scriptedProbe(new Map([[c!.url, [ok()]]])).probe, railway, log: silentLogger, now: clock.now });
    await recovered.run();
    expect(await stateOf(c!.id)).toMatchObject({ health_state: "healthy", needs_attention: false, attention_reason: null });
  });

  it("records a restart Railway refused as a failed heal, which counts towards the cap", async () => {
    const [c] = await insertContainers(sql, 1, { health_failure_threshold: 1, provider_deployment_id: "dep-gone" });
    const clock = manualClock();
    const railway: Fake = {
      getMetrics: async () => [],
      restartDeployment: async () => { throw new RailwayError("not_found", "deployment dep-gone not found"); },
    };
    await createHealthSweeper({ sql, probe: scriptedProbe(new Map([[c!.url, [fail()]]])).probe, railway, log: silentLogger, now: clock.now }).run();
    expect(await sql`select status, error from public.deployments where container_id = ${c!.id}`)
      .toEqual([{ status: "failed", error: "not_found: deployment dep-gone not found" }]);
    expect((await informs(c!.id, "container_healed"))[0]!.payload).toMatchObject({ outcome: "failed", error: "not_found: deployment dep-gone not found" });
  });

  it("never restarts edge containers or anything when Railway is not configured", async () => {
    const [edge] = await insertContainers(sql, 1, { target_type: "edge", health_failure_threshold: 1, provider_deployment_id: "x" });
    const [rail] = await insertContainers(sql, 1, { health_failure_threshold: 1, provider_deployment_id: "dep-2" });
    const clock = manualClock();
    const fake = fakeRailway();
    const script = new Map([[edge!.url, [fail()]], [rail!.url, [fail()]]]);
    await createHealthSweeper({ sql, probe: scriptedProbe(script).probe, railway: fake.railway, log: silentLogger, now: clock.now }).run();
    expect(fake.restarts).toEqual(["dep-2"]);
    clock.advance(3600);
    await createHealthSweeper({ sql, probe: scriptedProbe(script).probe, railway: undefined, log: silentLogger, now: clock.now }).run();
    expect(await sql`select count(*)::int as n from public.deployments where container_id = any(${[edge!.id, rail!.id]}::uuid[])`).toEqual([{ n: 1 }]);
  });
});

describe("usage", () => {
  it("takes CPU and memory of Railway containers from ONE metrics call per sweep, and keeps them when metrics fail", async () => {
    const rail = await insertContainers(sql, 3, { resources: { cpu: "0.5" } });
    const [edge] = await insertContainers(sql, 1, { target_type: "edge", cpu_usage: 0.9 });
    const clock = manualClock();
    const sampleAt = clock.at().getTime() / 1000 - 10;
    let down = false;
    const fake = fakeRailway(async () => {
      if (down) throw new RailwayError("provider_unavailable", "Railway is down");
      return [{ serviceId: rail[0]!.serviceId!, cpu: [{ ts: sampleAt, value: 0.25 }], memoryGB: [{ ts: sampleAt, value: 0.5 }] }];
    });
    const sweeper = createHealthSweeper({ sql, probe: scriptedProbe(new Map()).probe, railway: fake.railway, log: silentLogger, now: clock.now });
    const first = await sweeper.run();
    expect(first).toMatchObject({ checked: 4, metrics: "ok" });
    expect(fake.metricCalls()).toBe(1);
    const measured = await stateOf(rail[0]!.id);
    expect(measured).toMatchObject({ cpu_usage: 0.25, memory_usage: 0.5, load: 0.5, usage_updated_at: new Date(sampleAt * 1000) });
    expect(await stateOf(rail[1]!.id)).toMatchObject({ cpu_usage: null, usage_updated_at: null });
    expect(await stateOf(edge!.id)).toMatchObject({ cpu_usage: 0.9, usage_updated_at: null, health_state: "healthy" });

    down = true;
    clock.advance(30);
    expect(await sweeper.run()).toMatchObject({ checked: 4, metrics: "unavailable" });
    expect(fake.metricCalls()).toBe(2);
    const after = await stateOf(rail[0]!.id);
    expect(after).toMatchObject({ cpu_usage: 0.25, memory_usage: 0.5, usage_updated_at: new Date(sampleAt * 1000), last_health_check_at: clock.at() });
  });
});

describe("the health_check intent", () => {
  const ctx = (probe: HandlerContext["probe"]): HandlerContext => ({
    sql, probe, railway: undefined, log: silentLogger, watchDeployments: () => {},
    request: { id: crypto.randomUUID(), type: "request", sender: OWNER, to: ["agent.agentify.hosting-orchestrator"], intent: "health_check",
      payload: {}, conversation_id: crypto.randomUUID(), attempts: 1 },
  });

  it("checks through the sweep's path: state machine, health_checks row, inform on change", async () => {
    const [c] = await insertContainers(sql, 1);
    const reply = await healthCheck({ container_id: c!.id } as never, ctx(async () => ok(42)));
    expect(reply).toMatchObject({ container_id: c!.id, health: true, response_time: 42, health_state: "healthy" });
    expect(await sql`select status, response_time from public.health_checks where container_id = ${c!.id}`).toEqual([{ status: "healthy", response_time: 42 }]);
    expect((await informs(c!.id)).map((m) => m.payload.new)).toEqual(["healthy"]);
    await healthCheck({ container_id: c!.id } as never, ctx(async () => ok(40)));
    expect(await informs(c!.id)).toHaveLength(1);
    expect(await stateOf(c!.id)).toMatchObject({ health_claimed_until: null });
  });

  it("answers from its own probe without recording while a sweep holds the container", async () => {
    const [c] = await insertContainers(sql, 1);
    await sql`select id from private.claim_health_checks(1000)`;
    const reply = await healthCheck({ container_id: c!.id } as never, ctx(async () => fail("HTTP 502")));
    expect(reply).toMatchObject({ container_id: c!.id, health: false, response_time: 7, health_state: "unknown", error: "HTTP 502" });
    expect(await sql`select id from public.health_checks where container_id = ${c!.id}`).toEqual([]);
  });
});
