import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, eventually, one } from "../setup/clients.ts";

/**
 * The health sweep in the stack's own database (`postgres`, where pg_cron lives): the jobs the
 * migration registers, one wake-up through pg_net → the function → a real HTTP check, and (slow)
 * pg_cron firing the sweep on its own.
 */
const sql = connect();
let server: http.Server;
let url: string;
let status = 200;
const created: string[] = [];
beforeAll(async () => {
  server = http.createServer((_req, res) => { res.writeHead(status).end("ok"); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
afterAll(async () => {
  if (created.length > 0) await sql`update public.containers set status = 'removed', removed_at = now() where id = any(${created}::uuid[])`;
  await sql.end();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function insertContainer(name: string): Promise<string> {
  // A Railway container with no provider deployment: checked like any other, never restarted.
  // (An edge container would need its device to keep heartbeating through the slow test.)
  const { id } = await one(sql<{ id: string }[]>`
    insert into public.containers (agent_id, customer_id, target_type, owner_agent_id, image, status, health_url, health_failure_threshold)
    values (${`agent.test.${name}`}, ${`e2e-${Date.now()}`}, 'railway', 'agent.test.health-e2e', 'img:1', 'running', ${url}, 1)
    returning id`);
  created.push(id);
  return id;
}

describe("health sweep on pg_cron", () => {
  it("registers the sweep and the retention jobs with the schedule the installed pg_cron supports", async () => {
    const { seconds } = await one(sql<{ seconds: boolean }[]>`select private.cron_supports_seconds() as seconds`);
    const jobs = await sql`select jobname, schedule, command, active from cron.job where jobname in ('health-sweep', 'health-retention') order by jobname`;
    expect(jobs).toEqual([
      { jobname: "health-retention", schedule: "*/5 * * * *", command: "call private.health_retention()", active: true },
      { jobname: "health-sweep", schedule: seconds ? "30 seconds" : "* * * * *", command: "select private.wake_health_sweep()", active: true },
    ]);
  });

  it("one wake-up checks a container through pg_net and the function, and informs on the change", async () => {
    const id = await insertContainer("wake");
    const { woke } = await one(sql<{ woke: boolean }[]>`select private.wake_health_sweep() as woke`);
    expect(woke).toBe(true);
    const row = await eventually(async () => {
      const [c] = await sql`select health, health_state, last_health_check_at from public.containers where id = ${id}`;
      return c?.health_state === "healthy" ? c : undefined;
    }, { timeoutMs: 20_000, what: "the container to be checked" });
    expect(row).toMatchObject({ health: true });
    expect(await sql`select status, error_message from public.health_checks where container_id = ${id}`).toEqual([{ status: "healthy", error_message: null }]);
    const informs = await sql`select "to", payload->>'old' as old, payload->>'new' as new from public.messages
                               where intent = 'health_changed' and payload->>'container_id' = ${id}`;
    expect(informs).toEqual([{ to: ["agent.test.health-e2e", "agent.monitoring.health"], old: "unknown", new: "healthy" }]);
    await sql`update public.containers set status = 'removed', removed_at = now() where id = ${id}`;
  });

  // The slow test: pg_cron fires the sweep on its own (every 30 s or every minute).
  it("checks a new container without anyone waking the sweep", async () => {
    status = 503;
    const id = await insertContainer("cron");
    const row = await eventually(async () => {
      const [c] = await sql`select health_state, health_last_error from public.containers where id = ${id}`;
      return c?.health_state === "unhealthy" ? c : undefined;
    }, { timeoutMs: 100_000, everyMs: 1000, what: "pg_cron to run the health sweep" });
    expect(row).toMatchObject({ health_last_error: "HTTP 503" });
    const [run] = await sql`select status from cron.job_run_details d join cron.job j using (jobid)
                            where j.jobname = 'health-sweep' order by runid desc limit 1`;
    expect(run).toMatchObject({ status: "succeeded" });
  }, 120_000);
});
