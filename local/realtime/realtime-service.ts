import type { Route } from "../gateway/routes.ts";
import { jsonResponse } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";

/** `/realtime/v1`: Realtime's websocket and broadcast API (being built; answers 501 until then). */
export interface RealtimeServiceOptions {
  /** Connection string of an admin role with REPLICATION (supabase_admin) for logical replication and authorization checks. */
  adminDbUrl: string;
  jwtSecret: string;
  log: Logger;
}

export interface RealtimeService {
  route: Route;
  close(): Promise<void>;
}

export async function startRealtimeService(_options: RealtimeServiceOptions): Promise<RealtimeService> {
  return {
    route: { prefix: "/realtime/v1", http: async () => jsonResponse(501, { message: "Realtime is not available yet" }) },
    async close() {},
  };
}
