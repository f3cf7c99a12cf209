import { columnNotFound, malformedParam, RestError } from "./errors.ts";
import type { QueryParams } from "./query-ast.ts";
import type { Relation, Routine, SchemaCache } from "./schema-cache.ts";
import { orderSql, whereSql, type ColumnSource } from "./sql-filters.ts";
import { createSelectContext, relationSource, selectListSql, type SelectContext } from "./sql-select.ts";
import { ident, Params, qualifiedIdent } from "./sql-text.ts";

/**
 * AST → one parameterised statement per request. Every statement returns one row
 * `(total bigint, page_count bigint, body text)`: PostgreSQL itself renders the JSON body (as
 * PostgREST does, so values serialise exactly as there), and the result type never changes, so the
 * statements can be prepared and cached safely. Identifiers come only from the schema cache.
 */
export interface BuiltQuery {
  text: string;
  params: string[];
}

/** What the body of the response is: an array, one object (singular), or nothing (HEAD, return=minimal). */
export type BodyShape = "array" | "object" | "none";

export interface OutputOptions {
  shape: BodyShape;
  stripNulls: boolean;
  count: boolean;
}

export interface Page {
  offset: number;
  limit: number | null;
}

function bodySql(shape: BodyShape, stripNulls: boolean): string {
  if (shape === "none") return "null::text";
  const json = shape === "array" ? "coalesce(json_agg(_pgrst_t), '[]')" : "(json_agg(_pgrst_t)->0)";
  return `${stripNulls ? `json_strip_nulls(${json})` : json}::text`;
}

/** Filters, order or limits given for an embed path the select does not have: PGRST108, as PostgREST. */
function checkScopes(ctx: SelectContext): void {
  for (const map of [ctx.query.filters, ctx.query.order, ctx.query.limit, ctx.query.offset]) {
    for (const scope of map.keys()) {
      if (!ctx.scopes.has(scope)) {
        throw new RestError(400, {
          code: "PGRST108",
          message: `'${scope}' is not an embedded resource in this request`,
          hint: `Verify that '${scope}' is included in the 'select' query parameter.`,
        });
      }
    }
  }
}

/** `select … from <from> as alias where … order … limit … offset …` wrapped into the (total, page_count, body) row. */
function readTail(ctx: SelectContext, from: string, parent: Relation | null, source: ColumnSource, page: Page | null, output: OutputOptions, rootFilters = true): string {
  const alias = ctx.nextAlias();
  const selected = selectListSql(ctx, parent, source, alias, ctx.query.select, "");
  const where = whereSql(rootFilters ? ctx.query.filters.get("") : [], source, alias, ctx.params, selected.innerConditions);
  const order = page ? orderSql(ctx.query.order.get(""), source, alias, ctx.params) : "";
  const limit = page?.limit !== null && page?.limit !== undefined ? ` limit ${ctx.params.add(String(page.limit))}` : "";
  const offset = page && page.offset > 0 ? ` offset ${ctx.params.add(String(page.offset))}` : "";
  checkScopes(ctx);
  const total = output.count ? `(select count(*) from ${from} as ${ident(alias)} where ${where})` : "null::bigint";
  return `select ${total} as total, count(*) as page_count, ${bodySql(output.shape, output.stripNulls)} as body ` +
    `from (select ${selected.list} from ${from} as ${ident(alias)} where ${where}${order}${limit}${offset}) _pgrst_t`;
}

export function buildRead(cache: SchemaCache, relation: Relation, query: QueryParams, page: Page, output: OutputOptions): BuiltQuery {
  const params = new Params();
  const ctx = createSelectContext(cache, query, params);
  const text = readTail(ctx, qualifiedIdent(relation.schema, relation.name), relation, relationSource(relation), page, output);
  return { text, params: params.values };
}

// ---- mutations ----

/** The representation (or, for return=minimal, just the count) of the rows in CTE `_pgrst_src`. */
function mutationTail(ctx: SelectContext, relation: Relation, representation: boolean, output: OutputOptions): string {
  if (!representation) {
    checkScopes(ctx);
    return `select count(*) as total, count(*) as page_count, null::text as body from _pgrst_src`;
  }
  // The root filters chose the rows to change; they are not applied again to the changed rows.
  return readTail(ctx, "_pgrst_src", relation, relationSource(relation), null, { ...output, count: true }, false);
}

