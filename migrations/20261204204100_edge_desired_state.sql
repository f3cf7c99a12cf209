-- Edge desired state (issue 7): what each device should run, the device RPCs that read it and report
-- back (desired state, report, heartbeat), the nudge, and the job that marks silent devices offline.
--
-- Glossary
--   edge container  a public.containers row with target_type 'edge' and target_id = the device's id; its
--                   device-side spec (name, host port, limits, health path, env secret) is in
--                   private.edge_containers
--   generation      public.devices.desired_generation, bumped on every change of a device's desired state
--   nudge           realtime.send({generation}, 'desired_state_changed', 'device:<id>', true): a latency hint
--
-- Env values are secrets: kept in Vault (one secret per container, named edge_env:<container id>) and
-- delivered only in device_desired_state's answer to the device's own credential.

create or replace function private.is_host_address(candidate text) returns boolean
  language sql immutable set search_path = ''
as $$
  select candidate is not null and length(candidate) <= 253 and (
    candidate ~ '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'
    or candidate ~ '^[0-9A-Fa-f:.]+$' and candidate like '%:%'
  )
$$;
comment on function private.is_host_address(text) is 'True for a bare host name, IPv4 or IPv6 address (no port, path, brackets or credentials).';

create table private.edge_containers (
  container_id     uuid        primary key references public.containers (id) on delete cascade,
  device_id        uuid        not null references public.devices (id),
  name             text        not null,
  host_port        integer     not null,
  container_port   integer     not null,
  cpu              numeric     not null,
  memory_mb        integer     not null,
  restart_policy   text        not null default 'unless-stopped',
  health_path      text        not null default '/health',
  env_secret_id    uuid,
  spec_generation  bigint      not null,
  reported_state   text,
  reported_health  text,
  engine_id        text,
  engine_error     text,
  last_reported_at timestamptz,
  removed_at       timestamptz,
  constraint edge_containers_ports check (host_port between 1 and 65535 and container_port between 1 and 65535),
  constraint edge_containers_limits check (cpu > 0 and memory_mb >= 6),
  constraint edge_containers_restart_policy check (restart_policy in ('always', 'unless-stopped', 'on-failure', 'no'))
);
alter table private.edge_containers enable row level security;
comment on table private.edge_containers is
  'Device-side spec of each edge container (name, host port, limits, env secret) and what the device last reported about it.';
comment on column private.edge_containers.spec_generation is 'The device generation that introduced the current spec; older reports do not settle it.';

create unique index edge_containers_live_port on private.edge_containers (device_id, host_port) where removed_at is null;
create unique index edge_containers_live_name on private.edge_containers (device_id, name) where removed_at is null;
create index edge_containers_device on private.edge_containers (device_id) where removed_at is null;

-- ---------------------------------------------------------------------------------------------
-- the orchestrator's side

create or replace function private.nudge_device(device uuid) returns bigint
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  generation bigint;
begin
  update public.devices set desired_generation = desired_generation + 1 where id = device
  returning desired_generation into generation;
  if generation is null then
    raise exception 'no device %', device using errcode = 'P0002';
  end if;
  perform realtime.send(jsonb_build_object('generation', generation), 'desired_state_changed', 'device:' || device::text, true);
  return generation;
end
$$;
comment on function private.nudge_device(uuid) is
  'Bumps a device''s desired generation and broadcasts {generation} as desired_state_changed on device:<id>. Returns the new generation.';

create or replace function private.free_host_port(device uuid) returns integer
  language sql stable security definer set search_path = ''
as $$
  select p
    from private.edge_settings s, generate_series(s.host_port_min, s.host_port_max) p
   where not exists (
     select 1 from private.edge_containers e
      where e.device_id = device and e.host_port = p
        and (e.removed_at is null or e.removed_at > now() - make_interval(secs => s.host_port_quarantine_seconds)))
   order by p
   limit 1
