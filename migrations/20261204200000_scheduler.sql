-- The scheduler: pg_cron, a helper that schedules by what the installed pg_cron supports, and a
-- heartbeat job so operators (and the dashboard) can see that scheduled jobs really run.

create schema if not exists private;
revoke all on schema private from public;
comment on schema private is 'Internal tables and functions of the orchestrator; not exposed over the API.';

create or replace function private.cron_supports_seconds() returns boolean
  language sql stable set search_path = ''
as $$
  select coalesce((select string_to_array(split_part(extversion, '-', 1), '.')::int[] >= array[1, 5]
                     from pg_catalog.pg_extension where extname = 'pg_cron'), false)
$$;
comment on function private.cron_supports_seconds() is
  'True when the installed pg_cron accepts ''N seconds'' schedules (1.5 and later; hosted Supabase runs 1.6).';

create or replace function private.cron_schedule_every(job_name text, every_seconds int, command text)
  returns bigint
  language plpgsql set search_path = ''
as $$
begin
  if every_seconds < 1 then
    raise exception 'every_seconds must be at least 1, got %', every_seconds;
  end if;
  if every_seconds < 60 and private.cron_supports_seconds() then
    return cron.schedule(job_name, every_seconds || ' seconds', command);
  end if;
  -- whole minutes (the finest schedule pg_cron 1.4 knows), or whole hours beyond one hour
  return cron.schedule(job_name,
    case when every_seconds <= 60 then '* * * * *'
         when every_seconds < 3600 then '*/' || ceil(every_seconds / 60.0)::int || ' * * * *'
         else '0 */' || least(23, ceil(every_seconds / 3600.0)::int) || ' * * *' end,
    command);
end
$$;
comment on function private.cron_schedule_every(text, int, text) is
  'Schedules (or reschedules) a named pg_cron job every N seconds, rounded up to whole minutes where pg_cron has no second schedules.';

create table if not exists private.scheduler_heartbeats (
  job_name text primary key,
  beats bigint not null default 0,
  last_beat_at timestamptz not null default now()
);
alter table private.scheduler_heartbeats enable row level security;
comment on table private.scheduler_heartbeats is 'One row per heartbeat job: proof that pg_cron runs jobs.';

create or replace function private.scheduler_beat(job_name text) returns void
  language sql set search_path = ''
as $$
  insert into private.scheduler_heartbeats as h (job_name, beats, last_beat_at)
  values (job_name, 1, now())
  on conflict (job_name) do update set beats = h.beats + 1, last_beat_at = now();
$$;
comment on function private.scheduler_beat(text) is 'Records one run of a heartbeat job.';

-- pg_cron can be created only in the database named by cron.database_name ('postgres' on hosted
-- Supabase and locally). Elsewhere (a scratch database of a test) nothing is scheduled.
do $$
begin
  if current_database() = coalesce(current_setting('cron.database_name', true), 'postgres') then
    create extension if not exists pg_cron with schema pg_catalog;
    perform private.cron_schedule_every('scheduler-heartbeat', 30, $cmd$select private.scheduler_beat('scheduler-heartbeat')$cmd$);
  else
    raise notice 'pg_cron lives in database %, not %: no jobs scheduled here',
      current_setting('cron.database_name', true), current_database();
  end if;
end
$$;
