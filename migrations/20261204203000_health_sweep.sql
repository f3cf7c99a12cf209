-- Health sweep: a pg_cron job wakes the function `hosting-orchestrator` with ONE pg_net call
-- ({"task":"health_sweep"}); the function claims due containers in batches (a lease column, taken
-- with FOR UPDATE SKIP LOCKED), probes their health URLs itself, and writes health_checks rows,
-- container state and informs in batches. Auto-heal state and per-container thresholds live on
-- public.containers; the sweep's database-side policy lives in private.health_settings.
--
-- Glossary
--   sweep        one run of the function's health sweep: claim due containers, probe, record, heal
--   lease        containers.health_claimed_until: a claimed container is not claimed again before it
--                passes, so overlapping sweeps never check one container twice and a sweep that dies
--                leaves nothing claimed for longer than the lease
--   health state unknown → healthy | degraded | unhealthy (docs/health.md)
--   heal         a restart of an unhealthy Railway container, recorded in public.deployments (kind 'heal')

alter table public.containers
  add column health_failure_threshold integer not null default 3,
  add column health_degraded_after_ms integer,
  add column health_consecutive_failures integer not null default 0,
  add column health_last_error text,
  add column health_claimed_until timestamptz,
  add column next_heal_at timestamptz,
  add column needs_attention boolean not null default false,
  add column attention_reason text,
  add column attention_since timestamptz,
  add constraint containers_health_failure_threshold_range check (health_failure_threshold between 1 and 100),
  add constraint containers_health_degraded_after_ms_range check (health_degraded_after_ms is null or health_degraded_after_ms between 1 and 600000);

comment on column public.containers.health_failure_threshold is
  'Consecutive failed checks after which the container is unhealthy (fewer: degraded). Default 3.';
comment on column public.containers.health_degraded_after_ms is
  'A 2xx answer slower than this many milliseconds is degraded; null: the function''s HEALTH_DEGRADED_MS.';
comment on column public.containers.health_consecutive_failures is 'Failed checks in a row (0 after a passing check).';
comment on column public.containers.health_last_error is 'The error of the last failed check (kept until the next passing check).';
comment on column public.containers.health_claimed_until is
  'Lease of the sweep that is checking the container; null or past: free. Never set it by hand.';
comment on column public.containers.next_heal_at is 'Auto-heal backoff: no restart before this time.';
comment on column public.containers.needs_attention is
  'True when auto-heal gave up (restart cap reached and still unhealthy): an operator should look. Cleared when the container is healthy again.';
comment on column public.containers.attention_reason is 'Why needs_attention was set.';

-- the sweep's claim: due, live containers with a health URL, oldest check first
create index containers_health_due on public.containers (last_health_check_at nulls first)
  where health_url is not null and status in ('running', 'crashed');
create index containers_provider_service on public.containers (provider_service_id) where provider_service_id is not null;

create table private.health_settings (
  id                         integer primary key default 1 check (id = 1),
  due_after_seconds          integer not null default 20 check (due_after_seconds between 1 and 86400),
  lease_seconds              integer not null default 60 check (lease_seconds between 5 and 3600),
  heal_enabled               boolean not null default true,
  heal_max_per_hour          integer not null default 3 check (heal_max_per_hour between 0 and 60),
  heal_backoff_base_seconds  integer not null default 60 check (heal_backoff_base_seconds >= 1),
  heal_backoff_max_seconds   integer not null default 900 check (heal_backoff_max_seconds >= 1),
  raw_retention_hours        integer not null default 24 check (raw_retention_hours between 1 and 8760),
  rollup_retention_days      integer not null default 30 check (rollup_retention_days between 1 and 3650),
  retention_batch_size       integer not null default 5000 check (retention_batch_size between 100 and 100000),
  retention_max_batches      integer not null default 400 check (retention_max_batches between 1 and 100000),
  rolled_up_until            timestamptz
);
insert into private.health_settings default values;
alter table private.health_settings enable row level security;
comment on table private.health_settings is
  'Policy of the health sweep (one row): when a container is due, the claim lease, auto-heal cap and backoff, retention of raw checks and roll-ups. rolled_up_until is the roll-up watermark, kept by private.health_retention.';

-- ---------------------------------------------------------------------------------------------
-- hourly roll-ups of health_checks