$$;
comment on function private.free_host_port(uuid) is
  'The lowest host port of the configured range that no live container of the device uses (nor one removed within the quarantine), or null when the range is full.';

create or replace function private.edge_informs(owner text, intent text, payload jsonb, deployment uuid) returns void
  language sql volatile security definer set search_path = ''
as $$
  insert into public.messages (type, sender, "to", intent, payload, conversation_id)
  values ('inform', private.orchestrator_id(), array[owner], intent, payload,
          (select m.conversation_id from public.deployments d join public.messages m on m.id = d.request_message_id
            where d.id = deployment))
$$;
comment on function private.edge_informs(text, text, jsonb, uuid) is
  'Sends an unsolicited inform to a container''s owner, in the conversation of the deployment''s request when there is one.';

-- ---------------------------------------------------------------------------------------------
-- device API: desired state

create or replace function public.device_desired_state() returns jsonb
  language plpgsql stable security definer set search_path = ''
as $$
declare
  device uuid := private.require_device();
begin
  return jsonb_build_object(
    'device_id', device,
    'generation', (select d.desired_generation from public.devices d where d.id = device),
    'containers', coalesce((
      select jsonb_agg(jsonb_build_object(
               'container_id', e.container_id, 'name', e.name, 'image', c.image,
               'env', coalesce((select s.decrypted_secret::jsonb from vault.decrypted_secrets s where s.id = e.env_secret_id), '{}'::jsonb),
               'ports', jsonb_build_array(jsonb_build_object('container_port', e.container_port, 'host_port', e.host_port)),
               'cpu', e.cpu, 'memory_mb', e.memory_mb, 'restart_policy', e.restart_policy, 'health_path', e.health_path)
             order by e.name)
        from private.edge_containers e
        join public.containers c on c.id = e.container_id
       where e.device_id = device and e.removed_at is null and c.status not in ('removing', 'removed')), '[]'::jsonb));
end
$$;
comment on function public.device_desired_state() is
  'Device agent: the complete desired state of the calling device {device_id, generation, containers}, env values read from Vault.';

-- ---------------------------------------------------------------------------------------------
-- device API: liveness

create or replace function private.touch_device(device uuid, version text) returns bigint
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  was text;
  generation bigint;
begin
  select d.status into was from public.devices d where d.id = device for update;
  update public.devices d
     set last_heartbeat_at = now(), status = 'online', offline_since = null,
         agent_version = coalesce(version, d.agent_version)
   where d.id = device
  returning d.desired_generation into generation;
  if was = 'offline' then
    -- back: re-check its containers at the next sweep (their reports refresh them too)
    update public.containers c set last_health_check_at = null
     where c.target_type = 'edge' and c.target_id = device::text and c.status not in ('removing', 'removed');
  end if;
  return generation;
end
$$;
comment on function private.touch_device(uuid, text) is
  'Records that a device is alive (online again if it was offline, its containers then due for a health check); returns its desired generation.';

create or replace function public.device_heartbeat(agent_version text) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
begin
  if agent_version is null or length(agent_version) not between 1 and 64 then
    raise exception 'agent_version must be 1 to 64 characters' using errcode = '22023';
  end if;
  return jsonb_build_object('desired_generation', private.touch_device(private.require_device(), agent_version));
end
$$;
comment on function public.device_heartbeat(text) is
  'Device agent: a heartbeat. Keeps the device online and returns {desired_generation} so a missed nudge is noticed within one beat.';

-- ---------------------------------------------------------------------------------------------
-- device API: reports

create or replace function private.apply_container_report(device uuid, generation bigint, entry jsonb) returns void
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  spec private.edge_containers;
  c public.containers;
  state text := entry ->> 'state';
  reported_error text := left(entry ->> 'engine_error', 2000);
  new_status text;
  open_deployment uuid;
