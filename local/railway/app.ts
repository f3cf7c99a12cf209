/**
 * The local Railway as one Web-standard handler: `/graphql/v2` (Railway's path) for the API, `/control/*`
 * for the control API. Runtime glue lives in node-adapter.ts.
 */
import type { Handler } from "./endpoints.ts";

export const GRAPHQL_PATH = "/graphql/v2";
export const CONTROL_PATH = "/control";

export function createApp(handlers: { graphql: Handler; control: Handler }): Handler {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === GRAPHQL_PATH) return handlers.graphql(request);
    if (pathname === CONTROL_PATH || pathname.startsWith(`${CONTROL_PATH}/`)) return handlers.control(request);
    return new Response(JSON.stringify({ error: "not found", graphql: GRAPHQL_PATH, control: CONTROL_PATH }), {
      status: 404,
      headers: { "content-type": "application/json" },
    });
  };
}
