import { columnNotFound, invalidBody, malformedParam, singularViolation, tableNotFound } from "./errors.ts";
import { parseQueryParams } from "./query-params.ts";
import { discardBody, readJsonBody } from "./request-body.ts";
import { appliedHeader, countRequested, pageOf, requestSettings, type RequestContext } from "./request-context.ts";
import { contentRange, JSON_TYPE, OBJECT_TYPE, rangeStatus, restResponse } from "./responses.ts";
import { qualified, type Relation } from "./schema-cache.ts";
import { buildDelete, buildInsert, buildRead, buildUpdate, type InsertPlan, type OutputOptions } from "./sql-builder.ts";
import { runInTransaction, type CommitDecision, type MainRow } from "./transaction.ts";

/** GET/HEAD (read), POST (insert/upsert), PATCH (update), DELETE on a table or view. */
function relationOf(ctx: RequestContext, name: string): Relation {
  const relation = ctx.cache.relations.get(qualified(ctx.schema, name));
  if (!relation) throw tableNotFound(ctx.schema, name);
  return relation;
}

function contentType(ctx: RequestContext): string {
  return ctx.media.shape === "object" ? OBJECT_TYPE : JSON_TYPE;
}

/** Singular responses roll back a mutation that touched other than one row. */
const exactlyOne: CommitDecision = (row) => Number(row.page_count) === 1;

export async function readRelation(ctx: RequestContext, name: string): Promise<Response> {
  const relation = relationOf(ctx, name);
  const query = parseQueryParams(ctx.url.searchParams);
  const page = pageOf(ctx, query);
  const head = ctx.method === "HEAD";
  const output: OutputOptions = { shape: head ? "none" : ctx.media.shape, stripNulls: ctx.media.stripNulls, count: countRequested(ctx) };
  const built = buildRead(ctx.cache, relation, query, page, output);
  const row = await runInTransaction(ctx.config.sql, requestSettings(ctx, true), built);
  const rows = Number(row.page_count);
  const total = row.total === null ? null : Number(row.total);
  if (ctx.media.shape === "object" && !head && rows !== 1) throw singularViolation(rows);
  const status = rangeStatus(page.offset, rows, total);
  return restResponse(status, head ? null : row.body, {
    "content-type": contentType(ctx), "content-range": contentRange(page.offset, rows, total), ...appliedHeader(ctx),
  });
}

