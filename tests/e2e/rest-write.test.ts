import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestFixture, type RestFixture } from "./rest-fixture.ts";

/** REST writes through supabase-js: insert, upsert, update, delete; RLS outcomes and constraint errors. */
let f: RestFixture;
beforeAll(async () => { f = await createRestFixture(); });
afterAll(async () => { await f?.drop(); });

const boxes = () => f.t("containers");

describe("insert", () => {
  it("inserts one row with return=minimal (201, no body)", async () => {
    const r = await f.agentA.from(boxes()).insert({ owner_agent: "agent.a", name: "w1", customer_id: 1 });
    expect(r).toMatchObject({ status: 201, data: null, error: null });
    const { data } = await f.service.from(boxes()).select("name, status").eq("name", "w1").single();
    expect(data).toEqual({ name: "w1", status: "running" });
  });

  it("inserts many rows with return=representation and embedding", async () => {
    const r = await f.agentA.from(boxes())
      .insert([{ owner_agent: "agent.a", name: "w2", status: "stopped", customer_id: 2 }, { owner_agent: "agent.a", name: "w3", status: "running", customer_id: 1 }])
      .select(`name, status, customer:${f.t("customers")}(name)`);
    expect(r.status).toBe(201);
    expect(r.data).toEqual([
      { name: "w2", status: "stopped", customer: { name: "globex" } },
      { name: "w3", status: "running", customer: { name: "acme" } },
    ]);
  });

  it("applies column defaults for missing keys with defaultToNull: false (missing=default)", async () => {
    const r = await f.agentA.from(boxes())
      .insert([{ owner_agent: "agent.a", name: "w4" }, { owner_agent: "agent.a", name: "w5", status: "stopped" }], { defaultToNull: false })
      .select("name, status, labels");
    expect(r.error).toBeNull();
    expect(r.data).toEqual([{ name: "w4", status: "running", labels: [] }, { name: "w5", status: "stopped", labels: [] }]);
  });

  it("inserts null for missing keys by default, as PostgREST (not-null violation → 400)", async () => {
    const r = await f.agentA.from(boxes()).insert([{ owner_agent: "agent.a", name: "w6" }, { owner_agent: "agent.a", name: "w7", status: "stopped" }]);
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe("23502");
  });

  it("returns one object with single()", async () => {
    const r = await f.agentA.from(boxes()).insert({ owner_agent: "agent.a", name: "w8" }).select("name").single();
    expect(r.data).toEqual({ name: "w8" });
  });
});

describe("upsert", () => {
  it("merges duplicates on on_conflict", async () => {
    const r = await f.service.from(f.t("customers")).upsert({ name: "globex", tier: "pro" }, { onConflict: "name" }).select("id, name, tier");
    expect(r.error).toBeNull();
    expect(r.data).toEqual([{ id: 2, name: "globex", tier: "pro" }]);
  });
  it("ignores duplicates with ignoreDuplicates", async () => {
    const r = await f.service.from(f.t("customers"))
      .upsert([{ name: "globex", tier: "free" }, { name: "hooli", tier: "free" }], { onConflict: "name", ignoreDuplicates: true })
      .select("name, tier");
    expect(r.data).toEqual([{ name: "hooli", tier: "free" }]);
    const { data } = await f.service.from(f.t("customers")).select("tier").eq("name", "globex").single();
    expect(data).toEqual({ tier: "pro" });
  });
  it("upserts on the primary key by default", async () => {
    const r = await f.service.from(f.t("customers")).upsert({ id: 3, name: "initech", tier: "pro" }).select("id, tier");
    expect(r.data).toEqual([{ id: 3, tier: "pro" }]);
  });
});

