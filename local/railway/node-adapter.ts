/** The only Node-specific glue: serves a Web-standard handler with node:http. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Handler } from "./endpoints.ts";

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && chunks.length > 0;
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  // The caller may have given up (timeout) while the handler waited: nothing to answer then.
  if (res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

export interface NodeServer {
  port: number;
  close(): Promise<void>;
}

export function serve(handler: Handler, options: { host: string; port: number; onError?: (error: unknown) => void }): Promise<NodeServer> {
  const origin = `http://${options.host}`;
  const server = createServer((req, res) => {
    toRequest(req, origin)
      .then(handler)
      .then((response) => send(response, res))
      .catch((error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent && !res.destroyed) res.writeHead(500, { "content-type": "application/json" });
        if (!res.destroyed) res.end(JSON.stringify({ errors: [{ message: "Internal server error" }] }));
      });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
