/** The local HTTP health check of a container, from the device itself. */
import type { Health } from "../functions/_shared/edge/device-report.ts";
import type { HttpFetch } from "./rpc-client.ts";

/** `healthy` on 2xx/3xx within `timeoutMs`, `unhealthy` on any other answer or none. */
export async function checkHealth(fetch: HttpFetch, url: string, timeoutMs: number): Promise<Health> {
  try {
    const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400 ? "healthy" : "unhealthy";
  } catch {
    return "unhealthy";
  }
}

/** The URL checked for a container: its first host port on the device, at its health path. */
export function healthUrl(host: string, hostPort: number, path: string): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${bracketed}:${hostPort}${path}`;
}
