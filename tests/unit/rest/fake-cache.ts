import type { Relation, SchemaCache } from "../../../local/rest/schema-cache.ts";

/** A small schema cache for pure tests: customers ←(customer_id) containers; log without relationships. */
function relation(name: string, columns: [string, string][], primaryKey: string[] = ["id"]): Relation {
  return { schema: "public", name, kind: "table", columns: new Map(columns.map(([n, type]) => [n, { name: n, type, nullable: true }])), primaryKey };
}

export function fakeCache(): SchemaCache {
  const customers = relation("customers", [["id", "bigint"], ["name", "text"], ["tier", "text"]]);
  const containers = relation("containers", [["id", "bigint"], ["customer_id", "bigint"], ["name", "text"], ["cpu", "numeric"], ["meta", "jsonb"], ["labels", "text[]"], ["doc", "tsvector"]]);
  const log = relation("log", [["id", "bigint"], ["n", "integer"]]);
  return {
    relations: new Map([["public.customers", customers], ["public.containers", containers], ["public.log", log]]),
    foreignKeys: [{ constraint: "containers_customer_id_fkey", schema: "public", table: "containers", columns: ["customer_id"], refSchema: "public", refTable: "customers", refColumns: ["id"] }],
    routines: new Map([
      ["public.add", [{ schema: "public", name: "add", args: [{ name: "a", type: "integer", hasDefault: false }, { name: "b", type: "integer", hasDefault: true }], returnsSet: false, returnKind: "scalar", resultColumns: null, volatility: "immutable" }]],
      ["public.ingest", [{ schema: "public", name: "ingest", args: [{ name: "", type: "jsonb", hasDefault: false }], returnsSet: false, returnKind: "void", resultColumns: null, volatility: "volatile" }]],
    ]),
    roleSettings: new Map(),
  };
}
