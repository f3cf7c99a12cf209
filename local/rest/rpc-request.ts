import { invalidBody, singularViolation } from "./errors.ts";
import { parseQueryParams } from "./query-params.ts";
import { readJsonBody } from "./request-body.ts";
import { appliedHeader, countRequested, pageOf, requestSettings, type RequestContext } from "./request-context.ts";
import { contentRange, JSON_TYPE, OBJECT_TYPE, rangeStatus, restResponse } from "./responses.ts";
import { argNamesOf, resolveRoutine } from "./routines.ts";
import { buildRpc, type OutputOptions } from "./sql-builder.ts";
import { runInTransaction } from "./transaction.ts";

/**
 * `/rpc/<fn>`: POST with named arguments in a JSON object, or GET/HEAD with arguments in the query
 * string (the other parameters filter a set result). GET and HEAD always run READ ONLY, so a
 * volatile function that writes fails there with 25006 → 405, as in PostgREST; POST runs READ ONLY
 * only for stable/immutable functions.
 */
export async function callRoutine(ctx: RequestContext, name: string): Promise<Response> {
  const viaQuery = ctx.method === "GET" || ctx.method === "HEAD";
  const query = parseQueryParams(ctx.url.searchParams, viaQuery ? argNamesOf(ctx.cache, ctx.schema, name) : new Set());
  let argsJson: string;
  let given: string[];
  if (viaQuery) {
    given = [...query.args.keys()];
    argsJson = JSON.stringify(Object.fromEntries(query.args));
  } else {
    const body = await readJsonBody(ctx.request, ctx.config.maxBodyBytes);
    if (body !== undefined && (typeof body.value !== "object" || body.value === null || Array.isArray(body.value))) {
      throw invalidBody("Empty or invalid json", "The arguments of a function call must be a JSON object");
    }
    given = body ? Object.keys(body.value as object) : [];
    argsJson = body?.text ?? "{}";
  }
  const { routine, wholeBody } = resolveRoutine(ctx.cache, ctx.schema, name, given);
  const head = ctx.method === "HEAD" || ctx.prefs.return === "minimal";
  const output: OutputOptions = { shape: head ? "none" : ctx.media.shape, stripNulls: ctx.media.stripNulls, count: countRequested(ctx) };
  const page = pageOf(ctx, query);
  const built = buildRpc(ctx.cache, { routine, argNames: wholeBody ? [] : given, argsJson, wholeBody }, query, page, output);
  const readOnly = viaQuery || routine.volatility !== "volatile";
  const singular = ctx.media.shape === "object" && routine.returnsSet;
  const row = await runInTransaction(ctx.config.sql, requestSettings(ctx, readOnly), built, singular && !readOnly ? (r) => Number(r.page_count) === 1 : undefined);
  const rows = Number(row.page_count);
  if (singular && !head && rows !== 1) throw singularViolation(rows);
  if (routine.returnKind === "void") return restResponse(204, null, appliedHeader(ctx));
  const contentType = ctx.media.shape === "object" ? OBJECT_TYPE : JSON_TYPE;
  if (!routine.returnsSet) return restResponse(200, head ? null : row.body, { "content-type": contentType, ...appliedHeader(ctx) });
  const total = row.total === null ? null : Number(row.total);
  const status = rangeStatus(page.offset, rows, total);
  return restResponse(status, head ? null : row.body, { "content-type": contentType, "content-range": contentRange(page.offset, rows, total), ...appliedHeader(ctx) });
}
