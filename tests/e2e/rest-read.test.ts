import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestFixture, type RestFixture } from "./rest-fixture.ts";

/** REST reads through supabase-js: select grammar, filters, order, ranges, counts, singular, embedding, RLS. */
let f: RestFixture;
beforeAll(async () => { f = await createRestFixture(); });
afterAll(async () => { await f?.drop(); });

describe("select", () => {
  it("returns all columns, a column list, aliases, casts and JSON paths", async () => {
    const all = await f.service.from(f.t("customers")).select("*").order("id");
    expect(all.error).toBeNull();
    expect(all.status).toBe(200);
    expect(all.data?.map((r) => r.name)).toEqual(["acme", "globex", "initech"]);
    expect(Object.keys(all.data?.[0] ?? {})).toEqual(["id", "name", "tier", "created_at"]);

    const shaped = await f.service.from(f.t("containers")).select("label:name, cpu::text, region:meta->>region, size:meta->size").eq("name", "a1");
    expect(shaped.data).toEqual([{ label: "a1", cpu: "0.5", region: "eu", size: 2 }]);
  });

  it("serialises numbers, arrays and JSON as PostgREST does", async () => {
    const { data } = await f.service.from(f.t("containers")).select("id, cpu, labels, meta").eq("name", "a1").single();
    expect(data).toEqual({ id: 1, cpu: 0.5, labels: ["web", "prod"], meta: { region: "eu", size: 2 } });
  });
});

describe("filters", () => {
  const names = (r: { data: { name: string }[] | null; error: unknown }) => {
    expect(r.error).toBeNull();
    return (r.data ?? []).map((x) => x.name).sort();
  };
  it("eq neq gt gte lt lte", async () => {
    const c = () => f.service.from(f.t("containers")).select("name");
    expect(names(await c().eq("status", "running"))).toEqual(["a1", "b1"]);
    expect(names(await c().neq("status", "running"))).toEqual(["a2"]);
    expect(names(await c().gt("cpu", 0.5))).toEqual(["a2"]);
    expect(names(await c().gte("cpu", 0.5))).toEqual(["a1", "a2"]);
    expect(names(await c().lt("cpu", 1))).toEqual(["a1"]);
    expect(names(await c().lte("cpu", 1.25))).toEqual(["a1", "a2"]);
  });
  it("like ilike is in cs cd", async () => {
    const c = () => f.service.from(f.t("containers")).select("name");
    expect(names(await c().like("name", "a%"))).toEqual(["a1", "a2"]);
    expect(names(await c().ilike("name", "B%"))).toEqual(["b1"]);
    expect(names(await c().is("cpu", null))).toEqual(["b1"]);
    expect(names(await c().in("name", ["a1", "b1", "x,y"]))).toEqual(["a1", "b1"]);
    expect(names(await c().contains("labels", ["web"]))).toEqual(["a1"]);
    expect(names(await c().containedBy("labels", ["web", "prod", "worker"]))).toEqual(["a1", "a2", "b1"]);
    expect(names(await c().contains("meta", { region: "us" }))).toEqual(["a2"]);
  });
  it("not, or, and with nesting", async () => {
    const c = () => f.service.from(f.t("containers")).select("name");
    expect(names(await c().not("cpu", "is", null))).toEqual(["a1", "a2"]);
    expect(names(await c().not("name", "in", "(a1,a2)"))).toEqual(["b1"]);
    expect(names(await c().or("status.eq.stopped,and(owner_agent.eq.agent.b,cpu.is.null)"))).toEqual(["a2", "b1"]);
    expect(names(await c().or("name.eq.a1,name.eq.a2").or("status.eq.running"))).toEqual(["a1"]);
    expect(names(await c().filter("name", "like", "*1"))).toEqual(["a1", "b1"]);
  });
});

describe("order, limit, offset, Range and counts", () => {
  it("orders with nullsfirst/nullslast", async () => {
    const first = await f.service.from(f.t("containers")).select("name").order("cpu", { ascending: false, nullsFirst: true });
    expect(first.data?.map((r) => r.name)).toEqual(["b1", "a2", "a1"]);
    const last = await f.service.from(f.t("containers")).select("name").order("cpu", { ascending: true, nullsFirst: false });
    expect(last.data?.map((r) => r.name)).toEqual(["a1", "a2", "b1"]);
  });
  it("pages with range() and reports exact counts with Content-Range", async () => {
    const page = await f.service.from(f.t("containers")).select("name", { count: "exact" }).order("id").range(1, 1);
    expect(page.status).toBe(206);
    expect(page.count).toBe(3);
    expect(page.data).toEqual([{ name: "a2" }]);
    const all = await f.service.from(f.t("containers")).select("name", { count: "exact" }).limit(10);
    expect(all.status).toBe(200);
    expect(all.count).toBe(3);
  });
  it("answers HEAD with the count and no body", async () => {
    const head = await f.service.from(f.t("containers")).select("*", { count: "exact", head: true }).eq("status", "running");
    expect(head.error).toBeNull();
    expect(head.data).toBeNull();
    expect(head.count).toBe(2);
  });
  it("refuses an offset past the end with 416 PGRST103", async () => {
    const r = await f.service.from(f.t("containers")).select("name", { count: "exact" }).range(10, 12);
    expect(r.status).toBe(416);
    expect(r.error?.code).toBe("PGRST103");
  });
  it("honours the Range header", async () => {
    const s = (await import("../setup/clients.ts")).stack();
    const res = await fetch(`${s.apiUrl}/rest/v1/${f.t("customers")}?select=name&order=id`, {
      headers: { apikey: s.anonKey, range: "1-2" },
    });
    expect(res.headers.get("content-range")).toBe("1-2/*");
    expect(await res.json()).toEqual([{ name: "globex" }, { name: "initech" }]);
  });
});