function checkColumns(relation: Relation, columns: Iterable<string>): void {
  for (const c of columns) if (!relation.columns.has(c)) throw columnNotFound(c, relation.name);
}

export interface InsertPlan {
  relation: Relation;
  /** Row groups: each has the columns it sets and its rows as JSON array text. */
  groups: { columns: string[]; rowsJson: string; rowCount: number }[];
  upsert?: { onConflict: string[]; resolution: "merge" | "ignore" };
  representation: boolean;
}

export function buildInsert(cache: SchemaCache, plan: InsertPlan, query: QueryParams, output: OutputOptions): BuiltQuery {
  const params = new Params();
  const ctx = createSelectContext(cache, query, params);
  const { relation } = plan;
  const table = qualifiedIdent(relation.schema, relation.name);
  const returning = plan.representation ? "*" : "1";
  let conflict = "";
  if (plan.upsert) {
    const target = plan.upsert.onConflict;
    if (target.length === 0) throw malformedParam("Upsert needs on_conflict or a primary key", `'${relation.name}' has no primary key`);
    checkColumns(relation, target);
    conflict = ` on conflict (${target.map(ident).join(", ")})`;
  }
  const ctes: string[] = [];
  plan.groups.forEach((group, g) => {
    checkColumns(relation, group.columns);
    let action = "";
    if (plan.upsert) {
      action = plan.upsert.resolution === "ignore" || group.columns.length === 0
        ? `${conflict} do nothing`
        : `${conflict} do update set ${group.columns.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(", ")}`;
    }
    if (group.columns.length === 0) {
      for (let i = 0; i < group.rowCount; i++) ctes.push(`_pgrst_ins_${g}_${i} as (insert into ${table} default values${action} returning ${returning})`);
      return;
    }
    const cols = group.columns.map(ident).join(", ");
    ctes.push(`_pgrst_ins_${g} as (insert into ${table} (${cols}) select ${cols} from json_populate_recordset(null::${table}, ${params.add(group.rowsJson)}::json) _${action} returning ${returning})`);
  });
  if (ctes.length === 0) ctes.push(`_pgrst_ins_none as (select ${table}.* from ${table} where false)`);
  const names = ctes.map((c) => c.slice(0, c.indexOf(" ")));
  const union = names.map((n) => `select * from ${n}`).join(" union all ");
  const text = `with ${ctes.join(", ")}, _pgrst_src as (${union}) ` +
    mutationTail(ctx, relation, plan.representation, output);
  return { text, params: params.values };
}

export interface UpdatePlan {
  relation: Relation;
  columns: string[];
  bodyJson: string;
  representation: boolean;
}

export function buildUpdate(cache: SchemaCache, plan: UpdatePlan, query: QueryParams, output: OutputOptions): BuiltQuery {
  const params = new Params();
  const ctx = createSelectContext(cache, query, params);
  const { relation } = plan;
  checkColumns(relation, plan.columns);
  const table = qualifiedIdent(relation.schema, relation.name);
  const alias = ctx.nextAlias();
  const where = whereSql(query.filters.get(""), relationSource(relation), alias, params);
  const returning = plan.representation ? `${ident(alias)}.*` : "1";
  const set = plan.columns.map((c) => `${ident(c)} = _pgrst_body.${ident(c)}`).join(", ");
  const body = params.add(plan.bodyJson);
  const text = `with _pgrst_src as (update ${table} as ${ident(alias)} set ${set} from (select * from json_populate_record(null::${table}, ${body}::json)) _pgrst_body where ${where} returning ${returning}) ` +
    mutationTail(ctx, relation, plan.representation, output);
  return { text, params: params.values };
}

