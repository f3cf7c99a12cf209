import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestFixture, type RestFixture } from "./rest-fixture.ts";

/** REST rpc through supabase-js: POST and GET, scalar, set, composite and void results, read-only GET. */
let f: RestFixture;
beforeAll(async () => { f = await createRestFixture(); });
afterAll(async () => { await f?.drop(); });

describe("rpc", () => {
  it("calls a function by POST with named arguments, using defaults for missing ones", async () => {
    expect(await f.anon.rpc(f.t("add"), { a: 2, b: 3 })).toMatchObject({ status: 200, data: 5, error: null });
    expect((await f.anon.rpc(f.t("add"), { a: 2 })).data).toBe(3);
  });
  it("calls a function by GET with query arguments", async () => {
    expect(await f.anon.rpc(f.t("add"), { a: 20, b: 22 }, { get: true })).toMatchObject({ status: 200, data: 42 });
  });
  it("sets role, claims, method, path and headers for the function", async () => {
    const { data } = await f.agentA.rpc(f.t("whoami"));
    expect(data).toMatchObject({ role: "authenticated", agent_id: "agent.a", jwt_role: "authenticated", method: "POST", path: `/rpc/${f.t("whoami")}` });
    expect(String((data as { client: string }).client)).toMatch(/^supabase-js/);
    const anon = await f.anon.rpc(f.t("whoami"), undefined, { get: true });
    expect(anon.data).toMatchObject({ role: "anon", jwt_role: "anon", method: "GET" });
    const service = await f.service.rpc(f.t("whoami"));
    expect(service.data).toMatchObject({ role: "service_role" });
  });
  it("returns sets of scalars with ranges and counts", async () => {
    const r = await f.anon.rpc(f.t("series"), { n: 5 }, { count: "exact" }).range(1, 2);
    expect(r).toMatchObject({ status: 206, count: 5, data: [2, 3] });
  });
  it("returns sets of rows that can be selected, filtered, ordered and made single", async () => {
    const r = await f.anon.rpc(f.t("customers_like"), { pattern: "%e%" }).select("name").neq("name", "globex").order("name", { ascending: false });
    expect(r.data).toEqual([{ name: "initech" }, { name: "acme" }]);
    const one = await f.anon.rpc(f.t("customers_like"), { pattern: "acme" }).select("tier").single();
    expect(one.data).toEqual({ tier: "pro" });
  });
  it("answers 204 for a void function", async () => {
    expect(await f.anon.rpc(f.t("noop"))).toMatchObject({ status: 204, data: null, error: null });
  });
  it("runs a volatile function by POST, and refuses its write by GET (read-only, 405 25006)", async () => {
    expect((await f.anon.rpc(f.t("log_it"), { n: 7 })).data).toBe(7);
    const get = await f.anon.rpc(f.t("log_it"), { n: 8 }, { get: true });
    expect(get.status).toBe(405);
    expect(get.error?.code).toBe("25006");
    const rows = await f.sql.unsafe(`select n from ${f.t("log")} order by id`);
    expect(rows.map((r) => r.n)).toEqual([7]);
  });
  it("maps RAISE SQLSTATE 'PTnnn' to status nnn", async () => {
    const r = await f.anon.rpc(f.t("fail"));
    expect(r.status).toBe(402);
    expect(r.error).toMatchObject({ code: "PT402", message: "payment required" });
  });
  it("answers 404 PGRST202 for an unknown function or unknown arguments", async () => {
    const unknown = await f.anon.rpc(f.t("nope"), { x: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.code).toBe("PGRST202");
    const badArgs = await f.anon.rpc(f.t("add"), { z: 1 });
    expect(badArgs.error?.code).toBe("PGRST202");
  });
});
