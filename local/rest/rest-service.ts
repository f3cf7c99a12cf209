import type { Sql } from "postgres";
import type { Route } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";
import { createRestHandler, REST_PREFIX } from "./handler.ts";
import { createRoleResolver } from "./jwt-role.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./request-body.ts";
import { startSchemaCache } from "./schema-cache.ts";

/**
 * `/rest/v1`: PostgREST's contract over the project's database (docs/rest.md; contracts §6).
 * Each request runs in its own transaction as the JWT's role; the schema cache reloads on
 * `NOTIFY pgrst, 'reload schema'`.
 */
export interface RestServiceOptions {
  /** Pool connected as `authenticator`; each request switches role inside its own transaction. */
  sql: Sql;
  jwtSecret: string;
  /** Exposed schemas; the first is the default. */
  schemas: string[];
  extraSearchPath: string[];
  maxRows: number;
  log: Logger;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413 PGRST413. */
  maxBodyBytes?: number;
  /** The role of requests without a JWT role (default "anon"). */
  anonRole?: string;
  /** Roles a JWT may name (default anon, authenticated, service_role). */
  jwtRoles?: string[];
}

export interface RestService {
  route: Route;
  close(): Promise<void>;
}

export async function startRestService(options: RestServiceOptions): Promise<RestService> {
  const anonRole = options.anonRole ?? "anon";
  const roles = options.jwtRoles ?? [anonRole, "authenticated", "service_role"];
  const schemaCache = await startSchemaCache(options.sql, options.schemas, roles, options.log);
  const resolveRole = createRoleResolver({ jwtSecret: options.jwtSecret, anonRole, allowedRoles: roles });
  const handler = createRestHandler(
    {
      sql: options.sql, schemas: options.schemas, extraSearchPath: options.extraSearchPath, maxRows: options.maxRows,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, log: options.log,
    },
    resolveRole,
    () => schemaCache.current(),
  );
  return {
    route: { prefix: REST_PREFIX, http: handler },
    close: () => schemaCache.close(),
  };
}
