import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The gateway's routing table, like the Supabase API gateway: a path prefix selects a service.
 * Handlers are Web-standard (`Request` → `Response`); WebSocket upgrades are handed to the service
 * that claims the prefix, with the raw socket (Node glue lives only in node-adapter.ts).
 */
export type HttpHandler = (request: Request) => Promise<Response>;
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Route {
  /** e.g. "/functions/v1" — matches the prefix itself and anything below it. */
  prefix: string;
  http: HttpHandler;
  upgrade?: UpgradeHandler;
}

export function matchRoute(routes: Route[], pathname: string): Route | undefined {
  return routes.find((r) => pathname === r.prefix || pathname.startsWith(r.prefix + "/"));
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The request handler of the whole gateway: routes, a health probe, and JSON 404s. */
export function createGateway(routes: Route[]): HttpHandler {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return jsonResponse(200, { status: "ok" });
    const route = matchRoute(routes, pathname);
    if (!route) return jsonResponse(404, { message: "no route matched with those values" });
    return route.http(request);
  };
}
