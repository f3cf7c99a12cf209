import type { Sql } from "postgres";
import { RequestRow } from "../protocol/envelope.ts";
import type { Reply } from "../protocol/envelope.ts";

/** The dispatcher's queue operations: thin calls of the SQL functions in migrations/…_dispatch.sql. */

export async function beginDrain(sql: Sql): Promise<void> {
  await sql`select private.begin_drain()`;
}

/**
 * Claims up to `batchSize` queued requests. A row that does not read as a request (the database's
 * constraints make that unlikely) is answered `internal_error` at once instead of holding up the batch.
 */
export async function claimRequests(sql: Sql, batchSize: number): Promise<RequestRow[]> {
  const rows = await sql`select id, type, sender, "to", intent, payload, conversation_id, attempts
                           from private.claim_requests(${batchSize})`;
  const requests: RequestRow[] = [];
  for (const row of rows) {
    const parsed = RequestRow.safeParse(row);
    if (parsed.success) {
      requests.push(parsed.data);
      continue;
    }
    const intent = typeof row.intent === "string" ? row.intent : "unknown";
    await completeRequest(sql, String(row.id), {
      type: "failure", intent: `${intent}_failed`,
      payload: { error: { code: "internal_error", message: "the orchestrator could not read this request" } },
    }, "internal_error");
  }
  return requests;
}

/** Writes the one reply; returns its id, or null when the request had been answered already. */
export async function completeRequest(sql: Sql, requestId: string, reply: Reply, errorText?: string): Promise<string | null> {
  const [row] = await sql<{ id: string | null }[]>`
    select private.complete_request(${requestId}, ${reply.type}, ${reply.intent}, ${sql.json(reply.payload as never)}, ${errorText ?? null}) as id`;
  return row?.id ?? null;
}

/** Gives a claimed request back: queued again with backoff, or dispatch_failed after the last attempt. */
export async function releaseRequest(sql: Sql, requestId: string, errorText: string): Promise<void> {
  await sql`select private.release_request(${requestId}, ${errorText})`;
}

export async function maxAttempts(sql: Sql): Promise<number> {
  const [row] = await sql<{ max_attempts: number }[]>`select max_attempts from private.dispatch_settings`;
  return row?.max_attempts ?? 5;
}