export function buildDelete(cache: SchemaCache, relation: Relation, representation: boolean, query: QueryParams, output: OutputOptions): BuiltQuery {
  const params = new Params();
  const ctx = createSelectContext(cache, query, params);
  const table = qualifiedIdent(relation.schema, relation.name);
  const alias = ctx.nextAlias();
  const where = whereSql(query.filters.get(""), relationSource(relation), alias, params);
  const returning = representation ? `${ident(alias)}.*` : "1";
  const text = `with _pgrst_src as (delete from ${table} as ${ident(alias)} where ${where} returning ${returning}) ` +
    mutationTail(ctx, relation, representation, output);
  return { text, params: params.values };
}

// ---- rpc ----

export interface RpcPlan {
  routine: Routine;
  /** Names of the arguments given (the rest take their defaults). */
  argNames: string[];
  /** The arguments as one JSON object text. */
  argsJson: string;
  /** The routine takes one unnamed json/jsonb argument: the whole body is passed to it. */
  wholeBody: boolean;
}

function callSql(plan: RpcPlan, params: Params): { from: string; call: string } {
  const fn = qualifiedIdent(plan.routine.schema, plan.routine.name);
  if (plan.wholeBody) {
    const type = plan.routine.args[0]?.type === "jsonb" ? "jsonb" : "json";
    return { from: "", call: `${fn}(${params.add(plan.argsJson)}::${type})` };
  }
  if (plan.argNames.length === 0) return { from: "", call: `${fn}()` };
  const types = new Map(plan.routine.args.map((a) => [a.name, a.type]));
  const definitions = plan.argNames.map((n) => `${ident(n)} ${types.get(n) ?? "text"}`).join(", ");
  const from = `json_to_record(${params.add(plan.argsJson)}::json) as _pgrst_args(${definitions})`;
  return { from, call: `${fn}(${plan.argNames.map((n) => `${ident(n)} := _pgrst_args.${ident(n)}`).join(", ")})` };
}

export function buildRpc(cache: SchemaCache, plan: RpcPlan, query: QueryParams, page: Page, output: OutputOptions): BuiltQuery {
  const params = new Params();
  const ctx = createSelectContext(cache, query, params);
  const { routine } = plan;
  const { from, call } = callSql(plan, params);
  const fromClause = from === "" ? "" : ` from ${from}`;
  if (routine.returnKind === "composite") {
    const columns = routine.resultColumns ?? [];
    const source: ColumnSource = { label: routine.name, columns: new Map(columns.map((c) => [c, { type: "" }])) };
    const cte = `with _pgrst_call as materialized (select _pgrst_c.* from ${from === "" ? "" : `${from}, lateral `}${call} as _pgrst_c) `;
    const shape: BodyShape = routine.returnsSet || output.shape === "none" ? output.shape : "object";
    return { text: cte + readTail(ctx, "_pgrst_call", null, source, routine.returnsSet ? page : null, { ...output, shape }), params: params.values };
  }
  checkScopes(ctx);
  if (query.filters.size > 0 || query.order.size > 0) throw malformedParam(`Filters and order are not supported on the scalar result of ${routine.name}`);
  const cte = `with _pgrst_call as materialized (select ${call} as pgrst_scalar${fromClause}) `;
  if (routine.returnKind === "void") {
    return { text: cte + "select null::bigint as total, count(*) as page_count, null::text as body from _pgrst_call", params: params.values };
  }
  if (!routine.returnsSet) {
    const body = output.shape === "none" ? "null::text" : "coalesce(to_json(pgrst_scalar)::text, 'null')";
    return { text: cte + `select null::bigint as total, count(*) as page_count, min(${body}) as body from _pgrst_call`, params: params.values };
  }
  const limit = page.limit !== null ? ` limit ${params.add(String(page.limit))}` : "";
  const offset = page.offset > 0 ? ` offset ${params.add(String(page.offset))}` : "";
  const total = output.count ? "(select count(*) from _pgrst_call)" : "null::bigint";
  const json = output.shape === "none" ? "null::text" : output.shape === "object" ? "(json_agg(pgrst_scalar)->0)::text" : "coalesce(json_agg(pgrst_scalar), '[]')::text";
  return { text: cte + `select ${total} as total, count(*) as page_count, ${json} as body from (select pgrst_scalar from _pgrst_call${limit}${offset}) _pgrst_t`, params: params.values };
}
