import type { Sql } from "postgres";
import type { Logger } from "../log/logger.ts";
import { performRequest, type QueuedRequest, type ResponseRow } from "./perform-request.ts";

/**
 * The pg_net request worker of the local stack. Like pg_net's background worker it takes queued
 * requests (deleting them from the unlogged queue as it picks them up), performs them concurrently
 * with each request's timeout, and records one `net._http_response` row per request.
 * Unlike pg_net it does not wait for a whole batch before taking the next: up to `concurrency`
 * requests are in flight at any time.
 *
 * Wake-up: `net.wake()` sends NOTIFY pg_net_wake, delivered only at commit; the worker also polls
 * every `pollMs`, so a missed notification delays a request, never loses it.
 *
 * Invariant: a request taken from the queue always gets a response row (success, error or timeout),
 * unless the worker itself is killed mid-flight — the same loss pg_net accepts for its unlogged queue.
 */
export interface PgNetWorkerOptions {
  sql: Sql;
  log: Logger;
  fetch?: typeof fetch;
  /** Requests in flight at once. Default 200 (pg_net.batch_size). */
  concurrency?: number;
  /** Poll interval when no notification arrives. Default 1000 ms. */
  pollMs?: number;
  /** Responses older than this are deleted (pg_net.ttl). Default 6 hours. */
  ttlMs?: number;
}

export interface PgNetWorker {
  stop(): Promise<void>;
}

const FLUSH_MS = 5;

export async function startPgNetWorker(o: PgNetWorkerOptions): Promise<PgNetWorker> {
  const concurrency = o.concurrency ?? 200;
  const pollMs = o.pollMs ?? 1000;
  const ttlMs = o.ttlMs ?? 6 * 3600 * 1000;
  const log = o.log.child({ component: "pg_net" });
  let stopped = false;
  let inFlight = 0;
  let draining: Promise<void> | undefined;
  let wakeAgain = false;
  /** Set when the drain stopped for want of room; the next finishing request resumes it. */
  let saturated = false;
  const done: ResponseRow[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();

  async function flush(): Promise<void> {
    flushTimer = undefined;
    const rows = done.splice(0, done.length);
    if (rows.length === 0) return;
    try {
      await o.sql`insert into net._http_response ${o.sql(rows.map((r) => ({ ...r, headers: r.headers ? o.sql.json(r.headers) : null })),
        "id", "status_code", "content_type", "headers", "content", "timed_out", "error_msg")}`;
    } catch (error) {
      log.error("recording responses failed", { error: String(error), count: rows.length });
    }
  }

  function record(row: ResponseRow): void {
    done.push(row);
    if (done.length >= 100) void flush();
    else flushTimer ??= setTimeout(() => void flush(), FLUSH_MS);
  }

  async function claim(limit: number): Promise<QueuedRequest[]> {
    return o.sql<QueuedRequest[]>`
      delete from net.http_request_queue
       where id in (select id from net.http_request_queue order by id limit ${limit} for update skip locked)
      returning id::text, method, url, headers, body, timeout_milliseconds`;
  }

  async function drain(): Promise<void> {
    while (!stopped) {
      const room = concurrency - inFlight;
      if (room <= 0) {
        saturated = true;
        return;
      }
      const batch = await claim(room);
      if (batch.length === 0) return;
      for (const request of batch) {
        inFlight++;
        const p = performRequest(request, o.fetch)
          .then(record)
          .finally(() => {
            inFlight--;
            pending.delete(p);
            if (saturated) {
              saturated = false;
              wake();
            }
          });
        pending.add(p);
      }
    }
  }

  function wake(): void {
    if (stopped) return;
    if (draining) {
      wakeAgain = true;
      return;
    }
    wakeAgain = false;
    draining = drain()
      .catch((error: unknown) => log.error("draining the queue failed", { error: String(error) }))
      .finally(() => {
        draining = undefined;
        if (wakeAgain) wake();
      });
  }

  const listener = await o.sql.listen("pg_net_wake", () => wake(), () => wake());
  const poll = setInterval(wake, pollMs);
  const ttl = setInterval(() => {
    o.sql`delete from net._http_response where created < now() - ${ttlMs / 1000} * interval '1 second'`
      .catch((error: unknown) => log.warn("ttl cleanup failed", { error: String(error) }));
  }, 60_000);
  wake();

  return {
    async stop() {
      stopped = true;
      clearInterval(poll);
      clearInterval(ttl);
      await listener.unlisten();
      await draining;
      await Promise.allSettled([...pending]);
      clearTimeout(flushTimer);
      await flush();
    },
  };
}
