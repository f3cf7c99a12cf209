import { describe, expect, it } from "vitest";
import { RestError } from "../../../local/rest/errors.ts";
import { parseQueryParams } from "../../../local/rest/query-params.ts";
import { resolveRoutine } from "../../../local/rest/routines.ts";
import { buildDelete, buildInsert, buildRead, buildRpc, buildUpdate, type OutputOptions } from "../../../local/rest/sql-builder.ts";
import { insertGroups } from "../../../local/rest/table-requests.ts";
import { fakeCache } from "./fake-cache.ts";

const cache = fakeCache();
const rel = (name: string) => {
  const r = cache.relations.get(`public.${name}`);
  if (!r) throw new Error(name);
  return r;
};
const out: OutputOptions = { shape: "array", stripNulls: false, count: false };
const read = (table: string, query: string, output: OutputOptions = out) =>
  buildRead(cache, rel(table), parseQueryParams(new URLSearchParams(query)), { offset: 0, limit: 1000 }, output);

function expectError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("reads", () => {
  it("binds every value and quotes every identifier", () => {
    const evil = "x'); drop table log; --";
    const q = read("customers", `select=name&name=eq.${encodeURIComponent(evil)}&or=(tier.eq.pro,id.in.(1,2))&order=name.desc.nullslast`);
    expect(q.text).not.toContain("drop table");
    expect(q.params).toContain(evil);
    expect(q.params).toContain('{"1","2"}');
    expect(q.text).toContain(`"_pgrst_0"."name" = $1`);
    expect(q.text).toContain(`order by "_pgrst_0"."name" desc nulls last`);
    expect(q.text).toContain(`from "public"."customers" as "_pgrst_0"`);
  });
  it("produces the (total, page_count, body) row, with a count subquery only when asked", () => {
    expect(read("customers", "").text).toMatch(/^select null::bigint as total, count\(\*\) as page_count, coalesce\(json_agg\(_pgrst_t\), '\[\]'\)::text as body/);
    expect(read("customers", "", { ...out, count: true }).text).toContain(`(select count(*) from "public"."customers"`);
    expect(read("customers", "", { ...out, shape: "object" }).text).toContain("(json_agg(_pgrst_t)->0)::text");
    expect(read("customers", "", { ...out, shape: "none" }).text).toContain("null::text as body");
  });
  it("binds JSON path keys and array indexes", () => {
    const q = read("containers", "select=r:meta->>region,first:labels->0&meta->a->>b=eq.1");
    expect(q.params.slice(0, 2)).toEqual(["region", "0"]);
    expect(q.text).toContain(`"_pgrst_0"."meta"->>$1::text as "r"`);
    expect(q.text).toContain(`->($2)::int`);
  });
  it("renders many-to-one embeds as objects and one-to-many as arrays, with !inner as EXISTS", () => {
    const down = read("containers", "select=name,customers(name)");
    expect(down.text).toContain(`(select row_to_json(_pgrst_1_row) from (select "_pgrst_1"."name" as "name" from "public"."customers" as "_pgrst_1" where "_pgrst_1"."id" = "_pgrst_0"."customer_id" limit 1) _pgrst_1_row) as "customers"`);
    const up = read("customers", "select=name,boxes:containers!inner(name)&boxes.cpu=gt.1&boxes.order=name");
    expect(up.text).toContain(`coalesce((select json_agg(_pgrst_1_row)`);
    expect(up.text).toContain(`exists (select 1 from "public"."containers" as "_pgrst_2" where "_pgrst_2"."cpu" > $`);
  });
  it("uses a text search vector column directly and casts others", () => {
    expect(read("containers", "doc=fts(english).cat").text).toContain(`"_pgrst_0"."doc" @@ to_tsquery($1::regconfig, $2)`);
    expect(read("containers", "name=wfts.cat").text).toContain(`to_tsvector("_pgrst_0"."name"::text) @@ websearch_to_tsquery($1)`);
  });
  it("refuses unknown columns, relationships and scopes", () => {
    expectError(() => read("customers", "select=nope"), "42703");
    expectError(() => read("customers", "nope=eq.1"), "42703");
    expectError(() => read("customers", "order=nope"), "42703");
    expectError(() => read("customers", "select=*,log(*)"), "PGRST200");
    expectError(() => read("customers", "boxes.name=eq.1"), "PGRST108");
    expectError(() => read("customers", "select=name::regclass"), "PGRST100");
  });
});

