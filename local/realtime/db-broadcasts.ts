import postgres from "postgres";
import type { Logger } from "../log/logger.ts";
import type { ChannelRegistry } from "./channel-registry.ts";
import { OutgoingBroadcast, type BroadcastBody } from "./serializer.ts";

/**
 * Broadcast from the database (contracts §2.3): committed inserts into realtime.messages arrive over
 * logical replication (pgoutput, a temporary slot, the publication
 * `supabase_realtime_messages_publication`) — so only after COMMIT, never for rolled-back rows
 * such as authorization probes, and with no polling. Each row becomes a broadcast on
 * `realtime:<topic>` with meta `{id}`: private rows to private channels (which all passed READ),
 * public rows to public channels.
 */
export const MESSAGES_PUBLICATION = "supabase_realtime_messages_publication";

export interface MessageRow {
  topic: string | null;
  extension: string | null;
  /** jsonb as its text form (the subscription does not parse it: fan-out sends it as is). */
  payload: string | null;
  binary_payload: Buffer | null;
  event: string | null;
  private: boolean | null;
  id: string | null;
}

/** Turns a replicated row into a broadcast, or undefined for rows Realtime ignores. */
export function broadcastOfRow(row: MessageRow): { subTopic: string; isPrivate: boolean; broadcast: OutgoingBroadcast } | undefined {
  if (row.extension !== "broadcast" || !row.topic || !row.event || !row.id || row.private === null) return undefined;
  let body: BroadcastBody;
  if (row.payload !== null) body = { kind: "json", text: row.payload };
  else if (row.binary_payload !== null) body = { kind: "binary", bytes: row.binary_payload };
  else return undefined;
  const broadcast = new OutgoingBroadcast(`realtime:${row.topic}`, row.event, body, { id: row.id }, true);
  return { subTopic: row.topic, isPrivate: row.private, broadcast };
}

export interface DbBroadcaster {
  close(): Promise<void>;
}

export async function startDbBroadcasts(options: { adminDbUrl: string; registry: ChannelRegistry; log: Logger }): Promise<DbBroadcaster> {
  const sql = postgres(options.adminDbUrl, {
    publications: MESSAGES_PUBLICATION,
    onnotice: () => {},
    connection: { application_name: "realtime replication" },
    // Keep jsonb as text: it is forwarded verbatim, so parsing it would only cost time.
    types: { rawJson: { to: 3802, from: [114, 3802], serialize: (x: unknown) => String(x), parse: (x: string) => x } },
  });
  const { unsubscribe } = await sql.subscribe(
    "insert:realtime.messages",
    (row) => {
      try {
        const routed = broadcastOfRow(row as unknown as MessageRow);
        if (routed) options.registry.fanout(routed.subTopic, routed.isPrivate, routed.broadcast);
      } catch (error) {
        options.log.error("database broadcast failed", { error: String(error) });
      }
    },
    // Called on the first start and after every reconnect (postgres.js re-creates the slot itself).
    () => options.log.info("replication stream started", { publication: MESSAGES_PUBLICATION }),
  );
  return {
    async close() {
      unsubscribe();
      await sql.end({ timeout: 5 });
    },
  };
}