function mutationResponse(ctx: RequestContext, row: MainRow, representation: boolean, successStatus: number): Response {
  const rows = Number(row.page_count);
  if (representation && ctx.media.shape === "object" && rows !== 1) throw singularViolation(rows);
  const total = countRequested(ctx) ? Number(row.total ?? rows) : null;
  const headers: Record<string, string> = { "content-range": contentRange(0, rows, total), ...appliedHeader(ctx) };
  if (!representation) return restResponse(successStatus === 201 ? 201 : 204, null, headers);
  return restResponse(successStatus === 201 ? 201 : 200, row.body, { ...headers, "content-type": contentType(ctx) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Splits the payload into insert groups (see InsertPlan): one group unless `missing=default` meets differing keys. */
export function insertGroups(relation: Relation, text: string, value: unknown, columns: string[] | undefined, missingDefault: boolean): InsertPlan["groups"] {
  const rows = Array.isArray(value) ? value : [value];
  if (!rows.every(isObject)) throw invalidBody("All object keys must match", "The body must be a JSON object or an array of objects");
  let cols = columns;
  if (!cols) {
    const seen = new Set<string>();
    for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
    cols = [...seen];
  }
  for (const c of cols) if (!relation.columns.has(c)) throw columnNotFound(c, relation.name);
  const arrayText = Array.isArray(value) ? text : `[${text}]`;
  if (rows.length === 0) return [];
  if (!missingDefault || rows.every((r) => cols.every((c) => c in r))) return [{ columns: cols, rowsJson: arrayText, rowCount: rows.length }];
  const groups = new Map<string, { columns: string[]; rows: unknown[] }>();
  for (const row of rows) {
    const present = cols.filter((c) => c in row);
    const key = JSON.stringify(present);
    const group = groups.get(key) ?? { columns: present, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ columns: g.columns, rowsJson: JSON.stringify(g.rows), rowCount: g.rows.length }));
}

export async function insertRelation(ctx: RequestContext, name: string): Promise<Response> {
  const relation = relationOf(ctx, name);
  const query = parseQueryParams(ctx.url.searchParams);
  const body = await readJsonBody(ctx.request, ctx.config.maxBodyBytes);
  if (!body) throw invalidBody();
  const representation = ctx.prefs.return === "representation";
  const groups = insertGroups(relation, body.text, body.value, query.columns, ctx.prefs.missing === "default");
  const plan: InsertPlan = { relation, groups, representation };
  if (ctx.prefs.resolution) {
    plan.upsert = { onConflict: query.onConflict ?? relation.primaryKey, resolution: ctx.prefs.resolution === "ignore-duplicates" ? "ignore" : "merge" };
  }
  const output: OutputOptions = { shape: ctx.media.shape, stripNulls: ctx.media.stripNulls, count: countRequested(ctx) };
  const built = buildInsert(ctx.cache, plan, query, output);
  const singular = representation && ctx.media.shape === "object";
  const row = await runInTransaction(ctx.config.sql, requestSettings(ctx, false), built, singular ? exactlyOne : undefined);
  return mutationResponse(ctx, row, representation, 201);
}

function rejectLimits(ctx: RequestContext, query: ReturnType<typeof parseQueryParams>): void {
  if (query.limit.has("") || query.offset.has("")) throw malformedParam(`limit and offset are not supported on ${ctx.method}`, "Filter the rows to change instead");
}

export async function updateRelation(ctx: RequestContext, name: string): Promise<Response> {
  const relation = relationOf(ctx, name);
  const query = parseQueryParams(ctx.url.searchParams);
  rejectLimits(ctx, query);
  const body = await readJsonBody(ctx.request, ctx.config.maxBodyBytes);
  if (!body || !isObject(body.value)) throw invalidBody("Empty or invalid json", "PATCH needs a JSON object");
  const columns = Object.keys(body.value);
  for (const c of columns) if (!relation.columns.has(c)) throw columnNotFound(c, relation.name);
  const representation = ctx.prefs.return === "representation";
  if (columns.length === 0) return mutationResponse(ctx, { total: "0", page_count: "0", body: "[]" }, representation, 200);
  const output: OutputOptions = { shape: ctx.media.shape, stripNulls: ctx.media.stripNulls, count: countRequested(ctx) };
  const built = buildUpdate(ctx.cache, { relation, columns, bodyJson: body.text, representation }, query, output);
  const singular = representation && ctx.media.shape === "object";
  const row = await runInTransaction(ctx.config.sql, requestSettings(ctx, false), built, singular ? exactlyOne : undefined);
  return mutationResponse(ctx, row, representation, 200);
}

export async function deleteRelation(ctx: RequestContext, name: string): Promise<Response> {
  const relation = relationOf(ctx, name);
  const query = parseQueryParams(ctx.url.searchParams);
  rejectLimits(ctx, query);
  if (ctx.request.body) await discardBody(ctx.request.body.getReader());
  const representation = ctx.prefs.return === "representation";
  const output: OutputOptions = { shape: ctx.media.shape, stripNulls: ctx.media.stripNulls, count: countRequested(ctx) };
  const built = buildDelete(ctx.cache, relation, representation, query, output);
  const singular = representation && ctx.media.shape === "object";
  const row = await runInTransaction(ctx.config.sql, requestSettings(ctx, false), built, singular ? exactlyOne : undefined);
  return mutationResponse(ctx, row, representation, 200);
}
