import { malformedParam, undefinedColumn } from "./errors.ts";
import type { Condition, Field, Filter, OrderTerm } from "./query-ast.ts";
import { arrayLiteral, ident, type Params } from "./sql-text.ts";

/** The columns a filter may name: a table's, a view's, or a function result's. */
export interface ColumnSource {
  /** For messages (`column t.x does not exist`). */
  label: string;
  /** Column name → its type (format_type), when known. */
  columns: ReadonlyMap<string, { type: string }>;
}

/** `"alias"."col"` with its JSON path (`->$n`, `->>$n`; numeric keys index arrays). */
export function fieldSql(source: ColumnSource, alias: string, field: Field, params: Params): string {
  if (!source.columns.has(field.name)) throw undefinedColumn(source.label, field.name);
  let text = `${ident(alias)}.${ident(field.name)}`;
  for (const step of field.path) {
    const key = params.add(step.key);
    text += /^-?\d+$/.test(step.key) ? `${step.arrow}(${key})::int` : `${step.arrow}${key}::text`;
  }
  return text;
}

const BINARY: Record<string, string> = {
  eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=", like: "like", ilike: "ilike", match: "~", imatch: "~*",
  cs: "@>", cd: "<@", ov: "&&", sl: "<<", sr: ">>", nxr: "&<", nxl: "&>", adj: "-|-",
};

const FTS: Record<string, string> = { fts: "to_tsquery", plfts: "plainto_tsquery", phfts: "phraseto_tsquery", wfts: "websearch_to_tsquery" };

const IS: Record<string, string> = { null: "is null", not_null: "is not null", true: "is true", false: "is false", unknown: "is unknown" };

function likePattern(op: string, value: string): string {
  return op === "like" || op === "ilike" ? value.replaceAll("*", "%") : value;
}

function conditionSql(c: Condition, source: ColumnSource, alias: string, params: Params): string {
  const column = fieldSql(source, alias, c.field, params);
  let sql: string;
  if (c.op === "is") {
    sql = `${column} ${IS[c.value as string] ?? "is null"}`;
  } else if (c.op === "in") {
    sql = `${column} = any(${params.add(arrayLiteral(c.value as string[]))})`;
  } else if (c.op === "isdistinct") {
    sql = `${column} is distinct from ${params.add(c.value as string)}`;
  } else if (c.op in FTS) {
    const config = c.ftsConfig ? `${params.add(c.ftsConfig)}::regconfig, ` : "";
    const query = params.add(c.value as string);
    const type = c.field.path.length === 0 ? source.columns.get(c.field.name)?.type : undefined;
    const vector = type === "tsvector" ? column : `to_tsvector(${config}${column}::text)`;
    sql = `${vector} @@ ${FTS[c.op]}(${config}${query})`;
  } else {
    const op = BINARY[c.op];
    if (!op) throw malformedParam(`Unknown operator "${c.op}"`);
    const value = params.add(likePattern(c.op, c.value as string));
    sql = c.quantifier ? `${column} ${op} ${c.quantifier}(${value})` : `${column} ${op} ${value}`;
  }
  return c.negated ? `not (${sql})` : sql;
}

export function filterSql(filter: Filter, source: ColumnSource, alias: string, params: Params): string {
  if (filter.kind === "condition") return conditionSql(filter, source, alias, params);
  const joined = filter.children.map((child) => filterSql(child, source, alias, params)).join(filter.op === "or" ? " or " : " and ");
  return filter.negated ? `not (${joined})` : `(${joined})`;
}

/** All filters of one scope, AND-ed; "true" when there are none. */
export function whereSql(filters: readonly Filter[] | undefined, source: ColumnSource, alias: string, params: Params, extra: readonly string[] = []): string {
  const parts = [...(filters ?? []).map((f) => filterSql(f, source, alias, params)), ...extra];
  return parts.length === 0 ? "true" : parts.join(" and ");
}

export function orderSql(terms: readonly OrderTerm[] | undefined, source: ColumnSource, alias: string, params: Params): string {
  if (!terms || terms.length === 0) return "";
  const list = terms.map((t) => {
    const column = fieldSql(source, alias, t.field, params);
    return `${column}${t.direction ? ` ${t.direction}` : ""}${t.nulls ? ` nulls ${t.nulls}` : ""}`;
  });
  return ` order by ${list.join(", ")}`;
}
