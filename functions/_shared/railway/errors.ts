/**
 * Errors of the Railway client: values with a stable snake_case `code`, a human `message` and `details`
 * (Railway's own messages, HTTP status, attempts). Nothing secret ever goes into one: tokens and variable
 * values are redacted before a message from Railway is kept (see `redact.ts`).
 */

export const railwayErrorCodes = [
  /** The token was refused (HTTP 401/403 or a GraphQL "Not Authorized"). Never retried. */
  "provider_unauthorized",
  /** 429, Railway's "Access denied" edge page, or our own limiter's budget is spent. */
  "provider_rate_limited",
  /** Network error, timeout or 5xx after the retries allowed; `details.effect_unknown` when a mutation may have run. */
  "provider_unavailable",
  /** Railway understood the request and refused it (GraphQL errors, other 4xx). */
  "provider_rejected",
  /** The project, service or deployment does not exist. */
  "not_found",
  /** Our caller's input was invalid; nothing was sent to Railway. */
  "invalid_input",
  /** The environment configuration is missing or malformed. */
  "invalid_config",
] as const;

export type RailwayErrorCode = (typeof railwayErrorCodes)[number];

export interface RailwayErrorDetails {
  /** GraphQL operation name, e.g. `ServiceCreate`. */
  operation?: string;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** Railway's error messages (redacted). */
  railway_messages?: string[];
  /** Attempts made, including the first. */
  attempts?: number;
  /** How long Railway (or our limiter) asked us to wait before trying again. */
  retry_after_ms?: number;
  /** True when a non-idempotent mutation may or may not have taken effect. */
  effect_unknown?: boolean;
  [key: string]: unknown;
}

export class RailwayError extends Error {
  override readonly name = "RailwayError";
  readonly code: RailwayErrorCode;
  readonly details: RailwayErrorDetails;

  constructor(code: RailwayErrorCode, message: string, details: RailwayErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** The `{code, message, details}` shape of an error reply's `payload.error`. */
  toJSON(): { code: RailwayErrorCode; message: string; details: RailwayErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isRailwayError(error: unknown, code?: RailwayErrorCode): error is RailwayError {
  return error instanceof RailwayError && (code === undefined || error.code === code);
}

/** A mutation that is not idempotent failed in a way that leaves its effect unknown: check before retrying. */
export function isEffectUnknown(error: unknown): error is RailwayError {
  return isRailwayError(error, "provider_unavailable") && error.details.effect_unknown === true;
}
