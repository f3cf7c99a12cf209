import { fromDatabaseError, isDatabaseError, malformedParam, methodNotAllowed, RestError } from "./errors.ts";
import type { RoleResolver } from "./jwt-role.ts";
import { chooseMedia, chooseSchema, parsePrefer } from "./request-headers.ts";
import type { RequestContext, RestConfig } from "./request-context.ts";
import { errorResponse, JSON_TYPE, preflightResponse, restResponse } from "./responses.ts";
import { callRoutine } from "./rpc-request.ts";
import type { SchemaCache } from "./schema-cache.ts";
import { deleteRelation, insertRelation, readRelation, updateRelation } from "./table-requests.ts";

/**
 * The `/rest/v1` request handler: authenticates, picks schema and media type, dispatches by path
 * (`/<table>`, `/rpc/<fn>`, `/` for a small description) and method, and turns every failure into
 * a PostgREST-shaped error response. Nothing thrown escapes: bad input never crashes the runtime.
 */
export const REST_PREFIX = "/rest/v1";

type Target = { kind: "root" } | { kind: "relation"; name: string } | { kind: "rpc"; name: string };

function parseTarget(path: string): Target {
  const segments = path.split("/").filter((s) => s !== "");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw malformedParam(`Invalid path segment "${s}"`);
    }
  };
  if (segments.length === 0) return { kind: "root" };
  const [first, second] = segments;
  if (segments.length === 1 && first) return { kind: "relation", name: decode(first) };
  if (segments.length === 2 && first === "rpc" && second) return { kind: "rpc", name: decode(second) };
  throw new RestError(404, { code: "PGRST125", message: `Invalid path specified in request URL: ${path}` });
}

function describeApi(cache: SchemaCache, schema: string): Response {
  const paths: Record<string, object> = { "/": {} };
  for (const r of cache.relations.values()) if (r.schema === schema) paths[`/${r.name}`] = {};
  for (const list of cache.routines.values()) for (const r of list) if (r.schema === schema) paths[`/rpc/${r.name}`] = {};
  return restResponse(200, JSON.stringify({ swagger: "2.0", info: { title: "PostgREST-compatible local API", version: "local" }, paths }), { "content-type": JSON_TYPE });
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("CONNECTION_") || code.startsWith("ECONN") || code === "CONNECT_TIMEOUT");
}

export function createRestHandler(config: RestConfig, resolveRole: RoleResolver, schemaCache: () => SchemaCache): (request: Request) => Promise<Response> {
  const dispatch = async (ctx: RequestContext, target: Target): Promise<Response> => {
    if (target.kind === "root") {
      if (ctx.method !== "GET" && ctx.method !== "HEAD") throw methodNotAllowed(ctx.method);
      return describeApi(ctx.cache, ctx.schema);
    }
    if (target.kind === "rpc") {
      if (!["GET", "HEAD", "POST"].includes(ctx.method)) throw methodNotAllowed(ctx.method);
      return callRoutine(ctx, target.name);
    }
    switch (ctx.method) {
      case "GET":
      case "HEAD":
        return readRelation(ctx, target.name);
      case "POST":
        return insertRelation(ctx, target.name);
      case "PATCH":
        return updateRelation(ctx, target.name);
      case "DELETE":
        return deleteRelation(ctx, target.name);
      default:
        throw methodNotAllowed(ctx.method);
    }
  };

  return async (request) => {
    const method = request.method.toUpperCase();
    if (method === "OPTIONS") return preflightResponse(request);
    let authed = false;
    let path = "/";
    try {
      const url = new URL(request.url);
      path = url.pathname.slice(REST_PREFIX.length) || "/";
      const auth = await resolveRole(request.headers);
      authed = auth.authed;
      const target = parseTarget(path);
      const ctx: RequestContext = {
        config, request, method, url, path, auth,
        schema: chooseSchema(method, request.headers, config.schemas),
        cache: schemaCache(),
        prefs: parsePrefer(request.headers.get("prefer")),
        media: chooseMedia(request.headers.get("accept")),
      };
      return await dispatch(ctx, target);
    } catch (error) {
      if (error instanceof RestError) return errorResponse(error);
      if (isDatabaseError(error)) {
        const mapped = fromDatabaseError(error, authed);
        if (mapped.status >= 500) config.log.warn("database error", { method, path, code: error.code, error: error.message });
        return errorResponse(mapped);
      }
      if (isConnectionError(error)) {
        config.log.error("database unavailable", { method, path, error: String(error) });
        return errorResponse(new RestError(503, { code: "PGRST001", message: "Database client error. Retrying the connection." }));
      }
      config.log.error("unexpected error in a REST request", { method, path, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return errorResponse(new RestError(500, { code: "PGRSTX00", message: "Internal server error" }));
    }
  };
}
