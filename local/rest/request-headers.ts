import { notAcceptable, schemaNotExposed } from "./errors.ts";

/**
 * The headers PostgREST reads besides the JWT: Prefer, Accept, Accept-/Content-Profile, Range, Cookie.
 * Unknown preferences are ignored (PostgREST's default `handling=lenient`).
 */
export interface Preferences {
  return: "minimal" | "representation" | "headers-only" | undefined;
  count: "exact" | "planned" | "estimated" | undefined;
  resolution: "merge-duplicates" | "ignore-duplicates" | undefined;
  missing: "default" | "null" | undefined;
  /** The preferences honoured, echoed in Preference-Applied. */
  applied: string[];
}

export function parsePrefer(header: string | null): Preferences {
  const prefs: Preferences = { return: undefined, count: undefined, resolution: undefined, missing: undefined, applied: [] };
  if (!header) return prefs;
  for (const raw of header.split(",")) {
    const token = raw.trim();
    const [name, value] = token.split("=", 2).map((s) => s.trim());
    if (name === "return" && (value === "minimal" || value === "representation" || value === "headers-only")) prefs.return = value;
    else if (name === "count" && (value === "exact" || value === "planned" || value === "estimated")) prefs.count = value;
    else if (name === "resolution" && (value === "merge-duplicates" || value === "ignore-duplicates")) prefs.resolution = value;
    else if (name === "missing" && (value === "default" || value === "null")) prefs.missing = value;
    else continue;
    prefs.applied.push(`${name}=${value}`);
  }
  return prefs;
}

export interface MediaChoice {
  /** object = application/vnd.pgrst.object+json (singular). */
  shape: "array" | "object";
  stripNulls: boolean;
}

/** Picks the response media type from Accept; only JSON forms are offered (no CSV, GeoJSON or plans). */
export function chooseMedia(accept: string | null): MediaChoice {
  if (!accept || accept.trim() === "") return { shape: "array", stripNulls: false };
  for (const range of accept.split(",")) {
    const [type = "", ...parameters] = range.split(";").map((s) => s.trim().toLowerCase());
    const stripNulls = parameters.includes("nulls=stripped");
    if (type === "*/*" || type === "application/*" || type === "application/json" || type === "application/vnd.pgrst.array+json") return { shape: "array", stripNulls };
    if (type === "application/vnd.pgrst.object+json") return { shape: "object", stripNulls };
  }
  throw notAcceptable(accept);
}

/** The schema of the request: Accept-Profile (GET/HEAD) or Content-Profile (others), default the first exposed. */
export function chooseSchema(method: string, headers: Headers, exposed: readonly string[]): string {
  const header = method === "GET" || method === "HEAD" ? headers.get("accept-profile") : headers.get("content-profile");
  const fallback = exposed[0] ?? "public";
  if (header === null || header.trim() === "") return fallback;
  const schema = header.trim();
  if (!exposed.includes(schema)) throw schemaNotExposed(schema, exposed);
  return schema;
}

/** `Range: 0-9` (items); undefined when absent or not understood. */
export function parseRangeHeader(header: string | null): { from: number; to: number | null } | undefined {
  if (!header) return undefined;
  const m = /^\s*(?:items=)?(\d{1,15})-(\d{0,15})\s*$/.exec(header);
  if (!m?.[1]) return undefined;
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : null;
  if (to !== null && to < from) return undefined;
  return { from, to };
}

export function headersJson(headers: Headers): string {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => { out[name] = value; });
  return JSON.stringify(out);
}

export function cookiesJson(header: string | null): string {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return JSON.stringify(out);
}
