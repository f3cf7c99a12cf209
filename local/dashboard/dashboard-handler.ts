import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { transform } from "esbuild";
import { jsonResponse, type HttpHandler } from "../gateway/routes.ts";

/**
 * The dashboard's Web-standard handler: the page (`dashboard/`), the browser module transpiled from
 * `dashboard/app.ts` on the fly (esbuild `transform`, no bundling: the module has no imports), the
 * supabase-js UMD bundle from node_modules, and `/config.json` (API URL, anon key, operator token).
 *
 * The page reads everything through the Supabase REST API with the operator token; this server holds
 * no data. It binds to loopback only, and answers only requests whose Host names it (127.0.0.1 or
 * localhost on its port), so a web page that rebinds its own DNS name to 127.0.0.1 cannot read the
 * token. Browsers already keep other origins out: no CORS header is ever sent.
 */
export interface DashboardConfig {
  apiUrl: string;
  anonKey: string;
  /** Returns the current operator JWT (may be re-minted before it expires). */
  operatorToken: () => Promise<string>;
}

export interface DashboardHandlerOptions {
  projectRoot: string;
  /** Ports this server is reached on; the Host header must be 127.0.0.1:<port> or localhost:<port>. */
  port: number;
  config: DashboardConfig;
  onError?: (message: string, fields: Record<string, unknown>) => void;
}

type Asset = { file: string; type: string; transpile?: boolean };

export function dashboardAssets(projectRoot: string): Record<string, Asset> {
  const page = (name: string) => path.join(projectRoot, "dashboard", name);
  return {
    "/": { file: page("index.html"), type: "text/html; charset=utf-8" },
    "/index.html": { file: page("index.html"), type: "text/html; charset=utf-8" },
    "/style.css": { file: page("style.css"), type: "text/css; charset=utf-8" },
    "/app.js": { file: page("app.ts"), type: "text/javascript; charset=utf-8", transpile: true },
    "/vendor/supabase.js": {
      file: path.join(projectRoot, "node_modules", "@supabase", "supabase-js", "dist", "umd", "supabase.js"),
      type: "text/javascript; charset=utf-8",
    },
  };
}

/** Headers of every answer: no framing, no sniffing, no referrer, and a CSP allowing only this origin and the API. */
function securityHeaders(apiUrl: string): Record<string, string> {
  const api = new URL(apiUrl).origin;
  return {
    "content-security-policy":
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${api}; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
}

/** Transpiles `app.ts` once per modification time. */
function createTranspiler() {
  const cache = new Map<string, { mtimeMs: number; code: string }>();
  return async (file: string): Promise<string> => {
    const { mtimeMs } = await stat(file);
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.code;
    const source = await readFile(file, "utf8");
    const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2022", sourcefile: path.basename(file) });
    cache.set(file, { mtimeMs, code });
    return code;
  };
}

export function createDashboardHandler(options: DashboardHandlerOptions): HttpHandler {
  const assets = dashboardAssets(options.projectRoot);
  const transpile = createTranspiler();
  const security = securityHeaders(options.config.apiUrl);
  const allowedHosts = new Set([`127.0.0.1:${options.port}`, `localhost:${options.port}`, `[::1]:${options.port}`]);
  const answer = (status: number, body: BodyInit | null, headers: Record<string, string>) =>
    new Response(body, { status, headers: { ...security, ...headers } });

  return async (request) => {
    const host = request.headers.get("host")?.toLowerCase() ?? "";
    if (!allowedHosts.has(host)) return answer(403, JSON.stringify({ message: "unexpected Host header" }), { "content-type": "application/json" });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return answer(405, JSON.stringify({ message: "method not allowed" }), { "content-type": "application/json", allow: "GET, HEAD" });
    }
    const { pathname } = new URL(request.url);
    const head = request.method === "HEAD";
    if (pathname === "/health") return jsonResponse(200, { status: "ok" }, security);
    if (pathname === "/config.json") {
      const body = JSON.stringify({ apiUrl: options.config.apiUrl, anonKey: options.config.anonKey, operatorToken: await options.config.operatorToken() });
      return answer(200, head ? null : body, { "content-type": "application/json", "cache-control": "no-store" });
    }
    const asset = assets[pathname];
    if (!asset) return answer(404, JSON.stringify({ message: "not found" }), { "content-type": "application/json" });
    try {
      const body = asset.transpile ? await transpile(asset.file) : await readFile(asset.file);
      return answer(200, head ? null : body, { "content-type": asset.type, "cache-control": "no-cache" });
    } catch (error) {
      options.onError?.("dashboard asset failed", { path: pathname, error: String(error) });
      return answer(500, JSON.stringify({ message: `cannot serve ${pathname}` }), { "content-type": "application/json" });
    }
  };
}
