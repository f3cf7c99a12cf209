import { refuseAddress, type AddressPolicy } from "./address-guard.ts";

/**
 * One health check: an HTTP GET of the container's health URL with a bounded timeout, no redirects
 * followed, and at most `maxBodyBytes` read. The same code path serves the `health_check` intent and
 * the scheduled sweep.
 */
export type HealthStatus = "healthy" | "degraded" | "unhealthy";

export interface ProbeResult {
  status: HealthStatus;
  /** Milliseconds to the response, or to the failure. */
  responseTimeMs: number;
  httpStatus: number | null;
  error: string | null;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Slower than this (but 2xx) is degraded. */
  degradedAfterMs: number;
  policy: AddressPolicy;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /**
   * Resolves a host name to its addresses, so a name that points at a link-local, metadata, private or
   * loopback address is refused like the address itself. Without it (or when resolving fails) the
   * name is judged as written.
   */
  resolve?: (host: string) => Promise<string[]>;
}

/** Why a host name may not be called: the first of its addresses the policy refuses. */
async function refuseResolved(url: string, o: ProbeOptions): Promise<string | undefined> {
  if (!o.resolve) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(host) || host.includes(":")) return undefined; // an IP literal: already judged
  const addresses = await o.resolve(host).catch(() => [] as string[]);
  for (const address of addresses) {
    const refusal = refuseAddress(`http://${address.includes(":") ? `[${address}]` : address}/`, o.policy);
    if (refusal) return `${host} resolves to ${address} (${refusal})`;
  }
  return undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Reads the body to its end; false (and the rest left unread) when it is larger than `limit` bytes. */
async function drainBody(response: Response, limit: number): Promise<boolean> {
  if (!response.body) return true;
  const reader = response.body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      read += value.byteLength;
      if (read > limit) return false;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
}

export async function probeHealth(url: string, o: ProbeOptions): Promise<ProbeResult> {
  const now = o.now ?? (() => performance.now());
  const refusal = refuseAddress(url, o.policy) ?? await refuseResolved(url, o);
  if (refusal) return { status: "unhealthy", responseTimeMs: 0, httpStatus: null, error: `refused to call ${url}: ${refusal}` };
  const started = now();
  try {
    const response = await (o.fetch ?? fetch)(url, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(o.timeoutMs),
      headers: { "user-agent": "agentify-hosting-orchestrator/health" },
    });
    const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const complete = await drainBody(response, limit);
    const responseTimeMs = Math.round(now() - started);
    if (!complete) {
      return { status: "unhealthy", responseTimeMs, httpStatus: response.status, error: `response body larger than ${limit} bytes` };
    }
    if (response.status >= 300 && response.status < 400) {
      return { status: "unhealthy", responseTimeMs, httpStatus: response.status, error: `redirect (${response.status}) not followed` };
    }
    if (response.status < 200 || response.status >= 300) {
      return { status: "unhealthy", responseTimeMs, httpStatus: response.status, error: `HTTP ${response.status}` };
    }
    return { status: responseTimeMs > o.degradedAfterMs ? "degraded" : "healthy", responseTimeMs, httpStatus: response.status, error: null };
  } catch (error) {
    const responseTimeMs = Math.round(now() - started);
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const reason = e.name === "TimeoutError" || e.name === "AbortError" ? `timed out after ${o.timeoutMs} ms`
      : e.cause?.code ? `${e.cause.code}${e.cause.message ? `: ${e.cause.message}` : ""}`
      : e.message ?? String(error);
    return { status: "unhealthy", responseTimeMs, httpStatus: null, error: reason };
  }
}
