import { z } from "zod";

/** A row of public.messages as the dispatcher claims it (the database validated the envelope). */
export const RequestRow = z.object({
  id: z.string().uuid(),
  type: z.string(),
  sender: z.string(),
  to: z.array(z.string()),
  intent: z.string(),
  payload: z.record(z.string(), z.unknown()),
  conversation_id: z.string().uuid(),
  attempts: z.number().int(),
});
export type RequestRow = z.infer<typeof RequestRow>;

export type ReplyType = "inform" | "failure" | "refuse" | "not_understood";

export interface Reply {
  type: ReplyType;
  intent: string;
  payload: Record<string, unknown>;
}
