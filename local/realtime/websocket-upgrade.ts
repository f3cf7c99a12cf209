import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import { checkRealtimeJwt, type RealtimeClaims } from "./jwt.ts";
import { parseVsn, type Vsn } from "./serializer.ts";

/**
 * The connect step of `/realtime/v1/websocket` (contracts §3.1): the apikey (query `apikey` or header
 * `x-api-key`/`apikey`) must be a valid JWT with `role` and `exp`, else the upgrade is refused with
 * `401 {"error": …}`; `vsn` picks the serializer (absent ⇒ 1.0.0, unknown ⇒ 400).
 */
export interface AcceptedConnection {
  socket: WebSocket;
  vsn: Vsn;
  token: string;
  claims: RealtimeClaims;
  /** The upgrade's `x-*` headers (for `request.headers` in policies). */
  headers: Record<string, string>;
}

function refuse(socket: Duplex, status: number, statusText: string, body: Record<string, unknown>): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function acceptUpgrade(
  wss: WebSocketServer,
  jwtSecret: string,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<AcceptedConnection | undefined> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname !== "/realtime/v1/websocket" && url.pathname !== "/realtime/v1/websocket/") {
    refuse(socket, 404, "Not Found", { error: "Not found" });
    return undefined;
  }
  const vsn = parseVsn(url.searchParams.get("vsn"));
  if (!vsn) {
    refuse(socket, 400, "Bad Request", { error: "Unsupported vsn: use 1.0.0 or 2.0.0" });
    return undefined;
  }
  const token = url.searchParams.get("apikey") ?? headerValue(request.headers["x-api-key"]) ?? headerValue(request.headers["apikey"]);
  const check = await checkRealtimeJwt(jwtSecret, token);
  if (!check.ok || !token) {
    refuse(socket, 401, "Unauthorized", { error: check.ok ? "Missing apikey" : check.message });
    return undefined;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const v = headerValue(value);
    if (name.startsWith("x-") && name !== "x-api-key" && v !== undefined) headers[name] = v;
  }
  // ws answers a bad handshake itself and then never calls back: settle on the socket closing instead.
  const ws = await new Promise<WebSocket | undefined>((resolve) => {
    socket.once("close", () => resolve(undefined));
    wss.handleUpgrade(request, socket, head, resolve);
  });
  return ws ? { socket: ws, vsn, token, claims: check.claims, headers } : undefined;
}