create table public.health_check_rollups (
  container_id uuid             not null references public.containers (id) on delete cascade,
  hour         timestamptz      not null,
  checks       integer          not null,
  failures     integer          not null,
  degraded     integer          not null,
  p50_ms       double precision,
  p95_ms       double precision,
  max_ms       integer,
  primary key (container_id, hour),
  constraint health_check_rollups_counts check (checks >= 0 and failures between 0 and checks and degraded between 0 and checks)
);
comment on table public.health_check_rollups is
  'Hourly aggregates of health_checks (checks, failures = unhealthy checks, degraded, p50/p95/max response time in ms over checks with a response time), kept rollup_retention_days.';
create index health_check_rollups_hour on public.health_check_rollups (hour);

alter table public.health_check_rollups enable row level security;
revoke insert, update, delete on public.health_check_rollups from anon, authenticated;
grant select on public.health_check_rollups to authenticated;

create policy "agents read roll-ups of their containers" on public.health_check_rollups
  for select to authenticated
  using (exists (select 1 from public.containers c
                  where c.id = container_id and c.owner_agent_id = (select private.current_agent_id())));
create policy "operators read every roll-up" on public.health_check_rollups
  for select to authenticated
  using ((select private.is_operator()));

-- ---------------------------------------------------------------------------------------------
-- the function's side: claims

create type private.health_claim as (
  id                          uuid,
  agent_id                    text,
  customer_id                 text,
  owner_agent_id              text,
  target_type                 text,
  health_url                  text,
  image                       text,
  resources                   jsonb,
  health_state                text,
  healthy_since               timestamptz,
  health_consecutive_failures integer,
  health_failure_threshold    integer,
  health_degraded_after_ms    integer,
  provider_service_id         text,
  provider_deployment_id      text,
  next_heal_at                timestamptz,
  needs_attention             boolean
);
comment on type private.health_claim is 'What the sweep needs of a claimed container.';

create or replace function private.claim_health_checks(batch_size integer, at timestamptz default now())
  returns setof private.health_claim
  language sql security definer set search_path = ''
as $$
  with s as (select due_after_seconds, lease_seconds from private.health_settings where id = 1)
  update public.containers c
     set health_claimed_until = at + make_interval(secs => (select lease_seconds from s))
   where c.id in (
     select q.id from public.containers q
      where q.health_url is not null
        and q.status in ('running', 'crashed')
        and (q.health_claimed_until is null or q.health_claimed_until <= at)
        and (q.last_health_check_at is null
             or q.last_health_check_at <= at - make_interval(secs => (select due_after_seconds from s)))
      order by q.last_health_check_at nulls first
      limit batch_size
      for update skip locked)
  returning c.id, c.agent_id, c.customer_id, c.owner_agent_id, c.target_type, c.health_url, c.image, c.resources,
            c.health_state, c.healthy_since, c.health_consecutive_failures, c.health_failure_threshold,
            c.health_degraded_after_ms, c.provider_service_id, c.provider_deployment_id, c.next_heal_at,
            c.needs_attention
$$;
comment on function private.claim_health_checks(integer, timestamptz) is
  'Claims (leases) up to batch_size containers due for a health check at `at`, oldest check first; concurrent sweeps never claim one twice, and a lease that is not released expires after lease_seconds.';

create or replace function private.claim_health_check(container_id uuid, at timestamptz default now())
  returns setof private.health_claim
  language sql security definer set search_path = ''
as $$
  update public.containers c
     set health_claimed_until = at + make_interval(secs => (select lease_seconds from private.health_settings where id = 1))
   where c.id = (select q.id from public.containers q
                  where q.id = claim_health_check.container_id
                    and (q.health_claimed_until is null or q.health_claimed_until <= at)
                  for update skip locked)
  returning c.id, c.agent_id, c.customer_id, c.owner_agent_id, c.target_type, c.health_url, c.image, c.resources,
            c.health_state, c.healthy_since, c.health_consecutive_failures, c.health_failure_threshold,
            c.health_degraded_after_ms, c.provider_service_id, c.provider_deployment_id, c.next_heal_at,
            c.needs_attention
$$;
comment on function private.claim_health_check(uuid, timestamptz) is
  'Claims one container for an on-demand check (the health_check intent), due or not; nothing when a sweep holds it.';

-- ---------------------------------------------------------------------------------------------
-- wake-up: one pg_net call per sweep

create or replace function private.wake_health_sweep() returns boolean
  language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.containers where health_url is not null and status in ('running', 'crashed')) then
    return false;
  end if;
  return private.post_to_orchestrator('health_sweep');
end
$$;
comment on function private.wake_health_sweep() is
  'Run by pg_cron: wakes the hosting-orchestrator function for one health sweep with a single pg_net call (none when no container has a health URL).';

