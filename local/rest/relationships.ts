import { ambiguousRelationship, noRelationship } from "./errors.ts";
import type { SelectEmbed } from "./query-ast.ts";
import { qualified, type ForeignKey, type Relation, type SchemaCache } from "./schema-cache.ts";

/**
 * Finds the foreign key an embedding uses, as PostgREST does for tables: `target` is the related
 * table's name (either direction), the foreign key constraint's name, or — for a many-to-one — the
 * name of the single referencing column. A hint `target!hint` picks among several by constraint
 * name or column. None is PGRST200, several is PGRST201 (300).
 * Not supported: relationships through views' dependencies and many-to-many via junction tables.
 */
export interface Relationship {
  child: Relation;
  fk: ForeignKey;
  /** many-to-one: the parent holds the foreign key (embed is an object); one-to-many: the child does (an array). */
  cardinality: "many-to-one" | "one-to-many";
}

function single(columns: string[]): string | undefined {
  return columns.length === 1 ? columns[0] : undefined;
}

function describe(r: Relationship): string {
  return r.cardinality === "many-to-one"
    ? `${r.fk.constraint} (many-to-one: ${r.fk.table}(${r.fk.columns.join(",")}) -> ${r.fk.refTable}(${r.fk.refColumns.join(",")}))`
    : `${r.fk.constraint} (one-to-many: ${r.fk.refTable}(${r.fk.refColumns.join(",")}) <- ${r.fk.table}(${r.fk.columns.join(",")}))`;
}

export function resolveRelationship(cache: SchemaCache, parent: Relation, embed: SelectEmbed): Relationship {
  const candidates: Relationship[] = [];
  for (const fk of cache.foreignKeys) {
    if (fk.schema === parent.schema && fk.table === parent.name) {
      const matches = (fk.refSchema === parent.schema && fk.refTable === embed.target) || fk.constraint === embed.target || single(fk.columns) === embed.target;
      const child = cache.relations.get(qualified(fk.refSchema, fk.refTable));
      if (matches && child) candidates.push({ child, fk, cardinality: "many-to-one" });
    }
    if (fk.refSchema === parent.schema && fk.refTable === parent.name) {
      const matches = (fk.schema === parent.schema && fk.table === embed.target) || fk.constraint === embed.target;
      const child = cache.relations.get(qualified(fk.schema, fk.table));
      if (matches && child) candidates.push({ child, fk, cardinality: "one-to-many" });
    }
  }
  const hinted = embed.hint === undefined
    ? candidates
    : candidates.filter((c) => c.fk.constraint === embed.hint || c.fk.columns.includes(embed.hint ?? "") || c.fk.refColumns.includes(embed.hint ?? ""));
  if (hinted.length === 1 && hinted[0]) return hinted[0];
  if (hinted.length > 1) throw ambiguousRelationship(parent.name, embed.target, hinted.map(describe));
  throw noRelationship(parent.name, embed.hint === undefined ? embed.target : `${embed.target}!${embed.hint}`, parent.schema);
}
