import { completeRequest, releaseRequest } from "../db/requests.ts";
import type { HandlerContext, Services } from "../handlers/context.ts";
import { isTransient } from "../handlers/provider-errors.ts";
import { handlers } from "../handlers/registry.ts";
import type { Reply, RequestRow } from "../protocol/envelope.ts";
import { isOrchestratorError, OrchestratorError } from "../protocol/errors.ts";
import { MAX_PAYLOAD_BYTES } from "../protocol/glossary.ts";
import { intentSchemas, isKnownIntent } from "../protocol/intents.ts";
import { complete, failed, notUnderstood } from "../protocol/replies.ts";

/**
 * Answers one claimed request. Invariant: it ends in exactly one of two ways — the request's one
 * reply is written (private.complete_request), or the request is released to be retried
 * (transient provider failures while attempts remain).
 */
export async function processRequest(request: RequestRow, services: Services, maxAttempts: number): Promise<void> {
  const log = services.log.child({ message_id: request.id, intent: request.intent });
  let reply: Reply;
  try {
    reply = await answer(request, { ...services, log, request });
  } catch (error) {
    const e = isOrchestratorError(error) ? error : internal(error);
    if (isTransient(e) && request.attempts < maxAttempts) {
      log.warn("transient failure; the request will be retried", { code: e.code, attempts: request.attempts });
      await releaseRequest(services.sql, request.id, `${e.code}: ${e.message}`);
      return;
    }
    if (e.code === "internal_error") log.error("request failed", { error: String(error instanceof Error ? error.stack ?? error.message : error) });
    reply = failed(request.intent, e);
  }
  const replyId = await completeRequest(services.sql, request.id, reply,
    reply.type === "inform" ? undefined : String((reply.payload.error as { code?: string } | undefined)?.code ?? reply.type));
  log.info(replyId ? "answered" : "already answered", { reply_type: reply.type, reply_intent: reply.intent });
}

async function answer(request: RequestRow, ctx: HandlerContext): Promise<Reply> {
  if (!isKnownIntent(request.intent)) return notUnderstood(request.intent, Object.keys(intentSchemas));
  const size = new TextEncoder().encode(JSON.stringify(request.payload)).byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    throw new OrchestratorError("invalid_payload", `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  const intent = request.intent;
  const parsed = intentSchemas[intent].safeParse(request.payload);
  if (!parsed.success) {
    throw new OrchestratorError("invalid_payload", `invalid ${intent} payload`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code })),
    });
  }
  const handler = handlers[intent] as (payload: unknown, ctx: HandlerContext) => Promise<Record<string, unknown>>;
  return complete(intent, await handler(parsed.data, ctx));
}

function internal(error: unknown): OrchestratorError {
  return new OrchestratorError("internal_error", "the orchestrator failed while processing this request", undefined, { cause: error });
}