describe("single and maybeSingle", () => {
  it("single() gives the object, or 406 PGRST116 with v13 wording", async () => {
    const one = await f.service.from(f.t("customers")).select("name").eq("id", 1).single();
    expect(one.data).toEqual({ name: "acme" });
    const none = await f.service.from(f.t("customers")).select("name").eq("id", 99).single();
    expect(none.status).toBe(406);
    expect(none.error).toMatchObject({ code: "PGRST116", message: "Cannot coerce the result to a single JSON object", details: "The result contains 0 rows" });
    const many = await f.service.from(f.t("customers")).select("name").single();
    expect(many.error).toMatchObject({ code: "PGRST116", details: "The result contains 3 rows" });
  });
  it("maybeSingle() gives null for no row and an error for many", async () => {
    const none = await f.service.from(f.t("customers")).select("name").eq("id", 99).maybeSingle();
    expect(none).toMatchObject({ data: null, error: null, status: 200 });
    const many = await f.service.from(f.t("customers")).select("name").maybeSingle();
    expect(many.error?.code).toBe("PGRST116");
  });
});

describe("embedding", () => {
  it("embeds many-to-one as an object and one-to-many as an array", async () => {
    const down = await f.service.from(f.t("containers")).select(`name, customer:${f.t("customers")}(name, tier)`).order("id");
    expect(down.error).toBeNull();
    expect(down.data?.[0]).toEqual({ name: "a1", customer: { name: "acme", tier: "pro" } });
    const up = await f.service.from(f.t("customers")).select(`name, ${f.t("containers")}(name)`).order("id");
    expect(up.data).toEqual([
      { name: "acme", [f.t("containers")]: [{ name: "a1" }, { name: "a2" }] },
      { name: "globex", [f.t("containers")]: [{ name: "b1" }] },
      { name: "initech", [f.t("containers")]: [] },
    ]);
  });
  it("filters, orders and limits the embedded side, and !inner filters the parent", async () => {
    const boxes = f.t("containers");
    const r = await f.service.from(f.t("customers")).select(`name, boxes:${boxes}!inner(name)`)
      .eq("boxes.status", "stopped").order("name", { referencedTable: "boxes" });
    expect(r.error).toBeNull();
    expect(r.data).toEqual([{ name: "acme", boxes: [{ name: "a2" }] }]);
    const limited = await f.service.from(f.t("customers")).select(`name, boxes:${boxes}(name)`).eq("id", 1)
      .order("name", { referencedTable: "boxes", ascending: false }).limit(1, { referencedTable: "boxes" });
    expect(limited.data).toEqual([{ name: "acme", boxes: [{ name: "a2" }] }]);
  });
  it("refuses an embedding without a relationship (PGRST200)", async () => {
    const r = await f.service.from(f.t("customers")).select(`name, ${f.t("log")}(*)`);
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe("PGRST200");
  });
});

describe("row level security on reads", () => {
  it("anon sees no containers, each agent only its own, the service role all", async () => {
    const read = async (c: typeof f.anon) => ((await c.from(f.t("containers")).select("name").order("name")).data ?? []).map((r) => r.name);
    expect(await read(f.anon)).toEqual([]);
    expect(await read(f.agentA)).toEqual(["a1", "a2"]);
    expect(await read(f.agentB)).toEqual(["b1"]);
    expect(await read(f.service)).toEqual(["a1", "a2", "b1"]);
  });
  it("a security_invoker view keeps the table's RLS", async () => {
    const r = await f.agentB.from(f.t("running")).select("name");
    expect(r.data).toEqual([{ name: "b1" }]);
  });
});

describe("schemas", () => {
  it("refuses a schema that is not exposed (PGRST106)", async () => {
    const r = await f.service.schema("auth").from("users").select("*");
    expect(r.status).toBe(406);
    expect(r.error).toMatchObject({ code: "PGRST106", message: "Invalid schema: auth" });
  });
});
