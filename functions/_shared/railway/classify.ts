/**
 * Turns one HTTP exchange with Railway into an outcome: data, or an error with a retry class. Railway's
 * answers are not uniform: GraphQL errors arrive with HTTP 200 or 4xx, rate limiting as 429 with Retry-After
 * or as an HTML "Access denied" page, so the body is never assumed to be JSON.
 */
import { RailwayError, type RailwayErrorCode } from "./errors.ts";
import type { Redactor } from "./redact.ts";

/** `rate_limited`: refused before running, safe to retry. `transient`: outcome unknown. `fatal`: do not retry. */
export type RetryClass = "rate_limited" | "transient" | "fatal";

export type Outcome =
  | { ok: true; data: unknown }
  | { ok: false; retry: RetryClass; error: RailwayError; retryAfterMs?: number };

export interface ExchangeContext {
  operation: string;
  redact: Redactor;
}

const BODY_EXCERPT_LENGTH = 200;

const patterns: ReadonlyArray<{ test: RegExp; code: RailwayErrorCode }> = [
  { test: /not authori[sz]ed|unauthori[sz]ed|unauthenticated|invalid (api |project )?token|forbidden/i, code: "provider_unauthorized" },
  { test: /rate.?limit|too many requests/i, code: "provider_rate_limited" },
  { test: /not found|does not exist/i, code: "not_found" },
];

const extensionCodes: Readonly<Record<string, RailwayErrorCode>> = {
  UNAUTHENTICATED: "provider_unauthorized",
  FORBIDDEN: "provider_unauthorized",
  RATE_LIMITED: "provider_rate_limited",
  NOT_FOUND: "not_found",
};

interface GraphQLErrorBody {
  message: string;
  code?: string;
}

function graphQLErrors(body: unknown): GraphQLErrorBody[] | undefined {
  if (typeof body !== "object" || body === null || !("errors" in body) || !Array.isArray(body.errors)) return undefined;
  if (body.errors.length === 0) return undefined;
  return body.errors.map((entry: unknown) => {
    const record = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    const extensions = typeof record.extensions === "object" && record.extensions !== null
      ? (record.extensions as Record<string, unknown>)
      : {};
    return {
      message: typeof record.message === "string" ? record.message : "unknown error",
      ...(typeof extensions.code === "string" ? { code: extensions.code } : {}),
    };
  });
}

function codeOfGraphQLErrors(errors: GraphQLErrorBody[], status: number): RailwayErrorCode {
  if (status === 401 || status === 403) return "provider_unauthorized";
  for (const { test, code } of patterns) {
    if (errors.some((error) => test.test(error.message))) return code;
  }
  for (const error of errors) {
    const mapped = error.code === undefined ? undefined : extensionCodes[error.code];
    if (mapped !== undefined) return mapped;
  }
  return status >= 500 ? "provider_unavailable" : "provider_rejected";
}

function retryOf(code: RailwayErrorCode): RetryClass {
  if (code === "provider_rate_limited") return "rate_limited";
  if (code === "provider_unavailable") return "transient";
  return "fatal";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function classifyResponse(
  status: number,
  text: string,
  retryAfterMs: number | undefined,
  context: ExchangeContext,
): Outcome {
  const { operation, redact } = context;
  const body = parseJson(text);
  const errors = graphQLErrors(body);
  const base = { operation, status };

  if (status === 429) {
    const messages = errors?.map((error) => redact(error.message));
    return {
      ok: false,
      retry: "rate_limited",
      retryAfterMs,
      error: new RailwayError("provider_rate_limited", `Railway rate limit hit (${operation})`, {
        ...base,
        ...(messages ? { railway_messages: messages } : {}),
        ...(retryAfterMs !== undefined ? { retry_after_ms: retryAfterMs } : {}),
      }),
    };
  }

  if (errors !== undefined) {
    const code = codeOfGraphQLErrors(errors, status);
    const messages = errors.map((error) => redact(error.message));
    return {
      ok: false,
      retry: retryOf(code),
      retryAfterMs,
      error: new RailwayError(code, `Railway refused ${operation}: ${messages[0] ?? "unknown error"}`, {
        ...base,
        railway_messages: messages,
      }),
    };
  }

  if (body === undefined) {
    const excerpt = redact(text.replace(/\s+/g, " ").trim().slice(0, BODY_EXCERPT_LENGTH));
    const details = { ...base, body_excerpt: excerpt };
    if (/access denied/i.test(text) || status === 403) {
      // Railway's edge answers heavy use with an HTML "Access denied" page: back off like a 429.
      return {
        ok: false,
        retry: "rate_limited",
        retryAfterMs,
        error: new RailwayError("provider_rate_limited", `Railway's edge denied ${operation} (non-JSON answer)`, details),
      };
    }
    if (status === 401) {
      return { ok: false, retry: "fatal", error: new RailwayError("provider_unauthorized", `Railway refused the token (${operation})`, details) };
    }
    const code: RailwayErrorCode = status >= 500 || status < 300 ? "provider_unavailable" : "provider_rejected";
    return {
      ok: false,
      retry: retryOf(code),
      retryAfterMs,
      error: new RailwayError(code, `Railway answered ${operation} with HTTP ${status} and no JSON body`, details),
    };
  }

  if (status === 401 || status === 403) {
    return { ok: false, retry: "fatal", error: new RailwayError("provider_unauthorized", `Railway refused the token (${operation})`, base) };
  }
  if (status >= 500) {
    return { ok: false, retry: "transient", retryAfterMs, error: new RailwayError("provider_unavailable", `Railway answered ${operation} with HTTP ${status}`, base) };
  }
  const data = typeof body === "object" && body !== null && "data" in body ? body.data : undefined;
  if (status >= 300 || typeof data !== "object" || data === null) {
    return { ok: false, retry: "fatal", error: new RailwayError("provider_rejected", `Railway answered ${operation} with HTTP ${status} and no data`, base) };
  }
  return { ok: true, data };
}
