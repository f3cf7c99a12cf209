import { z } from "zod";

/**
 * The `phx_join` payload (contracts §3.3), validated once at the edge. Booleans may arrive as the
 * strings "true"/"false"; absent fields take realtime-js' defaults.
 */
const flag = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .optional()
  .transform((v) => v === true || v === "true");

const JoinPayload = z.object({
  config: z
    .object({
      broadcast: z
        .object({
          self: flag,
          ack: flag,
          replay: z.unknown().optional(),
        })
        .nullish(),
      presence: z.object({ key: z.string().optional(), enabled: flag }).nullish(),
      postgres_changes: z.array(z.unknown()).nullish(),
      private: flag,
    })
    .nullish(),
  access_token: z.string().nullish(),
  user_token: z.string().nullish(),
});

export interface JoinConfig {
  self: boolean;
  ack: boolean;
  private: boolean;
  presenceEnabled: boolean;
  postgresChangesCount: number;
  replayRequested: boolean;
  /** The token to check for this channel, if the join carried one. */
  accessToken: string | undefined;
}

export type JoinConfigResult = { ok: true; config: JoinConfig } | { ok: false; message: string };

export function parseJoinPayload(payload: unknown): JoinConfigResult {
  const parsed = JoinPayload.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `invalid join payload${issue ? ` at ${issue.path.join(".") || "(root)"}: ${issue.message}` : ""}` };
  }
  const { config, access_token, user_token } = parsed.data;
  return {
    ok: true,
    config: {
      self: config?.broadcast?.self ?? false,
      ack: config?.broadcast?.ack ?? false,
      private: config?.private ?? false,
      presenceEnabled: config?.presence?.enabled ?? false,
      postgresChangesCount: config?.postgres_changes?.length ?? 0,
      replayRequested: config?.broadcast?.replay !== undefined && config.broadcast.replay !== null,
      accessToken: access_token ?? user_token ?? undefined,
    },
  };
}

const AccessTokenPayload = z.object({ access_token: z.string().min(1) });

export function parseAccessTokenPayload(payload: unknown): string | undefined {
  const parsed = AccessTokenPayload.safeParse(payload);
  return parsed.success ? parsed.data.access_token : undefined;
}

/** A JSON `broadcast` push (vsn 1, or vsn 2 text): `{type: "broadcast", event, payload}`. */
const BroadcastPush = z.object({ type: z.literal("broadcast").optional(), event: z.string().min(1), payload: z.unknown().optional() });

export function parseBroadcastPush(payload: unknown): { event: string; payload: unknown } | undefined {
  const parsed = BroadcastPush.safeParse(payload);
  return parsed.success ? { event: parsed.data.event, payload: parsed.data.payload ?? {} } : undefined;
}
