import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, eventually, one, stack } from "../setup/clients.ts";

const s = stack();
const sql = connect();

interface ResponseRow { id: string; status_code: number | null; content: string | null; timed_out: boolean | null; error_msg: string | null }

async function responses(ids: string[]): Promise<ResponseRow[]> {
  return sql<ResponseRow[]>`select id::text, status_code, content, timed_out, error_msg from net._http_response where id = any(${ids}::bigint[])`;
}

describe("pg_net: net.http_* queued in SQL, performed after commit by the local worker", () => {
  // A TCP server that accepts connections and never answers: requests to it can only time out.
  let silent: net.Server;
  let silentPort = 0;
  beforeAll(async () => {
    silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    silent.close();
    await sql.end();
  });

  it("records the function's response for a committed net.http_post", async () => {
    const { id } = await one(sql<{ id: string }[]>`
      select net.http_post(${`${s.apiUrl}/functions/v1/health`}, '{"ping":true}'::jsonb)::text as id`);
    const [row] = await eventually(async () => {
      const rows = await responses([id]);
      return rows.length ? rows : undefined;
    }, { what: "the response row" });
    expect(row!.status_code).toBe(200);
    expect(JSON.parse(row!.content!)).toMatchObject({ status: "ok" });
    expect(row!.timed_out).toBe(false);
  });

  it("completes 100 requests queued at once", async () => {
    const ids = await sql.begin(async (tx) => {
      const rows = await tx<{ id: string }[]>`
        select net.http_get(${`${s.apiUrl}/functions/v1/health`})::text as id from generate_series(1, 100)`;
      return rows.map((r) => r.id);
    });
    const rows = await eventually(async () => {
      const got = await responses(ids);
      return got.length === 100 ? got : undefined;
    }, { timeoutMs: 30_000, what: "100 responses" });
    expect(rows.every((r) => r.status_code === 200)).toBe(true);
    expect(new Set(rows.map((r) => r.id)).size).toBe(100);
  });

  it("never performs a request of a rolled-back transaction", async () => {
    let id = "";
    await sql.begin(async (tx) => {
      ({ id } = await one(tx<{ id: string }[]>`select net.http_get(${`${s.apiUrl}/functions/v1/health`})::text as id`));
      throw new Error("roll back");
    }).catch(() => {});
    // A later committed request is answered; by then the rolled-back one would have been too.
    const { id: later } = await one(sql<{ id: string }[]>`select net.http_get(${`${s.apiUrl}/functions/v1/health`})::text as id`);
    await eventually(async () => ((await responses([later])).length ? true : undefined), { what: "the later response" });
    expect(await responses([id])).toEqual([]);
    expect(await sql`select 1 from net.http_request_queue where id = ${id}`).toHaveLength(0);
  });

  it("records a timeout for an address that does not answer, and a connection error for a closed port", async () => {
    const { id: hang } = await one(sql<{ id: string }[]>`
      select net.http_get(${`http://127.0.0.1:${silentPort}/`}, timeout_milliseconds => 300)::text as id`);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { id: refused } = await one(sql<{ id: string }[]>`select net.http_post(${`http://127.0.0.1:${closedPort}/`}, '{}'::jsonb)::text as id`);

    const rows = await eventually(async () => {
      const got = await responses([hang, refused]);
      return got.length === 2 ? got : undefined;
    }, { what: "both failures recorded" });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(hang)).toMatchObject({ status_code: null, timed_out: true });
    expect(byId.get(hang)!.error_msg).toMatch(/Timeout/);
    expect(byId.get(refused)).toMatchObject({ status_code: null, timed_out: false, error_msg: "Couldn't connect to server" });

    // The worker is not stuck: a new request still completes.
    const { id: after } = await one(sql<{ id: string }[]>`select net.http_get(${`${s.apiUrl}/functions/v1/health`})::text as id`);
    await eventually(async () => ((await responses([after])).length ? true : undefined), { what: "a request after the failures" });
  });

  it("refuses a non-JSON content type as pg_net does", async () => {
    await expect(sql`select net.http_post('http://127.0.0.1:1/', '{}'::jsonb, headers => '{"Content-Type":"text/plain"}'::jsonb)`)
      .rejects.toThrow('Content-Type header must be "application/json"');
  });

  it("reports the worker as up", async () => {
    await expect(sql`select net.check_worker_is_up()`).resolves.toBeDefined();
  });
});