describe("update and delete", () => {
  it("updates the agent's own rows and reports the count", async () => {
    const r = await f.agentA.from(boxes()).update({ status: "paused" }, { count: "exact" }).eq("name", "a1").select("name, status");
    expect(r).toMatchObject({ status: 200, count: 1, data: [{ name: "a1", status: "paused" }] });
    const minimal = await f.agentA.from(boxes()).update({ status: "running" }).eq("name", "a1");
    expect(minimal.status).toBe(204);
  });
  it("returns the changed rows even when the change takes them out of the filter", async () => {
    const r = await f.agentA.from(boxes()).update({ status: "paused" }).eq("status", "stopped").eq("name", "a2").select("name, status");
    expect(r.data).toEqual([{ name: "a2", status: "paused" }]);
    await f.agentA.from(boxes()).update({ status: "stopped" }).eq("name", "a2");
  });
  it("an agent cannot update or delete another agent's rows (RLS filters them silently)", async () => {
    const up = await f.agentA.from(boxes()).update({ status: "paused" }).eq("name", "b1").select();
    expect(up).toMatchObject({ status: 200, data: [] });
    const del = await f.agentA.from(boxes()).delete().eq("name", "b1").select();
    expect(del).toMatchObject({ status: 200, data: [] });
    const { data } = await f.service.from(boxes()).select("status").eq("name", "b1").single();
    expect(data).toEqual({ status: "running" });
  });
  it("an agent cannot move its row to another agent (403 42501)", async () => {
    const r = await f.agentA.from(boxes()).update({ owner_agent: "agent.b" }).eq("name", "a2");
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe("42501");
  });
  it("deletes with return=representation", async () => {
    const r = await f.agentA.from(boxes()).delete().eq("name", "w8").select("name");
    expect(r).toMatchObject({ status: 200, data: [{ name: "w8" }] });
    const minimal = await f.agentA.from(boxes()).delete().eq("name", "w5");
    expect(minimal.status).toBe(204);
  });
  it("rolls back a singular mutation that touched several rows (PGRST116)", async () => {
    const r = await f.service.from(boxes()).delete().like("name", "w%").select("name").single();
    expect(r.status).toBe(406);
    expect(r.error?.code).toBe("PGRST116");
    const { count } = await f.service.from(boxes()).select("*", { count: "exact", head: true }).like("name", "w%");
    expect(count).toBeGreaterThan(1);
  });
});

describe("row level security and constraints on inserts", () => {
  it("anon is refused with 401, another agent's row with 403, the service role may", async () => {
    const anon = await f.anon.from(boxes()).insert({ owner_agent: "agent.a", name: "x" });
    expect(anon.status).toBe(401);
    expect(anon.error).toMatchObject({ code: "42501", message: `new row violates row-level security policy for table "${boxes()}"` });
    const other = await f.agentB.from(boxes()).insert({ owner_agent: "agent.a", name: "x" });
    expect(other.status).toBe(403);
    const service = await f.service.from(boxes()).insert({ owner_agent: "agent.a", name: "svc" });
    expect(service.status).toBe(201);
  });
  it("maps unique and foreign key violations to 409, check and bad input to 400", async () => {
    const dup = await f.service.from(f.t("customers")).insert({ name: "acme" });
    expect(dup).toMatchObject({ status: 409, error: { code: "23505" } });
    const fk = await f.service.from(boxes()).insert({ owner_agent: "x", name: "x", customer_id: 999 });
    expect(fk).toMatchObject({ status: 409, error: { code: "23503" } });
    const check = await f.service.from(f.t("customers")).insert({ name: "zz", tier: "gold" });
    expect(check).toMatchObject({ status: 400, error: { code: "23514" } });
    const bad = await f.service.from(boxes()).insert({ owner_agent: "x", name: "x", cpu: "lots" });
    expect(bad).toMatchObject({ status: 400, error: { code: "22P02" } });
  });
  it("refuses an unknown column with PGRST204", async () => {
    const r = await f.service.from(boxes()).insert({ owner_agent: "x", name: "x", colour: "red" });
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: "PGRST204", message: `Could not find the 'colour' column of '${boxes()}' in the schema cache` });
  });
});
