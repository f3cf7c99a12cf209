import { describe, expect, it } from "vitest";
import { RestError } from "../../../local/rest/errors.ts";
import { parseQueryParams, parseSelect, splitTopLevel } from "../../../local/rest/query-params.ts";

const parse = (query: string, args?: Set<string>) => parseQueryParams(new URLSearchParams(query), args);

function expectPgrst100(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe("PGRST100");
    expect((error as RestError).status).toBe(400);
    return;
  }
  throw new Error("expected a PGRST100 error");
}

describe("select", () => {
  it("parses columns, aliases, casts, JSON paths and embeds with hints", () => {
    expect(parseSelect('id,label:name,cpu::text,region:meta->>region,customer:customers!containers_customer_id_fkey!inner(name,*)')).toEqual([
      { kind: "column", field: { name: "id", path: [] } },
      { kind: "column", field: { name: "name", path: [] }, alias: "label" },
      { kind: "column", field: { name: "cpu", path: [] }, cast: "text" },
      { kind: "column", field: { name: "meta", path: [{ arrow: "->>", key: "region" }] }, alias: "region" },
      { kind: "embed", target: "customers", alias: "customer", hint: "containers_customer_id_fkey", inner: true, select: [
        { kind: "column", field: { name: "name", path: [] } }, { kind: "star" },
      ] },
    ]);
  });
  it("defaults to * and accepts quoted names", () => {
    expect(parseSelect("")).toEqual([{ kind: "star" }]);
    expect(parseSelect('"my col"')).toEqual([{ kind: "column", field: { name: "my col", path: [] } }]);
  });
  it("refuses malformed selects", () => {
    for (const bad of ["name(", "a,,b", "x:(", "name::bad-cast", ":name", "...spread(*)", "a!x!y(*)"]) expectPgrst100(() => parseSelect(bad));
  });
});

describe("filters", () => {
  it("parses operators, negation, lists and quantifiers", () => {
    const q = parse('a=eq.1&b=not.in.(1,"x,y",3)&c=is.NULL&d=like(any).{a*,b*}&e=fts(english).cat&f=cs.{x,y}&meta->>k=eq.v');
    expect(q.filters.get("")).toEqual([
      { kind: "condition", field: { name: "a", path: [] }, negated: false, op: "eq", value: "1" },
      { kind: "condition", field: { name: "b", path: [] }, negated: true, op: "in", value: ["1", "x,y", "3"] },
      { kind: "condition", field: { name: "c", path: [] }, negated: false, op: "is", value: "null" },
      { kind: "condition", field: { name: "d", path: [] }, negated: false, op: "like", quantifier: "any", value: "{a*,b*}" },
      { kind: "condition", field: { name: "e", path: [] }, negated: false, op: "fts", ftsConfig: "english", value: "cat" },
      { kind: "condition", field: { name: "f", path: [] }, negated: false, op: "cs", value: "{x,y}" },
      { kind: "condition", field: { name: "meta", path: [{ arrow: "->>", key: "k" }] }, negated: false, op: "eq", value: "v" },
    ]);
  });
  it("keeps dots in values", () => {
    expect(parse("owner=eq.agent.a.b").filters.get("")?.[0]).toMatchObject({ value: "agent.a.b" });
  });
  it("parses nested logic trees with quoted values and negation", () => {
    const q = parse('or=(a.eq.1,and(b.gt.2,c.is.null),not.or(d.eq."x,y",e.in.(1,2)))&not.and=(f.eq.1)');
    const [or, notAnd] = q.filters.get("") ?? [];
    expect(or).toMatchObject({ kind: "logic", op: "or", negated: false });
    expect(or?.kind === "logic" && or.children[1]).toMatchObject({ kind: "logic", op: "and", children: [{ op: "gt" }, { op: "is" }] });
    expect(or?.kind === "logic" && or.children[2]).toMatchObject({ kind: "logic", op: "or", negated: true, children: [{ value: "x,y" }, { op: "in", value: ["1", "2"] }] });
    expect(notAnd).toMatchObject({ kind: "logic", op: "and", negated: true });
  });
  it("scopes filters, order and limits to embedded resources", () => {
    const q = parse("boxes.status=eq.x&boxes.order=name.desc&boxes.limit=2&boxes.or=(a.eq.1)&order=id.asc.nullslast&limit=5&offset=10");
    expect(q.filters.get("boxes")).toHaveLength(2);
    expect(q.order.get("boxes")).toEqual([{ field: { name: "name", path: [] }, direction: "desc" }]);
    expect(q.limit.get("boxes")).toBe(2);
    expect(q.order.get("")).toEqual([{ field: { name: "id", path: [] }, direction: "asc", nulls: "last" }]);
    expect([q.limit.get(""), q.offset.get("")]).toEqual([5, 10]);
  });
  it("takes function arguments out of the filters", () => {
    const q = parse("a=1&b=2&name=eq.x", new Set(["a", "b"]));
    expect([...q.args]).toEqual([["a", "1"], ["b", "2"]]);
    expect(q.filters.get("")).toHaveLength(1);
  });
  it("parses columns and on_conflict", () => {
    const q = parse('columns="a","b"&on_conflict=name,tier');
    expect(q.columns).toEqual(["a", "b"]);
    expect(q.onConflict).toEqual(["name", "tier"]);
  });
  it("refuses malformed filters with PGRST100", () => {
    for (const bad of ["a=eq", "a=zz.1", "a=in.1,2", "a=is.maybe", "a=eq(any).1", "or=(a.eq.1", "or=()", "or=(junk)", "limit=x", "offset=-1",
      "order=a.up.down", "a=like(some).{x}", "a)=eq.1", "a=fts(bad config).x", "select=a(", "on_conflict=,"]) {
      expectPgrst100(() => parse(bad));
    }
  });
  it("splits at top level only", () => {
    expect(splitTopLevel('a,(b,c),{d,e},"f,g"')).toEqual(["a", "(b,c)", "{d,e}", '"f,g"']);
  });
});
