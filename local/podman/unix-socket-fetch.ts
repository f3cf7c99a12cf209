/**
 * A `fetch`-like transport over a unix socket for Node (`node:http` with `socketPath`), so the runtime-neutral
 * Docker module can talk to podman or Docker from vitest and tsx. Deno uses `Deno.createHttpClient` instead
 * (see `edge-agent/main.ts`).
 */
import { request } from "node:http";
import type { EngineFetch } from "../../edge-agent/docker-api.ts";

export function unixSocketFetch(socketPath: string): EngineFetch {
  return async (url, init) => {
    const target = new URL(url);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const headers = new Headers(init.headers);
    if (body !== undefined) headers.set("content-length", String(Buffer.byteLength(body)));
    return await new Promise<Response>((resolve, reject) => {
      const req = request(
        { socketPath, path: target.pathname + target.search, method: init.method ?? "GET", headers: Object.fromEntries(headers) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
            }
            const status = res.statusCode ?? 500;
            const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(payload, { status, headers: responseHeaders }));
          });
        },
      );
      req.on("error", reject);
      init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")), { once: true });
      req.end(body);
    });
  };
}
