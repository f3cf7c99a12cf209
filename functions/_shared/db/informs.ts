import type { Sql } from "postgres";
import { ORCHESTRATOR_ID } from "../protocol/glossary.ts";

/** Sends an unsolicited inform from the orchestrator (broadcast to each recipient by the messages trigger). */
export async function sendInform(sql: Sql, to: string[], intent: string, payload: Record<string, unknown>, conversationId?: string | null): Promise<void> {
  await sql`insert into public.messages (type, sender, "to", intent, payload, conversation_id)
            values ('inform', ${ORCHESTRATOR_ID}, ${to}, ${intent}, ${sql.json(payload as never)}, ${conversationId ?? null})`;
}
