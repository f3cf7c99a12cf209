/**
 * Faults the control API injects into the GraphQL endpoint, consumed one call at a time: the next N calls
 * (optionally only those of one operation) answered with a status (429 with Retry-After, 5xx, or Railway's
 * HTML "Access denied" page), and latency added to the next N calls (or to all of them). A fault in phase
 * `before` refuses the call; in phase `after` the call runs and its answer is lost, which is how a
 * mutation's effect becomes unknown to the client.
 */

export interface FaultRule {
  status: number;
  remaining: number;
  retryAfterSeconds: number | null;
  body: "json" | "html";
  /** Only calls with this operationName; null: any call. */
  operation: string | null;
  phase: "before" | "after";
}

export interface LatencyRule {
  ms: number;
  /** null: every call. */
  remaining: number | null;
}

export function createFaults() {
  let rules: FaultRule[] = [];
  let latency: LatencyRule | null = null;

  return {
    add({ count, ...rule }: Omit<FaultRule, "remaining"> & { count: number }): void {
      rules.push({ ...rule, remaining: count });
    },
    setLatency(rule: LatencyRule | null): void {
      latency = rule && rule.ms > 0 ? rule : null;
    },
    /** The fault for this call in this phase, if any, consuming it. */
    takeFault(operationName: string | null, phase: FaultRule["phase"]): FaultRule | undefined {
      const rule = rules.find((r) => r.phase === phase && (r.operation === null || r.operation === operationName));
      if (!rule) return undefined;
      rule.remaining -= 1;
      if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
      return rule;
    },
    /** Milliseconds to hold this call, consuming one use. */
    takeLatency(): number {
      if (!latency) return 0;
      const { ms } = latency;
      if (latency.remaining !== null) {
        latency.remaining -= 1;
        if (latency.remaining <= 0) latency = null;
      }
      return ms;
    },
    snapshot: () => ({ faults: rules.map((rule) => ({ ...rule })), latency }),
    reset(): void {
      rules = [];
      latency = null;
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;

export function faultResponse(rule: FaultRule): Response {
  const headers = new Headers();
  if (rule.retryAfterSeconds !== null) headers.set("retry-after", String(rule.retryAfterSeconds));
  if (rule.body === "html") {
    headers.set("content-type", "text/html");
    return new Response("<html><head><title>Access denied</title></head><body><h1>Access denied</h1></body></html>", { status: rule.status, headers });
  }
  headers.set("content-type", "application/json");
  const message = rule.status === 429 ? "Rate limit exceeded" : "Service temporarily unavailable";
  return new Response(JSON.stringify({ errors: [{ message }] }), { status: rule.status, headers });
}
