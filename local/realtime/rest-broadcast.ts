import { z } from "zod";
import { jsonResponse } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";
import type { Authorizer } from "./authorization.ts";
import type { ChannelRegistry } from "./channel-registry.ts";
import { checkRealtimeJwt, type RealtimeClaims } from "./jwt.ts";
import { OutgoingBroadcast, type BroadcastBody } from "./serializer.ts";

/**
 * Realtime's REST broadcast API (contracts §3.8):
 * - `POST /api/broadcast` — a batch `{messages: [{topic, event, payload, private?, id?}]}` ⇒ 202;
 * - `POST /api/broadcast/{topic}/events/{event}[?private=true]` — one message, JSON or bytes ⇒ 202.
 * Auth: `Authorization: Bearer <jwt>` else the `apikey` header, a JWT with `role` and `exp`, else
 * 401. Private messages need the WRITE policy for their topic (batch: skipped; single: 403).
 */
export interface RestBroadcastLimits {
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
  /** Most messages in one batch (422 above it). */
  maxBatchMessages: number;
}

export interface RestBroadcastDeps {
  jwtSecret: string;
  registry: ChannelRegistry;
  authorizer: Authorizer;
  limits: RestBroadcastLimits;
  log: Logger;
}

const BatchBody = z.object({
  messages: z
    .array(
      z.object({
        topic: z.string().min(1),
        event: z.string().min(1),
        payload: z.record(z.string(), z.unknown()),
        private: z.boolean().optional().default(false),
        id: z.string().optional(),
      }),
    )
    .min(1),
});

const unauthorized = () => jsonResponse(401, { message: "Unauthorized" });

async function claimsOf(request: Request, jwtSecret: string): Promise<RealtimeClaims | undefined> {
  const authorization = request.headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  const token = bearer ?? request.headers.get("apikey") ?? undefined;
  const check = await checkRealtimeJwt(jwtSecret, token);
  return check.ok ? check.claims : undefined;
}

function headersOf(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (name.startsWith("x-")) headers[name] = value;
  });
  return headers;
}

/** Reads the body up to `limit` bytes; undefined when it is larger. */
async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return undefined;
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createRestBroadcastHandler(deps: RestBroadcastDeps): (request: Request, path: string) => Promise<Response> {
  const tooLarge = () => jsonResponse(413, { message: `Request body exceeds ${deps.limits.maxBodyBytes} bytes` });

  async function batch(request: Request, claims: RealtimeClaims): Promise<Response> {
    const bytes = await readBody(request, deps.limits.maxBodyBytes);
    if (!bytes) return tooLarge();
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      return jsonResponse(422, { errors: { body: ["is not valid JSON"] } });
    }
    const parsed = BatchBody.safeParse(json);
    if (!parsed.success) return jsonResponse(422, { errors: z.flattenError(parsed.error).fieldErrors });
    if (parsed.data.messages.length > deps.limits.maxBatchMessages) {
      return jsonResponse(422, { errors: { messages: [`at most ${deps.limits.maxBatchMessages} messages per request`] } });
    }
    const writable = new Map<string, Promise<boolean>>();
    const headers = headersOf(request);
    for (const message of parsed.data.messages) {
      if (message.private) {
        let decision = writable.get(message.topic);
        if (!decision) {
          decision = deps.authorizer.canWrite({ subTopic: message.topic, claims, headers });
          writable.set(message.topic, decision);
        }
        if (!(await decision)) continue; // denied private messages are skipped, as Realtime does
      }
      const body: BroadcastBody = { kind: "json", text: JSON.stringify(message.payload) };
      const meta = message.id === undefined ? undefined : { id: message.id };
      deps.registry.fanout(message.topic, message.private, new OutgoingBroadcast(`realtime:${message.topic}`, message.event, body, meta, false));
    }
    return new Response(null, { status: 202 });
  }

  async function single(request: Request, claims: RealtimeClaims, topic: string, event: string): Promise<Response> {
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/json" && contentType !== "application/octet-stream") {
      return jsonResponse(415, { message: "Content-Type must be application/json or application/octet-stream" });
    }
    const isPrivate = new URL(request.url).searchParams.get("private") === "true";
    const bytes = await readBody(request, deps.limits.maxBodyBytes);
    if (!bytes) return tooLarge();
    let body: BroadcastBody;
    if (contentType === "application/json") {
      const text = Buffer.from(bytes).toString("utf8");
      try {
        JSON.parse(text);
      } catch {
        return jsonResponse(422, { errors: { body: ["is not valid JSON"] } });
      }
      body = { kind: "json", text };
    } else {
      body = { kind: "binary", bytes };
    }
    if (isPrivate && !(await deps.authorizer.canWrite({ subTopic: topic, claims, headers: headersOf(request) }))) {
      return jsonResponse(403, { message: "Unauthorized" });
    }
    deps.registry.fanout(topic, isPrivate, new OutgoingBroadcast(`realtime:${topic}`, event, body, undefined, true));
    return new Response(null, { status: 202 });
  }

  return async (request, path) => {
    const match = path.match(/^\/api\/broadcast(?:\/([^/]+)\/events\/([^/]+))?\/?$/);
    if (!match) return jsonResponse(404, { message: "Not found" });
    if (request.method !== "POST") return jsonResponse(405, { message: "Method not allowed" }, { allow: "POST" });
    const claims = await claimsOf(request, deps.jwtSecret);
    if (!claims) return unauthorized();
    try {
      if (match[1] === undefined || match[2] === undefined) return await batch(request, claims);
      const topic = safeDecode(match[1]);
      const event = safeDecode(match[2]);
      if (!topic || !event) return jsonResponse(422, { errors: { path: ["topic and event must be valid, non-empty URI components"] } });
      return await single(request, claims, topic, event);
    } catch (error) {
      deps.log.error("REST broadcast failed", { error: error instanceof Error ? error.message : String(error) });
      return jsonResponse(500, { message: "Internal error" });
    }
  };
}

function safeDecode(component: string): string | undefined {
  try {
    return decodeURIComponent(component) || undefined;
  } catch {
    return undefined;
  }
}
