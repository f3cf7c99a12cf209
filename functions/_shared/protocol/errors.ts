/**
 * Errors as values with stable codes. A handler throws an OrchestratorError; the dispatcher turns it
 * into the one reply of the request (`failure`, or `refuse` for `forbidden`).
 */
export type ErrorCode =
  | "invalid_payload"
  | "not_found"
  | "forbidden"
  | "conflict"
  | "provider_error"
  | "provider_unauthorized"
  | "provider_rate_limited"
  | "provider_unavailable"
  | "provider_rejected"
  | "dispatch_failed"
  | "device_offline"
  | "insufficient_capacity"
  | "no_matching_device"
  | "internal_error";

export class OrchestratorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OrchestratorError";
  }
}

export function isOrchestratorError(value: unknown): value is OrchestratorError {
  return value instanceof OrchestratorError;
}