-- ---------------------------------------------------------------------------------------------
-- retention: roll up, then delete in small committed batches

create or replace function private.health_rollup_hour(hour_start timestamptz) returns integer
  language sql security definer set search_path = ''
as $$
  with inserted as (
    insert into public.health_check_rollups (container_id, hour, checks, failures, degraded, p50_ms, p95_ms, max_ms)
    select h.container_id, hour_start, count(*)::int,
           count(*) filter (where h.status = 'unhealthy')::int,
           count(*) filter (where h.status = 'degraded')::int,
           percentile_cont(0.5) within group (order by h.response_time),
           percentile_cont(0.95) within group (order by h.response_time),
           max(h.response_time)
      from public.health_checks h
     where h.checked_at >= hour_start and h.checked_at < hour_start + interval '1 hour'
     group by h.container_id
    on conflict (container_id, hour) do nothing
    returning 1)
  select count(*)::int from inserted
$$;
comment on function private.health_rollup_hour(timestamptz) is
  'Rolls up the raw checks of one hour into health_check_rollups (one row per container); an hour already rolled up is kept as it is.';

-- A procedure, so it can commit between batches: transaction control is not allowed with SECURITY
-- DEFINER or a SET clause, so it runs as its caller (pg_cron runs it as the job's owner) and names
-- every object with its schema instead.
create or replace procedure private.health_retention(at timestamptz default now())
  language plpgsql
as $$
declare
  s private.health_settings;
  cutoff timestamptz;
  next_hour timestamptz;
  batches integer := 0;
  deleted integer;
begin
  select * into s from private.health_settings where id = 1;
  cutoff := pg_catalog.date_trunc('hour', at - pg_catalog.make_interval(hours => s.raw_retention_hours));
  -- 1. roll up every whole hour older than the raw window, one committed hour at a time; the
  --    watermark moves with each hour, so a rerun never rolls an hour up twice
  next_hour := s.rolled_up_until;
  if next_hour is null then
    -- first run only: start at the oldest raw check
    select pg_catalog.date_trunc('hour', pg_catalog.min(h.checked_at)) into next_hour from public.health_checks h;
  end if;
  while next_hour is not null and next_hour < cutoff loop
    perform private.health_rollup_hour(next_hour);
    next_hour := next_hour + interval '1 hour';
    update private.health_settings set rolled_up_until = next_hour where id = 1;
    commit;
  end loop;
  select * into s from private.health_settings where id = 1;
  -- 2. delete raw checks below the watermark in small batches, committing after each
  while s.rolled_up_until is not null and batches < s.retention_max_batches loop
    delete from public.health_checks
     where ctid = any(array(select h.ctid from public.health_checks h
                             where h.checked_at < s.rolled_up_until limit s.retention_batch_size));
    get diagnostics deleted = row_count;
    batches := batches + 1;
    commit;
    exit when deleted < s.retention_batch_size;
  end loop;
  -- 3. roll-ups past their retention, in batches too
  loop
    delete from public.health_check_rollups
     where ctid = any(array(select r.ctid from public.health_check_rollups r
                             where r.hour < at - pg_catalog.make_interval(days => s.rollup_retention_days)
                             limit s.retention_batch_size));
    get diagnostics deleted = row_count;
    commit;
    exit when deleted < s.retention_batch_size;
  end loop;
end
$$;
comment on procedure private.health_retention(timestamptz) is
  'Run by pg_cron (call private.health_retention()): rolls raw health_checks older than raw_retention_hours up into hourly aggregates, deletes them in committed batches of retention_batch_size (at most retention_max_batches per run), and drops roll-ups older than rollup_retention_days. Idempotent.';

-- ---------------------------------------------------------------------------------------------
-- schedules (only in the database pg_cron lives in)

do $$
begin
  if current_database() = coalesce(current_setting('cron.database_name', true), 'postgres') then
    perform private.cron_schedule_every('health-sweep', 30, 'select private.wake_health_sweep()');
    perform private.cron_schedule_every('health-retention', 300, 'call private.health_retention()');
  end if;
end
$$;

-- only the database itself and the function (postgres / service role) call these
revoke execute on function private.claim_health_checks(integer, timestamptz), private.claim_health_check(uuid, timestamptz),
  private.wake_health_sweep(), private.health_rollup_hour(timestamptz) from public, anon, authenticated;
revoke execute on procedure private.health_retention(timestamptz) from public, anon, authenticated;
