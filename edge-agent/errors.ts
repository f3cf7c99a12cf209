/**
 * Errors of the edge agent: values with a stable snake_case `code`, a human `message` and `details`.
 * Engine errors carry the engine's own message (it is what a device report shows as `engine_error`).
 * Nothing secret goes into one: env values and tokens are never put in a message or detail.
 */

export const agentErrorCodes = [
  /** The container engine answered with an error (`details.status`, the engine's message as `message`). */
  "engine_error",
  /** The container engine could not be reached (socket missing, connection refused). */
  "engine_unreachable",
  /** The engine could not pull an image (the engine's message). */
  "image_pull_failed",
  /** The orchestrator could not be reached or answered 5xx: transient, retried with backoff. */
  "orchestrator_unavailable",
  /** The orchestrator refused the credential or enrollment token (HTTP 401/403). */
  "credential_refused",
  /** The orchestrator rejected a request (other 4xx). */
  "orchestrator_rejected",
  /** The orchestrator answered something that does not follow the contract. */
  "invalid_response",
  /** The agent's configuration is missing or malformed. */
  "invalid_config",
  /** There is no credential and no enrollment token to get one. */
  "not_enrolled",
] as const;

export type AgentErrorCode = (typeof agentErrorCodes)[number];

export interface AgentErrorDetails {
  /** HTTP status of the response that failed, when there was one. */
  status?: number;
  /** The RPC or engine operation, e.g. `device_report` or `container_create`. */
  operation?: string;
  [key: string]: unknown;
}

export class AgentError extends Error {
  override readonly name = "AgentError";
  readonly code: AgentErrorCode;
  readonly details: AgentErrorDetails;

  constructor(code: AgentErrorCode, message: string, details: AgentErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: AgentErrorCode; message: string; details: AgentErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isAgentError(error: unknown, code?: AgentErrorCode): error is AgentError {
  return error instanceof AgentError && (code === undefined || error.code === code);
}

/** Any thrown value as an AgentError: AgentErrors pass through, anything else gets `fallback` and its message. */
export function toAgentError(error: unknown, fallback: AgentErrorCode): AgentError {
  if (error instanceof AgentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AgentError(fallback, message, {}, { cause: error });
}
