import { malformedParam } from "./errors.ts";
import type { QueryParams, SelectEmbed, SelectItem } from "./query-ast.ts";
import { resolveRelationship } from "./relationships.ts";
import type { Relation, SchemaCache } from "./schema-cache.ts";
import { fieldSql, orderSql, whereSql, type ColumnSource } from "./sql-filters.ts";
import { ident, qualifiedIdent, type Params } from "./sql-text.ts";

/**
 * The select list of a read or a mutation's representation, with embedded resources rendered as
 * correlated subqueries: a many-to-one embed is `row_to_json` of at most one row (or null), a
 * one-to-many embed is a `json_agg` array (or `[]`), each with the filters, order, limit and
 * offset of its scope. `!inner` adds an EXISTS condition to the parent's WHERE.
 */
export interface SelectContext {
  cache: SchemaCache;
  query: QueryParams;
  params: Params;
  /** Scopes (embed paths) that exist in this request; filters on any other scope are an error. */
  scopes: Set<string>;
  nextAlias(): string;
}

export function createSelectContext(cache: SchemaCache, query: QueryParams, params: Params): SelectContext {
  let n = 0;
  return { cache, query, params, scopes: new Set([""]), nextAlias: () => `_pgrst_${n++}` };
}

export function relationSource(relation: Relation): ColumnSource {
  return { label: relation.name, columns: relation.columns };
}

/** Casts a select item may use (`col::text`); the SQL spelling of each. */
const CASTS: ReadonlyMap<string, string> = new Map([
  ["text", "text"], ["varchar", "varchar"], ["char", "char"], ["int", "integer"], ["integer", "integer"], ["int4", "integer"],
  ["int8", "bigint"], ["bigint", "bigint"], ["int2", "smallint"], ["smallint", "smallint"], ["numeric", "numeric"],
  ["float", "double precision"], ["float8", "double precision"], ["double precision", "double precision"], ["float4", "real"],
  ["real", "real"], ["bool", "boolean"], ["boolean", "boolean"], ["json", "json"], ["jsonb", "jsonb"], ["date", "date"],
  ["time", "time"], ["timestamp", "timestamp"], ["timestamptz", "timestamptz"], ["uuid", "uuid"],
]);

export interface RenderedSelect {
  list: string;
  /** EXISTS conditions of `!inner` embeds, for the parent's WHERE. */
  innerConditions: string[];
}

export function selectListSql(
  ctx: SelectContext, parent: Relation | null, source: ColumnSource, alias: string, items: readonly SelectItem[], scope: string,
): RenderedSelect {
  const list: string[] = [];
  const innerConditions: string[] = [];
  for (const item of items) {
    if (item.kind === "star") {
      list.push(`${ident(alias)}.*`);
    } else if (item.kind === "column") {
      let expr = fieldSql(source, alias, item.field, ctx.params);
      if (item.cast !== undefined) {
        const cast = CASTS.get(item.cast.toLowerCase());
        if (!cast) throw malformedParam(`Unsupported cast "${item.cast}"`, `Supported casts: ${[...CASTS.keys()].join(", ")}`);
        expr = `(${expr})::${cast}`;
      }
      const last = item.field.path[item.field.path.length - 1];
      const name = item.alias ?? (last ? last.key : item.field.name);
      list.push(`${expr} as ${ident(name)}`);
    } else {
      if (!parent) throw malformedParam(`Embedding "${item.target}" is not possible here`, "Only tables and views can embed related tables");
      const rendered = embedSql(ctx, parent, alias, item, scope);
      if (rendered.column) list.push(rendered.column);
      if (rendered.exists) innerConditions.push(rendered.exists);
    }
  }
  return { list: list.join(", "), innerConditions };
}

function embedSql(ctx: SelectContext, parent: Relation, parentAlias: string, embed: SelectEmbed, scope: string): { column?: string; exists?: string } {
  const relationship = resolveRelationship(ctx.cache, parent, embed);
  const { child, fk, cardinality } = relationship;
  const name = embed.alias ?? embed.target;
  const childScope = scope === "" ? name : `${scope}.${name}`;
  ctx.scopes.add(childScope);
  const childSource = relationSource(child);
  const table = qualifiedIdent(child.schema, child.name);

  const render = (alias: string) => {
    const selected = selectListSql(ctx, child, childSource, alias, embed.select, childScope);
    const pairs = cardinality === "many-to-one"
      ? fk.refColumns.map((c, i) => `${ident(alias)}.${ident(c)} = ${ident(parentAlias)}.${ident(fk.columns[i] ?? c)}`)
      : fk.columns.map((c, i) => `${ident(alias)}.${ident(c)} = ${ident(parentAlias)}.${ident(fk.refColumns[i] ?? c)}`);
    const where = whereSql(ctx.query.filters.get(childScope), childSource, alias, ctx.params, [...pairs, ...selected.innerConditions]);
    return { list: selected.list, where };
  };

  const result: { column?: string; exists?: string } = {};
  if (embed.select.length > 0) {
    const alias = ctx.nextAlias();
    const { list, where } = render(alias);
    const row = `${alias}_row`;
    if (cardinality === "many-to-one") {
      result.column = `(select row_to_json(${row}) from (select ${list} from ${table} as ${ident(alias)} where ${where} limit 1) ${row}) as ${ident(name)}`;
    } else {
      const order = orderSql(ctx.query.order.get(childScope), childSource, alias, ctx.params);
      const limit = ctx.query.limit.get(childScope);
      const offset = ctx.query.offset.get(childScope);
      const page = `${limit !== undefined ? ` limit ${ctx.params.add(String(limit))}` : ""}${offset !== undefined ? ` offset ${ctx.params.add(String(offset))}` : ""}`;
      result.column = `coalesce((select json_agg(${row}) from (select ${list} from ${table} as ${ident(alias)} where ${where}${order}${page}) ${row}), '[]') as ${ident(name)}`;
    }
  }
  if (embed.inner) {
    const alias = ctx.nextAlias();
    result.exists = `exists (select 1 from ${table} as ${ident(alias)} where ${render(alias).where})`;
  }
  return result;
}
