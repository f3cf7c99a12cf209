import { describe, expect, it } from "vitest";
import { classifyResponse, type Outcome } from "../../../functions/_shared/railway/classify.ts";
import { createRedactor } from "../../../functions/_shared/railway/redact.ts";

const context = { operation: "ServiceCreate", redact: createRedactor(["s3cr3t-value", "tok-123"]) };
const graphqlErrors = (...messages: string[]) => JSON.stringify({ errors: messages.map((message) => ({ message })), data: null });

function failure(outcome: Outcome) {
  if (outcome.ok) throw new Error("expected a failure");
  return outcome;
}

describe("classifyResponse", () => {
  it("returns data of a clean answer", () => {
    expect(classifyResponse(200, JSON.stringify({ data: { a: 1 } }), undefined, context)).toEqual({ ok: true, data: { a: 1 } });
  });

  it("reads 'Not Authorized' in errors[] with HTTP 200 as provider_unauthorized, not retried", () => {
    const outcome = failure(classifyResponse(200, graphqlErrors("Not Authorized"), undefined, context));
    expect(outcome.retry).toBe("fatal");
    expect(outcome.error.code).toBe("provider_unauthorized");
    expect(outcome.error.details.railway_messages).toEqual(["Not Authorized"]);
  });

  it("maps not found and other GraphQL errors", () => {
    expect(failure(classifyResponse(200, graphqlErrors("Service not found"), undefined, context)).error.code).toBe("not_found");
    const rejected = failure(classifyResponse(400, graphqlErrors("Cannot query field"), undefined, context));
    expect([rejected.error.code, rejected.retry]).toEqual(["provider_rejected", "fatal"]);
  });

  it("treats 429 as rate limited with its Retry-After", () => {
    const outcome = failure(classifyResponse(429, graphqlErrors("Rate limit exceeded"), 2_000, context));
    expect([outcome.error.code, outcome.retry, outcome.retryAfterMs]).toEqual(["provider_rate_limited", "rate_limited", 2_000]);
  });

  it("never assumes JSON: Railway's HTML 'Access denied' page backs off like a 429", () => {
    const html = "<html><body><h1>Access denied</h1></body></html>";
    for (const status of [403, 200]) {
      const outcome = failure(classifyResponse(status, html, undefined, context));
      expect([outcome.error.code, outcome.retry]).toEqual(["provider_rate_limited", "rate_limited"]);
      expect(outcome.error.details.body_excerpt).toContain("Access denied");
    }
  });

  it("reads 5xx (JSON or not) as transient provider_unavailable", () => {
    for (const body of ["<html>Bad gateway</html>", graphqlErrors("upstream timeout"), "{}"]) {
      const outcome = failure(classifyResponse(503, body, undefined, context));
      expect([outcome.error.code, outcome.retry]).toEqual(["provider_unavailable", "transient"]);
    }
  });

  it("reads a 401 without a body as provider_unauthorized", () => {
    expect(failure(classifyResponse(401, "", undefined, context)).error.code).toBe("provider_unauthorized");
  });

  it("rejects a 2xx JSON answer without data", () => {
    expect(failure(classifyResponse(200, "{}", undefined, context)).error.code).toBe("provider_rejected");
  });

  it("redacts secrets Railway echoes back", () => {
    const body = graphqlErrors('Variable "$input" got invalid value "s3cr3t-value"; token tok-123');
    const outcome = failure(classifyResponse(400, body, undefined, context));
    const serialised = JSON.stringify({ ...outcome.error.toJSON(), message: outcome.error.message });
    expect(serialised).not.toContain("s3cr3t-value");
    expect(serialised).not.toContain("tok-123");
    expect(serialised).toContain("[redacted]");
  });
});
