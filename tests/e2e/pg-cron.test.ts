import { afterAll, describe, expect, it } from "vitest";
import { connect, eventually, one } from "../setup/clients.ts";

const sql = connect();
afterAll(() => sql.end());

describe("pg_cron", () => {
  it("registers the heartbeat job with the schedule the installed pg_cron supports", async () => {
    const { seconds } = await one(sql<{ seconds: boolean }[]>`select private.cron_supports_seconds() as seconds`);
    const [job] = await sql`select schedule, command, active from cron.job where jobname = 'scheduler-heartbeat'`;
    expect(job).toMatchObject({ schedule: seconds ? "30 seconds" : "* * * * *", active: true });
  });

  // The one slow test: waits for pg_cron to fire the job by itself (at most about a minute).
  it("fires a job scheduled by a migration on its own", async () => {
    const beat = await eventually(async () => {
      const [row] = await sql<{ beats: string }[]>`select beats::text from private.scheduler_heartbeats where job_name = 'scheduler-heartbeat'`;
      return row && Number(row.beats) >= 1 ? row : undefined;
    }, { timeoutMs: 75_000, everyMs: 1000, what: "the scheduler heartbeat" });
    expect(Number(beat.beats)).toBeGreaterThanOrEqual(1);
    const [run] = await sql`select status from cron.job_run_details d join cron.job j using (jobid)
                            where j.jobname = 'scheduler-heartbeat' order by runid desc limit 1`;
    expect(run).toMatchObject({ status: "succeeded" });
  }, 90_000);
});
