import type { Sql } from "postgres";
import type { Logger } from "../log/logger.ts";
import type { RequestAuth } from "./jwt-role.ts";
import type { QueryParams } from "./query-ast.ts";
import { cookiesJson, headersJson, parseRangeHeader, type MediaChoice, type Preferences } from "./request-headers.ts";
import type { SchemaCache } from "./schema-cache.ts";
import type { Page } from "./sql-builder.ts";
import { ident } from "./sql-text.ts";
import type { RequestSettings } from "./transaction.ts";

/** Everything one request's handling needs, decided once at the edge. */
export interface RestConfig {
  sql: Sql;
  schemas: readonly string[];
  extraSearchPath: readonly string[];
  maxRows: number;
  maxBodyBytes: number;
  log: Logger;
}

export interface RequestContext {
  config: RestConfig;
  request: Request;
  method: string;
  url: URL;
  /** Path below /rest/v1, as request.path. */
  path: string;
  schema: string;
  auth: RequestAuth;
  cache: SchemaCache;
  prefs: Preferences;
  media: MediaChoice;
}

export function requestSettings(ctx: RequestContext, readOnly: boolean): RequestSettings {
  const searchPath = [...new Set([ctx.schema, ...ctx.config.extraSearchPath])].map(ident).join(", ");
  return {
    readOnly,
    role: ctx.auth.role,
    claimsJson: ctx.auth.claimsJson,
    method: ctx.method,
    path: ctx.path,
    headersJson: headersJson(ctx.request.headers),
    cookiesJson: cookiesJson(ctx.request.headers.get("cookie")),
    searchPath,
    roleSettings: ctx.cache.roleSettings.get(ctx.auth.role) ?? [],
  };
}

/** limit/offset of the query intersected with a Range header (GET/HEAD), capped by max_rows. */
export function pageOf(ctx: RequestContext, query: QueryParams): Page {
  let offset = query.offset.get("") ?? 0;
  let limit: number | null = query.limit.get("") ?? null;
  const range = ctx.method === "GET" || ctx.method === "HEAD" ? parseRangeHeader(ctx.request.headers.get("range")) : undefined;
  if (range) {
    const from = Math.max(range.from, offset);
    const to = Math.min(range.to ?? Infinity, limit === null ? Infinity : offset + limit - 1);
    offset = from;
    limit = to === Infinity ? null : Math.max(0, to - from + 1);
  }
  if (ctx.config.maxRows > 0) limit = limit === null ? ctx.config.maxRows : Math.min(limit, ctx.config.maxRows);
  return { offset, limit };
}

export function countRequested(ctx: RequestContext): boolean {
  return ctx.prefs.count !== undefined;
}

export function appliedHeader(ctx: RequestContext): Record<string, string> {
  return ctx.prefs.applied.length > 0 ? { "preference-applied": ctx.prefs.applied.join(", ") } : {};
}
