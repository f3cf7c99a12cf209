/**
 * The vocabulary of the orchestrator's protocol.
 *
 * - message: one row of public.messages — an envelope (type, sender, to, intent, payload).
 * - intent: what a request asks for, snake_case (`deploy_to_railway`, `get_address`, …).
 * - request: a message of type `request`; every request addressed to the orchestrator gets exactly
 *   one reply.
 * - reply: `inform` `<intent>_complete` with the result; `failure` `<intent>_failed` with
 *   `payload.error = {code, message, details?}`; `not_understood` `<intent>_not_understood` for an
 *   unknown intent; `refuse` `<intent>_refused` for a request the sender may not make.
 * - inform: also an unsolicited message (`deployment_status_changed`, `health_changed`).
 * - conversation: a request and every message about it share `conversation_id`.
 * - container: one deployed copy of an agent for a customer (public.containers).
 * - deployment: one deploy/redeploy/rollback/restart/heal of a container (public.deployments).
 * - drain: one run of the dispatcher, claiming queued requests until none is left.
 * - sweep: a scheduled pass: the message sweeper re-queues stuck requests; the health sweep checks
 *   every due container.
 */
export const ORCHESTRATOR_ID = "agent.agentify.hosting-orchestrator";

/** Payloads larger than this (serialized JSON) are refused with `invalid_payload`. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
