import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stack } from "../setup/clients.ts";
import { createRestFixture, type RestFixture } from "./rest-fixture.ts";

/**
 * Bad input never crashes the runtime: each case gets a PostgREST-shaped error, and the service keeps
 * answering afterwards. No part of a URL, header or body reaches SQL except as a checked identifier
 * or a bound value.
 */
let f: RestFixture;
beforeAll(async () => { f = await createRestFixture(); });
afterAll(async () => { await f?.drop(); });

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const s = stack();
  const res = await fetch(`${s.apiUrl}/rest/v1/${path}`, { ...init, headers: { apikey: s.anonKey, ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

function expectPostgrestError(body: Record<string, unknown>, code: string): void {
  expect(Object.keys(body).sort()).toEqual(["code", "details", "hint", "message"]);
  expect(body.code).toBe(code);
}

describe("malformed requests", () => {
  it("malformed filters and unknown operators are 400 PGRST100", async () => {
    for (const query of ["name=eq", "name=zz.1", "or=(name.eq.1", "limit=-1", "id=in.1,2", "select=name(", "order=name.sideways.x", "name=like(some).x"]) {
      const r = await raw(`${f.t("customers")}?${query}`);
      expect(r.status, query).toBe(400);
      expectPostgrestError(r.body, "PGRST100");
    }
  });
  it("supabase-js filter errors come back as errors, not exceptions", async () => {
    const r = await f.anon.from(f.t("customers")).select("name").filter("name", "between", "a");
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe("PGRST100");
  });
  it("unknown tables are 404 PGRST205, unknown columns 400", async () => {
    const table = await f.anon.from(`${f.t("nope")}`).select("*");
    expect(table.status).toBe(404);
    expect(table.error).toMatchObject({ code: "PGRST205", message: `Could not find the table 'public.${f.t("nope")}' in the schema cache` });
    const column = await f.anon.from(f.t("customers")).select("name").eq("colour", "red");
    expect(column.status).toBe(400);
    expect(column.error?.code).toBe("42703");
  });
  it("a value of the wrong type is 400 22P02", async () => {
    const r = await f.anon.from(f.t("customers")).select("name").eq("id", "abc");
    expect(r).toMatchObject({ status: 400, error: { code: "22P02" } });
  });
  it("invalid JSON is 400 PGRST102", async () => {
    const r = await raw(f.t("customers"), { method: "POST", body: "{nope", headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expectPostgrestError(r.body, "PGRST102");
  });
  it("a body over 1 MiB is 413 PGRST413", async () => {
    const r = await f.service.from(f.t("customers")).insert({ name: "x".repeat(1024 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(r.error?.code).toBe("PGRST413");
  });
  it("unsupported media types are 406", async () => {
    const r = await f.anon.from(f.t("customers")).select("name").csv();
    expect(r.status).toBe(406);
  });
});

describe("JWTs", () => {
  it("a forged signature is 401 PGRST301 with WWW-Authenticate", async () => {
    const good = await f.sign({ role: "service_role" });
    const forged = good.slice(0, good.lastIndexOf(".") + 1) + "AAAA" + good.slice(good.lastIndexOf(".") + 5);
    const r = await raw(f.t("customers"), { headers: { authorization: `Bearer ${forged}` } });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectPostgrestError(r.body, "PGRST301");
    const viaClient = await f.withToken(forged).from(f.t("customers")).select("*");
    expect(viaClient.status).toBe(401);
  });
  it("a token signed with another secret, garbage, an expired token and an unknown role are 401", async () => {
    const { SignJWT } = await import("jose");
    const other = await new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("another-secret-another-secret-1234"));
    expect((await f.withToken(other).from(f.t("customers")).select("*")).error?.code).toBe("PGRST301");
    expect((await f.withToken("garbage").from(f.t("customers")).select("*")).error?.code).toBe("PGRST301");
    const expired = await f.withToken(await f.sign({ role: "authenticated" }, -60)).from(f.t("customers")).select("*");
    expect(expired).toMatchObject({ status: 401, error: { code: "PGRST303", message: "JWT expired" } });
    const superuser = await f.withToken(await f.sign({ role: "supabase_admin" })).from(f.t("customers")).select("*");
    expect(superuser.status).toBe(401);
  });
});

describe("injection", () => {
  it("values are bound: a quote in a filter value matches nothing and drops nothing", async () => {
    const r = await f.anon.from(f.t("customers")).select("name").eq("name", `x'); drop table ${f.t("log")}; --`);
    expect(r).toMatchObject({ status: 200, data: [] });
    const orValue = await f.anon.from(f.t("customers")).select("name").or(`name.eq."acme'); drop table ${f.t("log")}; --"`);
    expect(orValue.data).toEqual([]);
  });
  it("identifiers are checked: a crafted column, table, alias or order is an error", async () => {
    const column = await raw(`${f.t("customers")}?select=${encodeURIComponent(`name"; drop table ${f.t("log")}; --`)}`);
    expect(column.status).toBe(400);
    const table = await raw(encodeURIComponent(`${f.t("customers")}"; drop table ${f.t("log")}; --`));
    expect(table.status).toBe(404);
    const order = await raw(`${f.t("customers")}?order=${encodeURIComponent("name; drop table x")}`);
    expect(order.status).toBe(400);
    const alias = await f.anon.from(f.t("customers")).select(`"x"" from pg_authid --":name`).limit(1);
    expect(alias.error).toBeNull();
    const profile = await raw(f.t("customers"), { headers: { "accept-profile": `public"; drop table x; --` } });
    expect(profile.status).toBe(406);
    const rows = await f.sql`select to_regclass(${`public.${f.t("log")}`}) is not null as exists`;
    expect(rows[0]?.exists).toBe(true);
  });
});

describe("the runtime keeps serving", () => {
  it("answers a normal request after all of the above", async () => {
    const r = await f.anon.from(f.t("customers")).select("name").eq("id", 1).single();
    expect(r).toMatchObject({ status: 200, data: { name: "acme" } });
  });
});
