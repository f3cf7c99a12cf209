-- Containers (one deployed copy of an agent for a customer), their health history and the history
-- of every deployment. The seed's columns of containers and health_checks are kept with their names
-- and types; the rest are additions.

create table public.containers (
  id                      uuid        primary key default gen_random_uuid(),
  agent_id                text        not null,
  customer_id             text        not null,
  target_type             text        not null,
  target_id               text,
  address                 text,
  health_url              text,
  status                  text        not null default 'deploying',
  health                  boolean     not null default false,
  load                    real        not null default 0,
  cpu_usage               real,
  memory_usage            real,
  disk_usage              real,
  uptime                  integer     not null default 0,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  -- additions
  owner_agent_id          text        not null,
  image                   text        not null,
  resources               jsonb       not null default '{}'::jsonb,
  replicas                integer     not null default 1,
  region                  text,
  health_state            text        not null default 'unknown',
  healthy_since           timestamptz,
  last_health_check_at    timestamptz,
  usage_updated_at        timestamptz,
  provider_service_id     text,
  provider_environment_id text,
  provider_deployment_id  text,
  removed_at              timestamptz,
  constraint containers_target_type_known check (target_type in ('railway', 'edge')),
  constraint containers_status_known check (status in ('deploying', 'running', 'failed', 'crashed', 'stopped', 'removing', 'removed')),
  constraint containers_health_state_known check (health_state in ('unknown', 'healthy', 'degraded', 'unhealthy')),
  constraint containers_replicas_range check (replicas between 1 and 50)
);
comment on table public.containers is 'One deployed copy of an agent for a customer, on Railway or an edge device.';
comment on column public.containers.health is 'True while the last health check passed (healthy or degraded).';
comment on column public.containers.uptime is 'Seconds since the container last became healthy.';
comment on column public.containers.owner_agent_id is 'The agent that requested the deployment; it receives the informs.';

create unique index containers_live_per_agent_customer on public.containers (agent_id, customer_id) where status <> 'removed';
create index containers_owner on public.containers (owner_agent_id);
create index containers_target on public.containers (target_type, target_id);

alter table public.containers enable row level security;
revoke insert, update, delete on public.containers from anon, authenticated;
grant select on public.containers to authenticated;

create policy "agents read the containers they own" on public.containers
  for select to authenticated
  using (owner_agent_id = (select private.current_agent_id()));
create policy "operators read every container" on public.containers
  for select to authenticated
  using ((select private.is_operator()));

create table public.health_checks (
  id            uuid        primary key default gen_random_uuid(),
  container_id  uuid        not null references public.containers (id) on delete cascade,
  status        text        not null,
  response_time integer,
  load          real,
  error_message text,
  checked_at    timestamptz not null default now(),
  constraint health_checks_status_known check (status in ('healthy', 'degraded', 'unhealthy', 'unknown'))
);
comment on table public.health_checks is 'One row per health check of a container (raw history, kept for a bounded window).';
comment on column public.health_checks.response_time is 'Milliseconds until the health endpoint answered.';

create index health_checks_container_time on public.health_checks (container_id, checked_at desc);
create index health_checks_time on public.health_checks using brin (checked_at);

alter table public.health_checks enable row level security;
revoke insert, update, delete on public.health_checks from anon, authenticated;
grant select on public.health_checks to authenticated;

create policy "agents read health checks of their containers" on public.health_checks
  for select to authenticated
  using (exists (select 1 from public.containers c
                  where c.id = container_id and c.owner_agent_id = (select private.current_agent_id())));
create policy "operators read every health check" on public.health_checks
  for select to authenticated
  using ((select private.is_operator()));

create table public.deployments (
  id                     uuid        primary key default gen_random_uuid(),
  container_id           uuid        not null references public.containers (id) on delete cascade,
  kind                   text        not null,
  image                  text        not null,
  env_keys               text[]      not null default '{}',
  resources              jsonb       not null default '{}'::jsonb,
  provider               text        not null,
  provider_deployment_id text,
  status                 text        not null default 'deploying',
  error                  text,
  requested_by           text        not null,
  request_message_id     uuid        references public.messages (id) on delete set null,
  created_at             timestamptz not null default now(),
  finished_at            timestamptz,
  constraint deployments_kind_known check (kind in ('deploy', 'redeploy', 'rollback', 'restart', 'heal', 'undeploy', 'scale')),
  constraint deployments_status_known check (status in ('deploying', 'succeeded', 'failed', 'removed')),
  constraint deployments_provider_known check (provider in ('railway', 'edge'))
);
comment on table public.deployments is 'History of every deploy, redeploy, rollback, restart and heal, with provider ids and outcome. Env values are never stored: only their names.';

create index deployments_container_time on public.deployments (container_id, created_at desc);
create index deployments_open on public.deployments (created_at) where status = 'deploying';
create unique index deployments_one_per_request on public.deployments (request_message_id) where request_message_id is not null;

alter table public.deployments enable row level security;
revoke insert, update, delete on public.deployments from anon, authenticated;
grant select on public.deployments to authenticated;

create policy "agents read deployments of their containers" on public.deployments
  for select to authenticated
  using (exists (select 1 from public.containers c
                  where c.id = container_id and c.owner_agent_id = (select private.current_agent_id())));
create policy "operators read every deployment" on public.deployments
  for select to authenticated
  using ((select private.is_operator()));

create or replace function private.tg_touch_updated_at() returns trigger
  language plpgsql set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.tg_touch_updated_at() is 'Keeps updated_at current on every update.';

create trigger "10_touch_updated_at" before update on public.containers
  for each row execute function private.tg_touch_updated_at();
