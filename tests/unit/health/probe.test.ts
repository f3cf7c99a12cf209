import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHealth, type ProbeOptions } from "../../../functions/_shared/health/probe.ts";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./fixtures/self-signed.ts";

/** One local server with a route per misbehaviour; every socket is tracked and destroyed afterwards. */
let server: http.Server;
let base: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case "/ok": res.end("ok"); return;
      case "/hang": return; // never answers
      case "/hang-body": res.writeHead(200, { "content-type": "text/plain" }); res.write("partial"); return; // headers, then nothing
      case "/reset": req.socket.destroy(); return;
      case "/loop": res.writeHead(302, { location: "/loop" }).end(); return;
      case "/huge": {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const chunk = Buffer.alloc(64 * 1024, 120);
        let sent = 0;
        const pump = () => {
          while (sent < 200 && res.write(chunk)) sent++;
          if (sent < 200) res.once("drain", pump); else res.end();
        };
        res.on("close", () => { sent = 200; });
        pump();
        return;
      }
      case "/500": res.writeHead(500).end("broken"); return;
      default: res.writeHead(404).end();
    }
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const options: ProbeOptions = { timeoutMs: 300, degradedAfterMs: 2000, policy: { allowLoopback: true, allowPrivate: false } };

describe("probeHealth: one bad health URL is one failed check with a clear error", () => {
  it("passes a 2xx", async () => {
    expect(await probeHealth(`${base}/ok`, options)).toMatchObject({ status: "healthy", httpStatus: 200, error: null });
  });

  it.each([
    ["/hang", /^timed out after 300 ms$/],
    ["/hang-body", /^timed out after 300 ms$/],
    ["/reset", /ECONNRESET|socket|closed/i],
    ["/loop", /^redirect \(302\) not followed$/],
    ["/huge", /^response body larger than 65536 bytes$/],
    ["/500", /^HTTP 500$/],
  ])("%s", async (path, error) => {
    const result = await probeHealth(`${base}${path}`, options);
    expect(result.status).toBe("unhealthy");
    expect(result.error).toMatch(error);
  });

  it("refuses a connection to a closed port with the error code", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await probeHealth(`http://127.0.0.1:${port}/health`, options)).error).toMatch(/^ECONNREFUSED/);
  });

  it("fails a certificate no CA vouches for", async () => {
    const tls = https.createServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    try {
      const result = await probeHealth(`https://localhost:${(tls.address() as AddressInfo).port}/health`, options);
      expect(result).toMatchObject({ status: "unhealthy", httpStatus: null });
      expect(result.error).toMatch(/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });

  it("never calls an address the guard refuses", async () => {
    let called = false;
    const result = await probeHealth("http://169.254.169.254/latest/meta-data", { ...options, fetch: async () => { called = true; return new Response("x"); } });
    expect(called).toBe(false);
    expect(result).toMatchObject({ status: "unhealthy", responseTimeMs: 0, error: "refused to call http://169.254.169.254/latest/meta-data: link-local or metadata address" });
  });
});
