import type { Reply } from "./envelope.ts";
import type { OrchestratorError } from "./errors.ts";

/** The reply shapes of the protocol (ARCHITECTURE.md §3). */
export function complete(intent: string, payload: Record<string, unknown>): Reply {
  return { type: "inform", intent: `${intent}_complete`, payload };
}

export function failed(intent: string, error: OrchestratorError): Reply {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  if (error.code === "forbidden") return { type: "refuse", intent: `${intent}_refused`, payload: { error: body } };
  return { type: "failure", intent: `${intent}_failed`, payload: { error: body } };
}

export function notUnderstood(intent: string, known: readonly string[]): Reply {
  return {
    type: "not_understood",
    intent: `${intent}_not_understood`,
    payload: { error: { code: "unknown_intent", message: `the orchestrator does not handle intent "${intent}"`, details: { known_intents: known } } },
  };
}
