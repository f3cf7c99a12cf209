/**
 * One GraphQL call to Railway: rate limit, timeout per attempt, retries with backoff and jitter honouring
 * Retry-After, structured logs. Retry rule: a 429 (or Railway's "Access denied" page) is always retried,
 * since Railway refused the request before running it; a network error, timeout or 5xx is retried only for
 * idempotent documents, and otherwise surfaces as `provider_unavailable` with `effect_unknown: true` so the
 * caller can look before sending again.
 */
import { backoffDelayMs, parseRetryAfter } from "./backoff.ts";
import { classifyResponse, type Outcome } from "./classify.ts";
import type { RailwayConfig } from "./config.ts";
import { documents, type OperationName } from "./documents.ts";
import { RailwayError } from "./errors.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { createRedactor } from "./redact.ts";

export type Fetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;
export type Log = (line: Record<string, unknown>) => void;

export interface TransportDeps {
  fetch: Fetch;
  sleep: Sleep;
  /** Uniform in [0, 1): the jitter source. */
  random: () => number;
  /** Epoch milliseconds. */
  now: () => number;
  log: Log;
  limiter: RateLimiter;
}

export interface SendOptions {
  /** Values to redact from anything Railway echoes back (variable values). The token is always redacted. */
  secrets?: readonly string[];
}

export interface Transport {
  send(operation: OperationName, variables: Record<string, unknown>, options?: SendOptions): Promise<unknown>;
}

const USER_AGENT = "agentify-hosting-orchestrator";

function authHeaders(config: RailwayConfig): Record<string, string> {
  return config.auth.kind === "bearer"
    ? { authorization: `Bearer ${config.auth.token}` }
    : { "project-access-token": config.auth.token };
}

function networkOutcome(error: unknown, operation: string, timeoutMs: number): Outcome {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  const message = timedOut
    ? `Railway did not answer ${operation} within ${timeoutMs} ms`
    : `could not reach Railway for ${operation}`;
  const reason = error instanceof Error ? error.name : "unknown";
  return {
    ok: false,
    retry: "transient",
    error: new RailwayError("provider_unavailable", message, { operation, reason, ...(timedOut ? { timeout_ms: timeoutMs } : {}) }),
  };
}

export function createTransport(config: RailwayConfig, deps: TransportDeps): Transport {
  const { fetch, sleep, random, now, log, limiter } = deps;
  const { maxAttempts, baseDelayMs, maxDelayMs } = config.retry;

  async function attempt(operation: OperationName, body: string, redact: (text: string) => string): Promise<Outcome> {
    try {
      const response = await fetch(config.apiUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": USER_AGENT,
          ...authHeaders(config),
        },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      limiter.observe(response.headers);
      const text = await response.text();
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
      return classifyResponse(response.status, text, retryAfterMs, { operation, redact });
    } catch (error) {
      return networkOutcome(error, operation, config.timeoutMs);
    }
  }

  return {
    async send(operation, variables, options = {}) {
      const document = documents[operation];
      const redact = createRedactor([config.auth.token, ...(options.secrets ?? [])]);
      const body = JSON.stringify({ query: document.text, variables, operationName: operation });

      for (let attemptNo = 1; ; attemptNo++) {
        await limiter.acquire();
        const startedAt = now();
        const outcome = await attempt(operation, body, redact);
        const line = { component: "railway", operation, attempt: attemptNo, duration_ms: now() - startedAt };
        if (outcome.ok) {
          log({ ...line, event: "railway.call", outcome: "ok" });
          return outcome.data;
        }

        const { error, retry } = outcome;
        error.details.attempts = attemptNo;
        const retryable = retry === "rate_limited" || (retry === "transient" && document.idempotent);
        if (retry === "transient" && !document.idempotent) error.details.effect_unknown = true;
        if (outcome.retryAfterMs !== undefined) limiter.blockUntil(now() + outcome.retryAfterMs);

        const delayMs = outcome.retryAfterMs ?? backoffDelayMs(attemptNo, { baseDelayMs, maxDelayMs }, random);
        const giveUp = !retryable || attemptNo >= maxAttempts || delayMs > maxDelayMs;
        log({
          ...line,
          event: "railway.call",
          outcome: giveUp ? "failed" : "retrying",
          code: error.code,
          ...(error.details.status !== undefined ? { status: error.details.status } : {}),
          ...(giveUp ? {} : { retry_in_ms: delayMs }),
        });
        if (giveUp) throw error;
        // The limiter waits out a Retry-After (blockUntil above); otherwise sleep the backoff here.
        if (outcome.retryAfterMs === undefined) await sleep(delayMs);
      }
    },
  };
}
