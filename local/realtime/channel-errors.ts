/**
 * Reasons a join or push is refused, in Realtime's `"<Code>: <message>"` form (contracts §3.3). The
 * client surfaces them as `CHANNEL_ERROR` with `err.message` equal to the reason text. Codes are
 * stable; docs/realtime.md lists them.
 */
export const ChannelReasons = {
  unmatchedTopic: "unmatched topic",
  topicNameRequired: "TopicNameRequired: You must provide a topic name",
  tooManyChannels: "ChannelRateLimitReached: Too many channels",
  malformedJoin: (detail: string) => `MalformedJoinPayload: ${detail}`,
  invalidJwt: (detail: string) => `InvalidJWTToken: ${detail}`,
  unauthorizedRead: (subTopic: string) => `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
  rlsPolicyError: (detail: string) => `RlsPolicyError: Error on RLS policy. ${detail}`,
  presenceNotSupported:
    "PresenceNotSupported: Presence is not available in the local Realtime runtime; join without presence (no presence listeners, config.presence.enabled false) to use broadcast",
  postgresChangesNotSupported:
    "PostgresChangesNotSupported: postgres_changes is not available in the local Realtime runtime; use broadcast from the database (realtime.send / realtime.broadcast_changes) instead",
  replayNotSupported: "ReplayNotSupported: broadcast replay is not available in the local Realtime runtime",
  payloadTooLarge: (limit: number) => `PayloadSizeExceeded: the broadcast payload exceeds the limit of ${limit} bytes`,
} as const;

/** `system` messages pushed to a joined channel before the server closes it (contracts §3.4). */
export const SystemMessages = {
  readRevoked: (subTopic: string) => `You no longer have permissions to read from this Channel topic: ${subTopic}`,
  tokenExpired: "Token has expired",
} as const;
