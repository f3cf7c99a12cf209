/**
 * The role claim of the JWT a request carries. The gateway (verify_jwt) has already checked its
 * signature and expiry, so here it is only read: the orchestrator's tasks are for the database's own
 * calls (the service-role key from Vault), not for every holder of the public anon key.
 */
export function callerRole(request: Request): string | undefined {
  const match = /^Bearer\s+([^.\s]+)\.([^.\s]+)\.[^.\s]*$/i.exec(request.headers.get("authorization") ?? "");
  if (!match?.[2]) return undefined;
  try {
    const json = atob(match[2].replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { role?: unknown };
    return typeof claims.role === "string" ? claims.role : undefined;
  } catch {
    return undefined;
  }
}
