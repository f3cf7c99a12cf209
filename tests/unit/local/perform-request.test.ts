import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { performRequest } from "../../../local/pgnet/perform-request.ts";

describe("performRequest (one pg_net request)", () => {
  let server: http.Server;
  let base = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/hang") return; // never answers
      let body = "";
      req.on("data", (c: Buffer) => { body += c.toString(); });
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json", "x-echo": req.headers["user-agent"] ?? "" });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => { server.closeAllConnections(); server.close(); });

  it("records status, headers, content type and body, sending pg_net's user agent", async () => {
    const row = await performRequest({
      id: "7", method: "POST", url: `${base}/x?a=1`, headers: { "Content-Type": "application/json" },
      body: new TextEncoder().encode('{"k":1}'), timeout_milliseconds: 2000,
    });
    expect(row).toMatchObject({ id: "7", status_code: 201, content_type: "application/json", timed_out: false, error_msg: null });
    expect(row.headers?.["x-echo"]).toBe("pg_net/0.20.4");
    expect(JSON.parse(row.content!)).toEqual({ method: "POST", url: "/x?a=1", body: '{"k":1}' });
  });

  it("reports a timeout as timed_out with a message, not a status", async () => {
    const row = await performRequest({ id: "8", method: "GET", url: `${base}/hang`, headers: {}, body: null, timeout_milliseconds: 100 });
    expect(row).toMatchObject({ status_code: null, timed_out: true, error_msg: "Timeout of 100 ms reached" });
  });

  it("reports an unreachable server in libcurl's words", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const row = await performRequest({ id: "9", method: "DELETE", url: `http://127.0.0.1:${port}/`, headers: null, body: null, timeout_milliseconds: 1000 });
    expect(row).toMatchObject({ status_code: null, timed_out: false, error_msg: "Couldn't connect to server" });
  });
});
