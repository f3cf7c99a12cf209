import { OrchestratorError } from "../protocol/errors.ts";
import { isRailwayError } from "../railway/index.ts";

/** Turns a Railway client error into the orchestrator's error with the same stable code. */
export function fromProviderError(error: unknown): never {
  if (isRailwayError(error)) {
    const code = error.code === "invalid_input" ? "invalid_payload"
      : error.code === "invalid_config" ? "provider_error"
      : error.code;
    throw new OrchestratorError(code, error.message, { provider: "railway", ...error.details }, { cause: error });
  }
  throw error;
}

/** Transient provider failures are retried by re-queueing the request (with backoff) before they are reported. */
export function isTransient(error: unknown): boolean {
  return error instanceof OrchestratorError && (error.code === "provider_unavailable" || error.code === "provider_rate_limited");
}
