import postgres from "postgres";
import { WebSocketServer } from "ws";
import type { Route } from "../gateway/routes.ts";
import { jsonResponse } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";
import { createAuthorizer } from "./authorization.ts";
import { ChannelRegistry } from "./channel-registry.ts";
import { startDbBroadcasts } from "./db-broadcasts.ts";
import { createRestBroadcastHandler, type RestBroadcastLimits } from "./rest-broadcast.ts";
import { SocketSession, type SessionLimits } from "./socket-session.ts";
import { acceptUpgrade } from "./websocket-upgrade.ts";

/**
 * `/realtime/v1`: Realtime's websocket (`/realtime/v1/websocket`, Phoenix protocol) and broadcast
 * API (`/realtime/v1/api/broadcast…`), as supabase-js expects them. See docs/realtime.md.
 */
export interface RealtimeServiceOptions {
  /** Connection string of an admin role with REPLICATION (supabase_admin) for logical replication and authorization checks. */
  adminDbUrl: string;
  jwtSecret: string;
  log: Logger;
  /** Per-socket limits; defaults in DEFAULT_SESSION_LIMITS. */
  sessionLimits?: Partial<SessionLimits>;
  /** REST broadcast limits; defaults in DEFAULT_REST_LIMITS. */
  restLimits?: Partial<RestBroadcastLimits>;
  /** Largest websocket frame accepted (bigger ⇒ the socket is closed with 1009). Default 1 MiB. */
  maxFrameBytes?: number;
  /** A socket that sends nothing (not even a heartbeat) for this long is dropped. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Connections of the authorization pool. Default 8. */
  authPoolSize?: number;
}

export interface RealtimeService {
  route: Route;
  close(): Promise<void>;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxChannels: 100,
  maxBroadcastBytes: 256 * 1024,
};

export const DEFAULT_REST_LIMITS: RestBroadcastLimits = {
  maxBodyBytes: 1024 * 1024,
  maxBatchMessages: 100,
};

const PREFIX = "/realtime/v1";

export async function startRealtimeService(options: RealtimeServiceOptions): Promise<RealtimeService> {
  const log = options.log;
  const limits: SessionLimits = { ...DEFAULT_SESSION_LIMITS, ...options.sessionLimits };
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const registry = new ChannelRegistry();
  const authSql = postgres(options.adminDbUrl, {
    max: options.authPoolSize ?? 8,
    onnotice: () => {},
    connection: { application_name: "realtime authorization" },
  });
  const authorizer = createAuthorizer(authSql);
  let dbBroadcasts;
  try {
    dbBroadcasts = await startDbBroadcasts({ adminDbUrl: options.adminDbUrl, registry, log: log.child({ part: "db-broadcasts" }) });
  } catch (error) {
    await authSql.end({ timeout: 1 });
    throw error;
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 1024 * 1024, perMessageDeflate: false });
  const sessions = new Set<SocketSession>();
  let closing = false;

  const idleSweep = setInterval(() => {
    const cutoff = Date.now() - idleTimeoutMs;
    for (const session of sessions) if (session.lastSeen < cutoff) session.terminate("idle_timeout");
  }, Math.min(idleTimeoutMs, 10_000));
  idleSweep.unref();

  const restHandler = createRestBroadcastHandler({
    jwtSecret: options.jwtSecret,
    registry,
    authorizer,
    limits: { ...DEFAULT_REST_LIMITS, ...options.restLimits },
    log: log.child({ part: "rest-broadcast" }),
  });

  const route: Route = {
    prefix: PREFIX,
    async http(request) {
      const path = new URL(request.url).pathname.slice(PREFIX.length);
      if (path.startsWith("/api/")) return restHandler(request, path);
      if (path === "/websocket" || path === "/websocket/") return jsonResponse(400, { message: "WebSocket upgrade required" });
      return jsonResponse(404, { message: "Not found" });
    },
    upgrade(request, socket, head) {
      if (closing) {
        socket.destroy();
        return;
      }
      acceptUpgrade(wss, options.jwtSecret, request, socket, head)
        .then((accepted) => {
          if (!accepted) return;
          const ws = accepted.socket;
          const session = new SocketSession(
            {
              send: (data, binary) => ws.send(data, { binary }),
              bufferedAmount: () => ws.bufferedAmount,
              terminate: () => ws.terminate(),
              close: (code, reason) => ws.close(code, reason),
            },
            {
              vsn: accepted.vsn,
              connectToken: accepted.token,
              headers: accepted.headers,
              jwtSecret: options.jwtSecret,
              registry,
              authorizer,
              limits,
              log: log.child({ part: "socket" }),
            },
          );
          sessions.add(session);
          ws.on("message", (data, isBinary) => session.receive(toBuffer(data), isBinary));
          ws.on("close", () => {
            session.onTransportClosed();
            sessions.delete(session);
          });
          ws.on("error", (error) => log.warn("websocket error", { session: session.id, error: error.message }));
        })
        .catch((error: unknown) => {
          log.error("websocket upgrade failed", { error: String(error) });
          socket.destroy();
        });
    },
  };

  return {
    route,
    async close() {
      closing = true;
      clearInterval(idleSweep);
      for (const session of sessions) session.close(1001, "server shutting down");
      sessions.clear();
      wss.close();
      await dbBroadcasts.close().catch((error: unknown) => log.warn("closing the replication stream failed", { error: String(error) }));
      await authSql.end({ timeout: 5 });
    },
  };
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
