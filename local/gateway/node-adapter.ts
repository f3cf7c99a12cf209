import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { HttpHandler, Route } from "./routes.ts";
import { matchRoute } from "./routes.ts";
import type { Logger } from "../log/logger.ts";

/** Node glue: turns node:http requests into Web `Request`s and writes back Web `Response`s. */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : null,
    // @ts-expect-error Node's fetch needs duplex for streamed request bodies (not yet in lib.dom).
    duplex: "half",
  });
}

/**
 * The request body as a Web stream. Unlike `Readable.toWeb`, cancelling it (a handler that stops
 * reading an oversize body) destroys the socket's request quietly instead of throwing
 * ERR_INVALID_STATE out of an event handler, which would take the whole runtime down.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.on("error", (error) => {
        if (done) return;
        done = true;
        controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume(); // drain and discard the rest, keeping the connection usable for the response
    },
  }, { highWaterMark: 16 });
}

export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

export interface NodeServer {
  url: string;
  close(): Promise<void>;
}

export async function serveNode(
  handler: HttpHandler,
  routes: Route[],
  options: { host: string; port: number; log: Logger },
): Promise<NodeServer> {
  const origin = `http://${options.host}:${options.port}`;
  const server = http.createServer((req, res) => {
    // A client that goes away mid-request makes these streams emit 'error'; unheard, that would be
    // thrown and take the runtime down. The handler sees it through the body stream or a failed write.
    req.on("error", () => {});
    res.on("error", () => {});
    handler(toWebRequest(req, origin))
      .then((response) => writeWebResponse(res, response))
      .catch((error: unknown) => {
        options.log.error("unhandled gateway error", { error: String(error), path: req.url?.split("?")[0] });
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "internal error" }));
      });
  });
  server.keepAliveTimeout = 65_000;
  server.on("upgrade", (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", origin).pathname;
    const route = matchRoute(routes, pathname);
    if (!route?.upgrade) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    route.upgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      server.on("error", (error) => options.log.error("gateway server error", { error: String(error) }));
      resolve();
    });
  });
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