begin
  select * into spec from private.edge_containers e
   where e.container_id = (entry ->> 'container_id')::uuid and e.device_id = device for update;
  if spec.container_id is null then
    return; -- not ours (or not this device's): ignored
  end if;
  update private.edge_containers e
     set reported_state = state, reported_health = entry ->> 'health', engine_id = entry ->> 'engine_id',
         engine_error = reported_error, last_reported_at = now()
   where e.container_id = spec.container_id;
  select * into c from public.containers where id = spec.container_id for update;
  if c.status in ('removing', 'removed') or state = 'removed' or spec.removed_at is not null then
    return;
  end if;
  update public.containers
     set cpu_usage = (entry ->> 'cpu_percent')::real / 100, memory_usage = (entry ->> 'memory_mb')::real / 1024,
         usage_updated_at = now()
   where id = c.id and (entry ->> 'memory_mb') is not null;
  if generation is null or generation < spec.spec_generation then
    return; -- about an older spec: its state says nothing about the current deployment
  end if;
  new_status := case state when 'creating' then 'deploying' when 'running' then 'running'
                           when 'restarting' then 'crashed' when 'exited' then 'stopped' when 'failed' then 'failed' end;
  if new_status is null then
    raise exception 'unknown container state "%"', state using errcode = '22023';
  end if;
  update public.containers
     set status = new_status,
         health = case when new_status = 'running' then health else false end,
         health_state = case when new_status in ('running', 'crashed') then health_state else 'unknown' end
   where id = c.id and status <> new_status;

  select d.id into open_deployment from public.deployments d
   where d.container_id = c.id and d.provider = 'edge' and d.status = 'deploying' and d.kind <> 'undeploy'
   order by d.created_at desc limit 1 for update;
  if new_status = 'running' and open_deployment is not null then
    update public.deployments set status = 'succeeded', finished_at = now() where id = open_deployment;
    perform private.edge_informs(c.owner_agent_id, 'deployment_status_changed', jsonb_build_object(
      'deployment_id', open_deployment, 'container_id', c.id, 'device_id', device, 'status', 'running',
      'address', c.address, 'health_url', c.health_url), open_deployment);
  elsif new_status = 'failed' and (open_deployment is not null or c.status <> 'failed') then
    update public.deployments set status = 'failed', error = reported_error, finished_at = now()
     where id = open_deployment;
    perform private.edge_informs(c.owner_agent_id, 'deployment_status_changed', jsonb_build_object(
      'deployment_id', open_deployment, 'container_id', c.id, 'device_id', device, 'status', 'failed',
      'address', c.address, 'health_url', c.health_url,
      'error', jsonb_build_object('code', 'engine_error', 'message', coalesce(reported_error, 'the device could not start the container'))),
      open_deployment);
  end if;
end
$$;
comment on function private.apply_container_report(uuid, bigint, jsonb) is
  'Applies one container entry of a device report: status and usage on the container; the open deployment settles (running or failed, with the engine''s error) and the owner is informed once.';

create or replace function public.device_report(report jsonb) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  device uuid := private.require_device();
  generation bigint;
  entry jsonb;
begin
  if jsonb_typeof(report) is distinct from 'object' or jsonb_typeof(report -> 'containers') is distinct from 'array'
     or jsonb_typeof(report -> 'device') is distinct from 'object' then
    raise exception 'a report is an object with containers (array) and device (object)' using errcode = '22023';
  end if;
  if jsonb_array_length(report -> 'containers') > 1000 then
    raise exception 'a report may list at most 1000 containers' using errcode = '22023';
  end if;
  -- The address becomes part of health-check URLs: a bare host name or IP, nothing else (no port,
  -- path or credentials a device could use to aim checks elsewhere).
  if report -> 'device' ? 'address' and not private.is_host_address(report -> 'device' ->> 'address') then
    raise exception 'device.address must be a host name or an IP address, got %', left(report -> 'device' ->> 'address', 80)
      using errcode = '22023';
  end if;
  generation := (report ->> 'generation')::bigint;
  perform private.touch_device(device, left(report ->> 'agent_version', 64));
  update public.devices d
     set address = coalesce(left(report -> 'device' ->> 'address', 255), d.address),
         architecture = coalesce(d.architecture, private.edge_architecture(report -> 'device' ->> 'architecture')),
         reported_cpu_count = (report -> 'device' ->> 'cpu_count')::integer,
         reported_memory_mb = (report -> 'device' ->> 'memory_mb')::integer,
         reported_generation = coalesce(generation, d.reported_generation),
         last_report_at = now()
   where d.id = device;
  for entry in select value from jsonb_array_elements(report -> 'containers') loop
    perform private.apply_container_report(device, generation, entry);
  end loop;
  return jsonb_build_object('ok', true);
end
$$;
comment on function public.device_report(jsonb) is
  'Device agent: a report of what runs. Counts as a heartbeat; updates the device (address, resources, applied generation) and each of its containers.';

-- ---------------------------------------------------------------------------------------------
-- offline devices

create or replace function private.mark_offline_devices(at timestamptz default now()) returns integer
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  s private.edge_settings;
  gone uuid[];
  affected record;
begin
  select * into s from private.edge_settings;
  with silent as (
    update public.devices d set status = 'offline', offline_since = at
     where d.status = 'online'
       and d.last_heartbeat_at < at - make_interval(secs => s.heartbeat_interval_seconds * s.missed_heartbeats)
    returning d.id)
  select coalesce(array_agg(id), '{}') into gone from silent;
  for affected in
    with before as (
      select c.id, c.health_state as old_state from public.containers c
       where c.target_type = 'edge' and c.target_id = any (select g::text from unnest(gone) g)
         and c.status not in ('removing', 'removed')
       for update)
    update public.containers c set health = false, health_state = 'unknown', healthy_since = null, uptime = 0
      from before where c.id = before.id
    returning c.id, c.agent_id, c.customer_id, c.owner_agent_id, c.target_id, before.old_state
  loop
    perform private.edge_informs(affected.owner_agent_id, 'health_changed', jsonb_build_object(
      'container_id', affected.id, 'agent_id', affected.agent_id, 'customer_id', affected.customer_id,
      'old', affected.old_state, 'new', 'unknown', 'reason', 'device_offline', 'device_id', affected.target_id,
      'last_error', 'the device missed ' || s.missed_heartbeats || ' heartbeats', 'checked_at', at), null);
  end loop;
  return cardinality(gone);
end
$$;
comment on function private.mark_offline_devices(timestamptz) is
  'Run by pg_cron: marks offline every online device whose last heartbeat is more than missed_heartbeats × heartbeat_interval_seconds before `at`; its containers'' health becomes unknown and each owner gets a health_changed inform (reason device_offline). Returns how many devices went offline.';

create or replace function private.purge_device_credentials(at timestamptz default now()) returns integer
  language sql volatile security definer set search_path = ''
as $$
  with gone as (
    delete from private.device_credentials where expires_at < at - interval '1 day' returning 1
  )
  select count(*)::int from gone
$$;
comment on function private.purge_device_credentials(timestamptz) is
  'Run by pg_cron: deletes device credentials that expired more than a day ago (a renewal adds one per device every half lifetime). Returns how many.';

do $$
begin
  if current_database() = coalesce(current_setting('cron.database_name', true), 'postgres') then
    perform private.cron_schedule_every('edge-offline-devices', 10, 'select private.mark_offline_devices()');
    perform private.cron_schedule_every('edge-purge-credentials', 3600, 'select private.purge_device_credentials()');
  end if;
end
$$;

revoke execute on all functions in schema private from public, anon, authenticated;
grant execute on function private.is_agent_id(text), private.orchestrator_id(), private.current_agent_id(),
  private.is_operator(), private.device_id_from_jwt() to anon, authenticated, service_role;

revoke execute on function public.device_desired_state(), public.device_heartbeat(text), public.device_report(jsonb) from public, anon;
grant execute on function public.device_desired_state(), public.device_heartbeat(text), public.device_report(jsonb)
  to authenticated, service_role;