describe("writes", () => {
  it("inserts through json_populate_recordset with the body as one parameter", () => {
    const body = '[{"name":"a","tier":"pro"}]';
    const groups = insertGroups(rel("customers"), body, JSON.parse(body), undefined, false);
    const q = buildInsert(cache, { relation: rel("customers"), groups, representation: true }, parseQueryParams(new URLSearchParams("select=id")), out);
    expect(q.params[0]).toBe(body);
    expect(q.text).toContain(`insert into "public"."customers" ("name", "tier") select "name", "tier" from json_populate_recordset(null::"public"."customers", $1::json) _ returning *`);
  });
  it("upserts with on conflict do update or do nothing", () => {
    const groups = insertGroups(rel("customers"), '{"name":"a"}', { name: "a" }, undefined, false);
    const merge = buildInsert(cache, { relation: rel("customers"), groups, representation: false, upsert: { onConflict: ["name"], resolution: "merge" } }, parseQueryParams(new URLSearchParams()), out);
    expect(merge.text).toContain(`on conflict ("name") do update set "name" = excluded."name" returning 1`);
    const ignore = buildInsert(cache, { relation: rel("customers"), groups, representation: false, upsert: { onConflict: ["id"], resolution: "ignore" } }, parseQueryParams(new URLSearchParams()), out);
    expect(ignore.text).toContain(`on conflict ("id") do nothing`);
  });
  it("groups rows by their keys for missing=default, and refuses unknown columns", () => {
    const rows = [{ name: "a" }, { name: "b", tier: "pro" }, { name: "c" }];
    const groups = insertGroups(rel("customers"), JSON.stringify(rows), rows, undefined, true);
    expect(groups.map((g) => [g.columns, g.rowCount])).toEqual([[["name"], 2], [["name", "tier"], 1]]);
    expectError(() => insertGroups(rel("customers"), '{"colour":1}', { colour: 1 }, undefined, false), "PGRST204");
    expectError(() => insertGroups(rel("customers"), "[1]", [1], undefined, false), "PGRST102");
  });
  it("updates and deletes with the filters bound", () => {
    const u = buildUpdate(cache, { relation: rel("customers"), columns: ["tier"], bodyJson: '{"tier":"pro"}', representation: false }, parseQueryParams(new URLSearchParams("id=eq.7")), out);
    expect(u.text).toContain(`update "public"."customers" as "_pgrst_0" set "tier" = _pgrst_body."tier" from (select * from json_populate_record(null::"public"."customers", $2::json)) _pgrst_body where "_pgrst_0"."id" = $1 returning 1`);
    const d = buildDelete(cache, rel("customers"), true, parseQueryParams(new URLSearchParams("name=like.a*")), out);
    expect(d.params).toEqual(["a%"]);
    expect(d.text).toContain(`delete from "public"."customers" as "_pgrst_0" where "_pgrst_0"."name" like $1 returning "_pgrst_0".*`);
  });
});

describe("rpc", () => {
  it("resolves overloads by argument names and converts arguments with their declared types", () => {
    const { routine } = resolveRoutine(cache, "public", "add", ["a"]);
    const q = buildRpc(cache, { routine, argNames: ["a"], argsJson: '{"a":1}', wholeBody: false }, parseQueryParams(new URLSearchParams()), { offset: 0, limit: null }, out);
    expect(q.text).toContain(`json_to_record($1::json) as _pgrst_args("a" integer)`);
    expect(q.text).toContain(`"public"."add"("a" := _pgrst_args."a")`);
    expectError(() => resolveRoutine(cache, "public", "add", ["b"]), "PGRST202");
    expectError(() => resolveRoutine(cache, "public", "nope", []), "PGRST202");
  });
  it("passes the whole body to a function with one unnamed json argument", () => {
    const call = resolveRoutine(cache, "public", "ingest", ["x", "y"]);
    expect(call.wholeBody).toBe(true);
  });
});
