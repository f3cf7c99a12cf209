import { rangeNotSatisfiable, type RestError } from "./errors.ts";

/**
 * Success and error responses as PostgREST shapes them: Content-Range, 200/206/416 by range and
 * count, the JSON media types, Preference-Applied, and CORS headers (PostgREST answers CORS itself).
 */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit, Preference-Applied",
};

export const JSON_TYPE = "application/json; charset=utf-8";
export const OBJECT_TYPE = "application/vnd.pgrst.object+json; charset=utf-8";

/** `first-last/total`, `*\/total` when no rows, total `*` when not counted. */
export function contentRange(offset: number, rows: number, total: number | null): string {
  const totalText = total === null ? "*" : String(total);
  return rows > 0 ? `${offset}-${offset + rows - 1}/${totalText}` : `*/${totalText}`;
}

/** PostgREST's rangeStatus: 416 past the end, 206 when the page is not everything, else 200. */
export function rangeStatus(offset: number, rows: number, total: number | null): number {
  if (total === null) return 200;
  if (offset > total) throw rangeNotSatisfiable(offset, total);
  return rows < total ? 206 : 200;
}

export function restResponse(status: number, body: string | null, headers: Record<string, string>): Response {
  const hasBody = body !== null && status !== 204;
  return new Response(hasBody ? body : null, { status, headers: { ...CORS_HEADERS, ...headers } });
}

export function errorResponse(error: RestError): Response {
  return new Response(JSON.stringify(error.toBody()), {
    status: error.status,
    headers: { ...CORS_HEADERS, "content-type": JSON_TYPE, ...error.headers },
  });
}

export function preflightResponse(request: Request): Response {
  return new Response(null, {
    status: 200,
    headers: {
      ...CORS_HEADERS,
      "access-control-allow-methods": "GET, HEAD, POST, PATCH, DELETE, OPTIONS",
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "authorization, apikey, content-type, prefer, range, accept-profile, content-profile, x-client-info",
      "access-control-max-age": "86400",
    },
  });
}
