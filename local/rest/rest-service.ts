import type { Sql } from "postgres";
import type { Route } from "../gateway/routes.ts";
import { jsonResponse } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";

/** `/rest/v1`: PostgREST's contract over the project's database (being built; answers 501 until then). */
export interface RestServiceOptions {
  /** Pool connected as `authenticator`; each request switches role inside its own transaction. */
  sql: Sql;
  jwtSecret: string;
  /** Exposed schemas; the first is the default. */
  schemas: string[];
  extraSearchPath: string[];
  maxRows: number;
  log: Logger;
}

export interface RestService {
  route: Route;
  close(): Promise<void>;
}

export async function startRestService(_options: RestServiceOptions): Promise<RestService> {
  return {
    route: { prefix: "/rest/v1", http: async () => jsonResponse(501, { code: "PGRST000", message: "REST is not available yet", details: null, hint: null }) },
    async close() {},
  };
}
