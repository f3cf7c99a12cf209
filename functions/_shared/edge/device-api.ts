/**
 * The device ↔ orchestrator API: PostgREST RPCs the agent calls and the Realtime nudge it listens for.
 *
 * Glossary
 * - enrollment token: one-time secret an operator gets when creating a device. The agent exchanges it, once,
 *   for a device credential. Used or expired tokens are refused.
 * - device credential: a JWT signed with the project's JWT secret carrying `role: "authenticated"`,
 *   `device_id: <uuid>`, `exp` and `iat` (the server may add `sub`, `jti` to revoke it). The agent treats it as
 *   opaque except for `expires_at`, sends it as `Authorization: Bearer <token>` with `apikey: <anon key>` and
 *   renews it with `device_token_renew` once half its lifetime has passed. Revoked or forged → refused.
 * - nudge: a Realtime broadcast telling the agent its desired state changed. Only a latency hint: the agent
 *   also polls, and re-fetches after every (re)connect, so a missed nudge delays work and never loses it.
 *
 * RPCs (all `POST <SUPABASE_URL>/rest/v1/rpc/<name>`, JSON body, JSON result):
 * | name                     | caller (Authorization)   | body                   | result                          |
 * |--------------------------|--------------------------|------------------------|---------------------------------|
 * | `device_token_exchange`  | anon key                 | `{enrollment_token}`   | `{device_id, token, expires_at}` |
 * | `device_token_renew`     | device credential        | `{}`                   | `{device_id, token, expires_at}` |
 * | `device_desired_state`   | device credential        | `{}`                   | `DesiredState`                  |
 * | `device_report`          | device credential        | `{report}`             | anything (ignored)              |
 * | `device_heartbeat`       | device credential        | `{agent_version}`      | `{desired_generation}`          |
 *
 * Refusals: a refused enrollment token or credential answers HTTP 401 or 403 (PostgREST maps an expired or
 * malformed JWT to 401 and SQLSTATE `28000`/`42501` raised by the function to 403). Other 4xx mean the
 * request itself was rejected; 5xx and network errors are transient and retried with backoff.
 *
 * Realtime: private channel topic `device:<device_id>`, broadcast event `desired_state_changed`, payload
 * `{generation}`. RLS on `realtime.messages` lets a device join only its own topic.
 */
import { z } from "zod";
import { deviceReportSchema } from "./device-report.ts";

export const deviceRpcNames = {
  tokenExchange: "device_token_exchange",
  tokenRenew: "device_token_renew",
  desiredState: "device_desired_state",
  report: "device_report",
  heartbeat: "device_heartbeat",
} as const;

export type DeviceRpcName = (typeof deviceRpcNames)[keyof typeof deviceRpcNames];

/** The PostgREST path of a device RPC, relative to the project URL. */
export function deviceRpcPath(name: DeviceRpcName): string {
  return `/rest/v1/rpc/${name}`;
}

export const tokenExchangeArgsSchema = z.strictObject({ enrollment_token: z.string().min(16).max(512) });
export const reportArgsSchema = z.strictObject({ report: deviceReportSchema });
export const heartbeatArgsSchema = z.strictObject({ agent_version: z.string().min(1).max(64) });

/** Result of `device_token_exchange` and `device_token_renew`. */
export const deviceCredentialSchema = z.object({
  device_id: z.uuid(),
  /** The device JWT. A secret: never logged. */
  token: z.string().min(1),
  /** When the JWT expires (its `exp`), ISO 8601. */
  expires_at: z.iso.datetime({ offset: true }),
});

/** Result of `device_heartbeat`: the generation the server holds, so a missed nudge is noticed within one beat. */
export const heartbeatResultSchema = z.object({ desired_generation: z.number().int().min(0) });

/** The claims of a device JWT that the server relies on. */
export const deviceJwtClaimsSchema = z.object({
  role: z.literal("authenticated"),
  device_id: z.uuid(),
  exp: z.number().int(),
  iat: z.number().int().optional(),
});

export const DEVICE_TOPIC_PREFIX = "device:";
export const DESIRED_STATE_CHANGED_EVENT = "desired_state_changed";

/** The private Realtime topic of a device. */
export function deviceTopic(deviceId: string): string {
  return `${DEVICE_TOPIC_PREFIX}${deviceId}`;
}

export const desiredStateChangedPayloadSchema = z.object({ generation: z.number().int().min(0) });

export type TokenExchangeArgs = z.infer<typeof tokenExchangeArgsSchema>;
export type ReportArgs = z.infer<typeof reportArgsSchema>;
export type HeartbeatArgs = z.infer<typeof heartbeatArgsSchema>;
export type DeviceCredential = z.infer<typeof deviceCredentialSchema>;
export type HeartbeatResult = z.infer<typeof heartbeatResultSchema>;
export type DeviceJwtClaims = z.infer<typeof deviceJwtClaimsSchema>;
export type DesiredStateChangedPayload = z.infer<typeof desiredStateChangedPayloadSchema>;
