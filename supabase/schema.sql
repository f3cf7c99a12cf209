CREATE SCHEMA private;

COMMENT ON SCHEMA private IS 'Internal tables and functions of the orchestrator; not exposed over the API.';

CREATE SCHEMA public;

COMMENT ON SCHEMA public IS 'standard public schema';

CREATE TYPE private.health_claim AS (
	id uuid,
	agent_id text,
	customer_id text,
	owner_agent_id text,
	target_type text,
	health_url text,
	image text,
	resources jsonb,
	health_state text,
	healthy_since timestamp with time zone,
	health_consecutive_failures integer,
	health_failure_threshold integer,
	health_degraded_after_ms integer,
	provider_service_id text,
	provider_deployment_id text,
	next_heal_at timestamp with time zone,
	needs_attention boolean
);

COMMENT ON TYPE private.health_claim IS 'What the sweep needs of a claimed container.';

CREATE FUNCTION private.apply_container_report(device uuid, generation bigint, entry jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.apply_container_report(device uuid, generation bigint, entry jsonb) IS 'Applies one container entry of a device report: status and usage on the container; the open deployment settles (running or failed, with the engine''s error) and the owner is informed once.';

CREATE FUNCTION private.base64url(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$ select translate(encode(data, 'base64'), E'+/=\n', '-_') $$;

COMMENT ON FUNCTION private.base64url(data bytea) IS 'Unpadded base64url (RFC 4648 §5) of bytes, as JWTs use it.';

CREATE FUNCTION private.begin_drain() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$ update private.dispatcher_state set wake_pending = false where id = 1 $$;

COMMENT ON FUNCTION private.begin_drain() IS 'Called by the function before it claims: a request inserted from now on wakes it again.';

CREATE FUNCTION private.claim_health_check(container_id uuid, at timestamp with time zone DEFAULT now()) RETURNS SETOF private.health_claim
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.claim_health_check(container_id uuid, at timestamp with time zone) IS 'Claims one container for an on-demand check (the health_check intent), due or not; nothing when a sweep holds it.';

CREATE FUNCTION private.claim_health_checks(batch_size integer, at timestamp with time zone DEFAULT now()) RETURNS SETOF private.health_claim
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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
        and not (q.target_type = 'edge' and not exists (
              select 1 from public.devices d where d.id::text = q.target_id and d.status = 'online'))
      order by q.last_health_check_at nulls first
      limit batch_size
      for update skip locked)
  returning c.id, c.agent_id, c.customer_id, c.owner_agent_id, c.target_type, c.health_url, c.image, c.resources,
            c.health_state, c.healthy_since, c.health_consecutive_failures, c.health_failure_threshold,
            c.health_degraded_after_ms, c.provider_service_id, c.provider_deployment_id, c.next_heal_at,
            c.needs_attention
$$;

COMMENT ON FUNCTION private.claim_health_checks(batch_size integer, at timestamp with time zone) IS 'Claims (leases) up to batch_size containers due for a health check at `at`, oldest check first, skipping edge containers whose device is not online; concurrent sweeps never claim one twice, and a lease that is not released expires after lease_seconds.';

CREATE TABLE public.messages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    type text NOT NULL,
    sender text NOT NULL,
    "to" text[] NOT NULL,
    intent text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    conversation_id uuid NOT NULL,
    in_reply_to uuid,
    idempotency_key text,
    status text DEFAULT 'delivered'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone,
    dispatched_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    processed_at timestamp with time zone,
    CONSTRAINT messages_idempotency_key_length CHECK (((idempotency_key IS NULL) OR ((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200)))),
    CONSTRAINT messages_payload_size CHECK ((pg_column_size(payload) <= 1048576)),
    CONSTRAINT messages_status_known CHECK ((status = ANY (ARRAY['queued'::text, 'dispatched'::text, 'done'::text, 'failed'::text, 'delivered'::text]))),
    CONSTRAINT messages_type_known CHECK ((type = ANY (ARRAY['request'::text, 'inform'::text, 'failure'::text, 'refuse'::text, 'not_understood'::text, 'agree'::text, 'cancel'::text])))
);

COMMENT ON TABLE public.messages IS 'The agents'' message bus. Insert a request addressed to agent.agentify.hosting-orchestrator to ask it for work; its reply arrives as a row here and on the Realtime channel agent:<your id>.';

CREATE FUNCTION private.claim_requests(batch_size integer DEFAULT 50) RETURNS SETOF public.messages
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  update public.messages m
     set status = 'dispatched', attempts = m.attempts + 1, dispatched_at = now()
   where m.id in (
     select q.id from public.messages q
      where q.status = 'queued' and (q.next_attempt_at is null or q.next_attempt_at <= now())
      order by q.created_at
      limit batch_size
      for update skip locked)
  returning m.*
$$;

COMMENT ON FUNCTION private.claim_requests(batch_size integer) IS 'Claims up to batch_size queued requests (oldest first) for processing; concurrent drains never claim one twice.';

CREATE FUNCTION private.complete_request(request_id uuid, reply_type text, reply_intent text, reply_payload jsonb, error_text text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  request public.messages;
  reply_id uuid;
begin
  select * into request from public.messages where id = request_id for update;
  if request.id is null then
    raise exception 'no request %', request_id using errcode = 'P0002';
  end if;
  insert into public.messages (type, sender, "to", intent, payload, conversation_id, in_reply_to)
  values (reply_type, private.orchestrator_id(), array[request.sender], reply_intent, reply_payload,
          request.conversation_id, request.id)
  on conflict (in_reply_to) where sender = 'agent.agentify.hosting-orchestrator' and in_reply_to is not null
  do nothing
  returning id into reply_id;
  if reply_id is null then
    return null; -- answered before: the request keeps the state of its one reply
  end if;
  update public.messages
     set status = case when reply_type = 'inform' then 'done' else 'failed' end,
         processed_at = coalesce(processed_at, now()),
         payload = private.redact_payload(payload),
         last_error = error_text
   where id = request_id;
  return reply_id;
end
$$;

COMMENT ON FUNCTION private.complete_request(request_id uuid, reply_type text, reply_intent text, reply_payload jsonb, error_text text) IS 'Writes the one reply to a request (a second call writes nothing), marks the request done or failed and redacts its secrets. Returns the reply id, or null when it had been answered already.';

CREATE FUNCTION private.cron_schedule_every(job_name text, every_seconds integer, command text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.cron_schedule_every(job_name text, every_seconds integer, command text) IS 'Schedules (or reschedules) a named pg_cron job every N seconds, rounded up to whole minutes where pg_cron has no second schedules.';

CREATE FUNCTION private.cron_supports_seconds() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select coalesce((select string_to_array(split_part(extversion, '-', 1), '.')::int[] >= array[1, 5]
                     from pg_catalog.pg_extension where extname = 'pg_cron'), false)
$$;

COMMENT ON FUNCTION private.cron_supports_seconds() IS 'True when the installed pg_cron accepts ''N seconds'' schedules (1.5 and later; hosted Supabase runs 1.6).';

CREATE FUNCTION private.current_agent_id() RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$ select nullif(auth.jwt() ->> 'agent_id', '') $$;

COMMENT ON FUNCTION private.current_agent_id() IS 'The agent id claim of the caller''s JWT, or null.';

CREATE FUNCTION private.device_id_from_jwt() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select c.device_id
    from private.device_credentials c
    join public.devices d on d.id = c.device_id
   where c.jti::text = auth.jwt() ->> 'jti'
     and c.device_id::text = auth.jwt() ->> 'device_id'
     and c.revoked_at is null
     and c.expires_at > now()
     and d.status <> 'revoked'
$$;

COMMENT ON FUNCTION private.device_id_from_jwt() IS 'The device of the caller''s credential: its jti issued to that device, unexpired, unrevoked, the device not revoked. Null otherwise.';

CREATE FUNCTION private.edge_architecture(arch text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select case lower(nullif(trim(arch), ''))
    when 'arm64' then 'aarch64' when 'aarch64' then 'aarch64'
    when 'amd64' then 'x86_64' when 'x86_64' then 'x86_64' when 'x86-64' then 'x86_64'
    when 'armhf' then 'armv7l' when 'arm' then 'armv7l'
    else lower(nullif(trim(arch), '')) end
$$;

COMMENT ON FUNCTION private.edge_architecture(arch text) IS 'Canonical architecture name: arm64 → aarch64, amd64 → x86_64, armhf → armv7l.';

CREATE FUNCTION private.edge_informs(owner text, intent text, payload jsonb, deployment uuid) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into public.messages (type, sender, "to", intent, payload, conversation_id)
  values ('inform', private.orchestrator_id(), array[owner], intent, payload,
          (select m.conversation_id from public.deployments d join public.messages m on m.id = d.request_message_id
            where d.id = deployment))
$$;

COMMENT ON FUNCTION private.edge_informs(owner text, intent text, payload jsonb, deployment uuid) IS 'Sends an unsolicited inform to a container''s owner, in the conversation of the deployment''s request when there is one.';

CREATE FUNCTION private.free_host_port(device uuid) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select p
    from private.edge_settings s, generate_series(s.host_port_min, s.host_port_max) p
   where not exists (
     select 1 from private.edge_containers e
      where e.device_id = device and e.host_port = p
        and (e.removed_at is null or e.removed_at > now() - make_interval(secs => s.host_port_quarantine_seconds)))
   order by p
   limit 1
$$;

COMMENT ON FUNCTION private.free_host_port(device uuid) IS 'The lowest host port of the configured range that no live container of the device uses (nor one removed within the quarantine), or null when the range is full.';

CREATE PROCEDURE private.health_retention(IN at timestamp with time zone DEFAULT now())
    LANGUAGE plpgsql
    AS $$
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

COMMENT ON PROCEDURE private.health_retention(IN at timestamp with time zone) IS 'Run by pg_cron (call private.health_retention()): rolls raw health_checks older than raw_retention_hours up into hourly aggregates, deletes them in committed batches of retention_batch_size (at most retention_max_batches per run), and drops roll-ups older than rollup_retention_days. Idempotent.';

CREATE FUNCTION private.health_rollup_hour(hour_start timestamp with time zone) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.health_rollup_hour(hour_start timestamp with time zone) IS 'Rolls up the raw checks of one hour into health_check_rollups (one row per container); an hour already rolled up is kept as it is.';

CREATE FUNCTION private.is_agent_id(candidate text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$ select candidate ~ '^agent(\.[a-z0-9][a-z0-9_-]*)+$' and length(candidate) <= 200 $_$;

COMMENT ON FUNCTION private.is_agent_id(candidate text) IS 'True for an agent id: lowercase, dot-separated segments, starting with "agent." (e.g. agent.marketplace.orchestrator).';

CREATE FUNCTION private.is_device_admin() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select coalesce((auth.jwt() ->> 'device_admin')::boolean, false)
      or coalesce(auth.jwt() ->> 'role', '') = 'service_role'
      or (auth.jwt() is null and session_user not in ('authenticator', 'anon', 'authenticated'))
$$;

COMMENT ON FUNCTION private.is_device_admin() IS 'True for who may create, enroll and revoke devices: a JWT with device_admin: true, the service role, or a privileged database session without API claims (psql). The operator claim alone (the read-only dashboard) is not enough.';

CREATE FUNCTION private.is_host_address(candidate text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
  select candidate is not null and length(candidate) <= 253 and (
    candidate ~ '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'
    or candidate ~ '^[0-9A-Fa-f:.]+$' and candidate like '%:%'
  )
$_$;

COMMENT ON FUNCTION private.is_host_address(candidate text) IS 'True for a bare host name, IPv4 or IPv6 address (no port, path, brackets or credentials).';

CREATE FUNCTION private.is_operator() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$ select coalesce((auth.jwt() ->> 'operator')::boolean, false) $$;

COMMENT ON FUNCTION private.is_operator() IS 'True when the caller''s JWT carries the operator claim (the dashboard).';

CREATE FUNCTION private.issue_device_credential(device uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  jti uuid := gen_random_uuid();
  issued timestamptz := date_trunc('second', now());
  expires timestamptz;
begin
  select issued + make_interval(secs => s.credential_ttl_seconds) into expires from private.edge_settings s;
  insert into private.device_credentials (jti, device_id, issued_at, expires_at) values (jti, device, issued, expires);
  return jsonb_build_object(
    'device_id', device,
    'token', private.sign_jwt(jsonb_build_object(
      'role', 'authenticated', 'device_id', device, 'jti', jti,
      'iat', extract(epoch from issued)::bigint, 'exp', extract(epoch from expires)::bigint)),
    'expires_at', to_char(expires at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
end
$$;

COMMENT ON FUNCTION private.issue_device_credential(device uuid) IS 'Records a new credential (jti) for a device and returns {device_id, token, expires_at}.';

CREATE FUNCTION private.mark_offline_devices(at timestamp with time zone DEFAULT now()) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.mark_offline_devices(at timestamp with time zone) IS 'Run by pg_cron: marks offline every online device whose last heartbeat is more than missed_heartbeats × heartbeat_interval_seconds before `at`; its containers'' health becomes unknown and each owner gets a health_changed inform (reason device_offline). Returns how many devices went offline.';

CREATE FUNCTION private.new_enrollment_token(device uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  token text := 'enr_' || encode(extensions.gen_random_bytes(32), 'hex');
begin
  insert into private.device_enrollments (token_hash, device_id, expires_at)
  select extensions.digest(token, 'sha256'), device, now() + make_interval(secs => s.enrollment_ttl_seconds)
    from private.edge_settings s;
  return token;
end
$$;

COMMENT ON FUNCTION private.new_enrollment_token(device uuid) IS 'Creates a one-time enrollment token for a device; only its hash is kept.';

CREATE FUNCTION private.nudge_device(device uuid) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.nudge_device(device uuid) IS 'Bumps a device''s desired generation and broadcasts {generation} as desired_state_changed on device:<id>. Returns the new generation.';

CREATE FUNCTION private.orchestrator_id() RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$ select 'agent.agentify.hosting-orchestrator'::text $$;

COMMENT ON FUNCTION private.orchestrator_id() IS 'The agent id of the Hosting Orchestrator.';

CREATE FUNCTION private.post_to_orchestrator(task text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  fn_url text;
  fn_key text;
begin
  select decrypted_secret into fn_url from vault.decrypted_secrets where name = 'hosting_orchestrator_url';
  select decrypted_secret into fn_key from vault.decrypted_secrets where name = 'hosting_orchestrator_key';
  if fn_url is null or fn_key is null then
    raise warning 'hosting-orchestrator: Vault secrets hosting_orchestrator_url and hosting_orchestrator_key are not set; % waits', task;
    return false;
  end if;
  perform net.http_post(
    url := fn_url,
    body := jsonb_build_object('task', task),
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || fn_key),
    timeout_milliseconds := 10000
  );
  return true;
end
$$;

COMMENT ON FUNCTION private.post_to_orchestrator(task text) IS 'Queues one pg_net call of the hosting-orchestrator function with {"task": task}, using the URL and key from Vault. False when they are not set.';

CREATE FUNCTION private.purge_device_credentials(at timestamp with time zone DEFAULT now()) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with gone as (
    delete from private.device_credentials where expires_at < at - interval '1 day' returning 1
  )
  select count(*)::int from gone
$$;

COMMENT ON FUNCTION private.purge_device_credentials(at timestamp with time zone) IS 'Run by pg_cron: deletes device credentials that expired more than a day ago (a renewal adds one per device every half lifetime). Returns how many.';

CREATE FUNCTION private.redact_payload(payload jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select case
    when jsonb_typeof(payload -> 'env') = 'object' then
      jsonb_set(payload, '{env}', coalesce((select jsonb_object_agg(key, '[redacted]') from jsonb_object_keys(payload -> 'env') as key), '{}'::jsonb))
    when payload ? 'env' then jsonb_set(payload, '{env}', '"[redacted]"')
    else payload
  end
$$;

COMMENT ON FUNCTION private.redact_payload(payload jsonb) IS 'A request payload with every env value replaced by "[redacted]" (keys kept).';

CREATE FUNCTION private.release_request(request_id uuid, error_text text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  s private.dispatch_settings;
  request public.messages;
begin
  select * into s from private.dispatch_settings;
  select * into request from public.messages where id = request_id for update;
  if request.status <> 'dispatched' then
    return;
  end if;
  if request.attempts >= s.max_attempts then
    perform private.complete_request(request_id, 'failure', request.intent || '_failed',
      jsonb_build_object('error', jsonb_build_object('code', 'dispatch_failed',
        'message', format('the request could not be processed after %s attempts', request.attempts),
        'details', jsonb_build_object('last_error', error_text))),
      error_text);
  else
    update public.messages
       set status = 'queued', last_error = error_text,
           next_attempt_at = now() + make_interval(secs => least(s.backoff_max_seconds, s.backoff_base_seconds * power(2, request.attempts - 1)))
     where id = request_id;
  end if;
end
$$;

COMMENT ON FUNCTION private.release_request(request_id uuid, error_text text) IS 'Gives back a claimed request that could not be processed: queued again with backoff, or answered dispatch_failed after the last attempt.';

CREATE FUNCTION private.require_device() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  device uuid := private.device_id_from_jwt();
begin
  if device is null then
    raise exception 'device credential refused' using errcode = '28000',
      hint = 'The credential is unknown, expired or revoked; enroll again with a new enrollment token.';
  end if;
  return device;
end
$$;

COMMENT ON FUNCTION private.require_device() IS 'The calling device, or SQLSTATE 28000 (PostgREST: 403) when its credential is not valid.';

CREATE FUNCTION private.require_device_admin() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
begin
  if not private.is_device_admin() then
    raise exception 'only device administrators manage devices' using errcode = '42501',
      hint = 'Use a JWT with device_admin: true, the service-role key, or psql.';
  end if;
end
$$;

COMMENT ON FUNCTION private.require_device_admin() IS 'Raises SQLSTATE 42501 unless the caller may manage devices (private.is_device_admin).';

CREATE FUNCTION private.scheduler_beat(job_name text) RETURNS void
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  insert into private.scheduler_heartbeats as h (job_name, beats, last_beat_at)
  values (job_name, 1, now())
  on conflict (job_name) do update set beats = h.beats + 1, last_beat_at = now();
$$;

COMMENT ON FUNCTION private.scheduler_beat(job_name text) IS 'Records one run of a heartbeat job.';

CREATE FUNCTION private.sign_jwt(claims jsonb) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  secret text;
  signing_input text;
begin
  select decrypted_secret into secret from vault.decrypted_secrets where name = 'project_jwt_secret';
  if secret is null then
    raise exception 'Vault secret project_jwt_secret is not set'
      using errcode = '55000', hint = 'Store the project''s JWT secret once: select vault.create_secret(''<jwt secret>'', ''project_jwt_secret'');';
  end if;
  signing_input := private.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'))
    || '.' || private.base64url(convert_to(claims::text, 'UTF8'));
  return signing_input || '.' || private.base64url(extensions.hmac(convert_to(signing_input, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'));
end
$$;

COMMENT ON FUNCTION private.sign_jwt(claims jsonb) IS 'Signs claims as an HS256 JWT with the project''s JWT secret (Vault: project_jwt_secret).';

CREATE FUNCTION private.sweep_messages() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  s private.dispatch_settings;
  stuck record;
  released integer := 0;
  waiting integer;
  woke boolean := false;
begin
  select * into s from private.dispatch_settings;
  for stuck in
    select id from public.messages
     where status = 'dispatched' and dispatched_at < now() - make_interval(secs => s.deadline_seconds)
     order by dispatched_at
     limit 1000
     for update skip locked
  loop
    perform private.release_request(stuck.id, 'no reply within the dispatch deadline');
    released := released + 1;
  end loop;
  select count(*) into waiting from public.messages
   where status = 'queued' and coalesce(next_attempt_at, created_at) <= now() - make_interval(secs => s.rewake_after_seconds);
  if waiting > 0 or released > 0 then
    woke := private.wake_dispatcher(true);
  end if;
  return jsonb_build_object('released', released, 'waiting', waiting, 'woke', woke);
end
$$;

COMMENT ON FUNCTION private.sweep_messages() IS 'Run by pg_cron: re-queues or fails requests a dead drain left dispatched, and re-wakes the function for requests that wait too long.';

CREATE FUNCTION private.tg_messages__broadcast() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  recipient text;
  envelope jsonb;
begin
  envelope := jsonb_build_object(
    'id', new.id, 'type', new.type, 'sender', new.sender, 'to', to_jsonb(new."to"), 'intent', new.intent,
    'payload', new.payload, 'conversation_id', new.conversation_id, 'in_reply_to', new.in_reply_to,
    'created_at', new.created_at);
  foreach recipient in array new."to" loop
    if recipient <> private.orchestrator_id() then
      perform realtime.send(envelope, new.intent, 'agent:' || recipient, true);
    end if;
  end loop;
  return null;
end
$$;

COMMENT ON FUNCTION private.tg_messages__broadcast() IS 'Broadcasts each new message to the private Realtime topic of every recipient (the orchestrator aside).';

CREATE FUNCTION private.tg_messages__conversation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  parent_conversation uuid;
begin
  if new.in_reply_to is not null then
    select m.conversation_id into parent_conversation from public.messages m where m.id = new.in_reply_to;
  end if;
  new.conversation_id := coalesce(parent_conversation, new.conversation_id, new.id);
  return new;
end
$$;

COMMENT ON FUNCTION private.tg_messages__conversation() IS 'A reply joins the conversation of the message it answers; a message without one starts its own (its id).';

CREATE FUNCTION private.tg_messages__dedupe() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if new.idempotency_key is not null and exists (
    select 1 from public.messages m where m.sender = new.sender and m.idempotency_key = new.idempotency_key
  ) then
    return null;
  end if;
  return new;
end
$$;

COMMENT ON FUNCTION private.tg_messages__dedupe() IS 'Drops a re-sent message whose (sender, idempotency_key) was already received.';

CREATE FUNCTION private.tg_messages__dispatch() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if exists (select 1 from inserted where status = 'queued') then
    perform private.wake_dispatcher(false);
  end if;
  return null;
end
$$;

COMMENT ON FUNCTION private.tg_messages__dispatch() IS 'After an insert of requests to the orchestrator, wakes the dispatcher (once per statement).';

CREATE FUNCTION private.tg_messages__validate() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  recipient text;
begin
  if not private.is_agent_id(new.sender) then
    raise exception 'invalid sender "%"', new.sender
      using errcode = '23514', hint = 'Agent ids are lowercase and dot-separated and start with "agent.", e.g. agent.marketplace.orchestrator.';
  end if;
  if cardinality(new."to") is null or cardinality(new."to") = 0 then
    raise exception 'a message needs at least one recipient in "to"' using errcode = '23514';
  end if;
  if cardinality(new."to") > 100 then
    raise exception 'a message may have at most 100 recipients, got %', cardinality(new."to") using errcode = '23514';
  end if;
  foreach recipient in array new."to" loop
    if recipient is null or not private.is_agent_id(recipient) then
      raise exception 'invalid recipient "%"', recipient
        using errcode = '23514', hint = 'Agent ids are lowercase and dot-separated and start with "agent.".';
    end if;
  end loop;
  if new.intent !~ '^[a-z][a-z0-9_]{0,99}$' then
    raise exception 'invalid intent "%"', new.intent using errcode = '23514', hint = 'Intents are snake_case, e.g. deploy_to_railway.';
  end if;
  if jsonb_typeof(new.payload) <> 'object' then
    raise exception 'payload must be a JSON object, got %', jsonb_typeof(new.payload) using errcode = '23514';
  end if;
  -- Processing state belongs to the orchestrator: requests addressed to it start queued.
  if tg_op = 'INSERT' then
    new.status := case when new.type = 'request' and private.orchestrator_id() = any(new."to") then 'queued' else 'delivered' end;
    new.attempts := 0;
    new.last_error := null;
    new.next_attempt_at := null;
    new.dispatched_at := null;
    new.processed_at := null;
    new.created_at := now();
  end if;
  return new;
end
$_$;

COMMENT ON FUNCTION private.tg_messages__validate() IS 'Refuses malformed envelopes with a clear message and sets the initial processing state.';

CREATE FUNCTION private.tg_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  new.updated_at := now();
  return new;
end
$$;

COMMENT ON FUNCTION private.tg_touch_updated_at() IS 'Keeps updated_at current on every update.';

CREATE FUNCTION private.touch_device(device uuid, version text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION private.touch_device(device uuid, version text) IS 'Records that a device is alive (online again if it was offline, its containers then due for a health check); returns its desired generation.';

CREATE FUNCTION private.wake_dispatcher(force boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  claimed boolean;
  rewake interval;
begin
  select make_interval(secs => s.rewake_after_seconds) into rewake from private.dispatch_settings s;
  update private.dispatcher_state d
     set wake_pending = true, last_wake_at = now()
   where d.id = 1 and (force or not d.wake_pending or d.last_wake_at < now() - rewake)
  returning true into claimed;
  if not coalesce(claimed, false) then
    return false;
  end if;
  return private.post_to_orchestrator('drain');
end
$$;

COMMENT ON FUNCTION private.wake_dispatcher(force boolean) IS 'Wakes the hosting-orchestrator function with one pg_net call unless a wake is already pending (force: always).';

CREATE FUNCTION private.wake_health_sweep() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if not exists (select 1 from public.containers where health_url is not null and status in ('running', 'crashed')) then
    return false;
  end if;
  return private.post_to_orchestrator('health_sweep');
end
$$;

COMMENT ON FUNCTION private.wake_health_sweep() IS 'Run by pg_cron: wakes the hosting-orchestrator function for one health sweep with a single pg_net call (none when no container has a health URL).';

CREATE FUNCTION public.create_device(name text, labels jsonb DEFAULT '{}'::jsonb, architecture text DEFAULT NULL::text, cpu numeric DEFAULT 1, memory_mb integer DEFAULT 1024, address text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  device uuid;
begin
  perform private.require_device_admin();
  if labels is null or jsonb_typeof(labels) <> 'object'
     or exists (select 1 from jsonb_each(labels) e where jsonb_typeof(e.value) <> 'string') then
    raise exception 'labels must be a JSON object of strings, e.g. {"site": "berlin"}' using errcode = '22023';
  end if;
  insert into public.devices (name, labels, architecture, cpu_capacity, memory_mb, address)
  values (create_device.name, create_device.labels, private.edge_architecture(create_device.architecture),
          create_device.cpu, create_device.memory_mb, create_device.address)
  returning id into device;
  return jsonb_build_object('device_id', device, 'enrollment_token', private.new_enrollment_token(device));
end
$$;

COMMENT ON FUNCTION public.create_device(name text, labels jsonb, architecture text, cpu numeric, memory_mb integer, address text) IS 'Operators: registers an edge device (capacity in vCPUs and MiB; architecture optional, e.g. aarch64) and returns {device_id, enrollment_token}. The token is shown once.';

CREATE FUNCTION public.create_enrollment_token(device_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform private.require_device_admin();
  if not exists (select 1 from public.devices d where d.id = create_enrollment_token.device_id and d.status <> 'revoked') then
    raise exception 'no device % (or it is revoked)', device_id using errcode = 'P0002';
  end if;
  return jsonb_build_object('device_id', device_id, 'enrollment_token', private.new_enrollment_token(device_id));
end
$$;

COMMENT ON FUNCTION public.create_enrollment_token(device_id uuid) IS 'Device administrators: a new one-time enrollment token for an existing device (e.g. after its credential was lost).';

CREATE FUNCTION public.device_desired_state() RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION public.device_desired_state() IS 'Device agent: the complete desired state of the calling device {device_id, generation, containers}, env values read from Vault.';

CREATE FUNCTION public.device_heartbeat(agent_version text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if agent_version is null or length(agent_version) not between 1 and 64 then
    raise exception 'agent_version must be 1 to 64 characters' using errcode = '22023';
  end if;
  return jsonb_build_object('desired_generation', private.touch_device(private.require_device(), agent_version));
end
$$;

COMMENT ON FUNCTION public.device_heartbeat(agent_version text) IS 'Device agent: a heartbeat. Keeps the device online and returns {desired_generation} so a missed nudge is noticed within one beat.';

CREATE FUNCTION public.device_report(report jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION public.device_report(report jsonb) IS 'Device agent: a report of what runs. Counts as a heartbeat; updates the device (address, resources, applied generation) and each of its containers.';

CREATE FUNCTION public.device_token_exchange(enrollment_token text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  device uuid;
begin
  update private.device_enrollments e set used_at = now()
    from public.devices d
   where e.token_hash = extensions.digest(coalesce(enrollment_token, ''), 'sha256')
     and e.used_at is null and e.expires_at > now()
     and d.id = e.device_id and d.status <> 'revoked'
  returning e.device_id into device;
  if device is null then
    raise exception 'enrollment token refused' using errcode = '28000',
      hint = 'The token is unknown, used or expired; ask an operator for a new one.';
  end if;
  return private.issue_device_credential(device);
end
$$;

COMMENT ON FUNCTION public.device_token_exchange(enrollment_token text) IS 'Device agent (anon key): spends a one-time enrollment token and returns a device credential {device_id, token, expires_at}.';

CREATE FUNCTION public.device_token_renew() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$ begin return private.issue_device_credential(private.require_device()); end $$;

COMMENT ON FUNCTION public.device_token_renew() IS 'Device agent: a fresh credential for the calling device. The current one stays valid until it expires.';

CREATE FUNCTION public.revoke_device(device_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  revoked integer;
begin
  perform private.require_device_admin();
  update public.devices d set status = 'revoked', revoked_at = coalesce(d.revoked_at, now())
   where d.id = revoke_device.device_id;
  if not found then
    raise exception 'no device %', device_id using errcode = 'P0002';
  end if;
  update private.device_credentials c set revoked_at = now()
   where c.device_id = revoke_device.device_id and c.revoked_at is null;
  get diagnostics revoked = row_count;
  update private.device_enrollments e set used_at = now()
   where e.device_id = revoke_device.device_id and e.used_at is null;
  return jsonb_build_object('device_id', device_id, 'revoked_credentials', revoked);
end
$$;

COMMENT ON FUNCTION public.revoke_device(device_id uuid) IS 'Operators: revokes a device for good: every credential and unused enrollment token is refused from now on.';

CREATE FUNCTION public.send_message("to" text[], intent text, payload jsonb DEFAULT '{}'::jsonb, type text DEFAULT 'request'::text, idempotency_key text DEFAULT NULL::text, conversation_id uuid DEFAULT NULL::uuid, in_reply_to uuid DEFAULT NULL::uuid) RETURNS public.messages
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
#variable_conflict use_column
declare
  result public.messages;
  me text := private.current_agent_id();
begin
  if me is null then
    raise exception 'send_message needs a JWT with an agent_id claim' using errcode = '42501';
  end if;
  insert into public.messages (type, sender, "to", intent, payload, conversation_id, in_reply_to, idempotency_key)
  values (send_message.type, me, send_message."to", send_message.intent, coalesce(send_message.payload, '{}'::jsonb),
          send_message.conversation_id, send_message.in_reply_to, send_message.idempotency_key)
  on conflict (sender, idempotency_key) where idempotency_key is not null do nothing
  returning * into result;
  if result.id is null then
    select * into result from public.messages m where m.sender = me and m.idempotency_key = send_message.idempotency_key;
  end if;
  return result;
end
$$;

COMMENT ON FUNCTION public.send_message("to" text[], intent text, payload jsonb, type text, idempotency_key text, conversation_id uuid, in_reply_to uuid) IS 'Sends a message as the calling agent and returns it; a repeated idempotency_key returns the first message.';

CREATE TABLE private.device_credentials (
    jti uuid NOT NULL,
    device_id uuid NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone
);

COMMENT ON TABLE private.device_credentials IS 'Every device JWT issued, by jti: a credential is valid only while its row exists, is unexpired and not revoked.';

CREATE TABLE private.device_enrollments (
    token_hash bytea NOT NULL,
    device_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone
);

COMMENT ON TABLE private.device_enrollments IS 'One-time enrollment tokens (SHA-256 only): valid until expires_at, spent at used_at.';

CREATE TABLE private.dispatch_settings (
    id integer DEFAULT 1 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    deadline_seconds integer DEFAULT 900 NOT NULL,
    backoff_base_seconds integer DEFAULT 5 NOT NULL,
    backoff_max_seconds integer DEFAULT 300 NOT NULL,
    rewake_after_seconds integer DEFAULT 5 NOT NULL,
    CONSTRAINT dispatch_settings_backoff_base_seconds_check CHECK ((backoff_base_seconds >= 1)),
    CONSTRAINT dispatch_settings_backoff_max_seconds_check CHECK ((backoff_max_seconds >= 1)),
    CONSTRAINT dispatch_settings_deadline_seconds_check CHECK ((deadline_seconds >= 5)),
    CONSTRAINT dispatch_settings_id_check CHECK ((id = 1)),
    CONSTRAINT dispatch_settings_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 50))),
    CONSTRAINT dispatch_settings_rewake_after_seconds_check CHECK ((rewake_after_seconds >= 1))
);

COMMENT ON TABLE private.dispatch_settings IS 'Retry policy of dispatch: attempts before dispatch_failed, how long a dispatched request may stay unanswered, backoff between attempts.';

CREATE TABLE private.dispatcher_state (
    id integer DEFAULT 1 NOT NULL,
    wake_pending boolean DEFAULT false NOT NULL,
    last_wake_at timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL,
    CONSTRAINT dispatcher_state_id_check CHECK ((id = 1))
);

COMMENT ON TABLE private.dispatcher_state IS 'Whether a wake-up of the dispatcher function is in flight (one row).';

CREATE TABLE private.edge_containers (
    container_id uuid NOT NULL,
    device_id uuid NOT NULL,
    name text NOT NULL,
    host_port integer NOT NULL,
    container_port integer NOT NULL,
    cpu numeric NOT NULL,
    memory_mb integer NOT NULL,
    restart_policy text DEFAULT 'unless-stopped'::text NOT NULL,
    health_path text DEFAULT '/health'::text NOT NULL,
    env_secret_id uuid,
    spec_generation bigint NOT NULL,
    reported_state text,
    reported_health text,
    engine_id text,
    engine_error text,
    last_reported_at timestamp with time zone,
    removed_at timestamp with time zone,
    CONSTRAINT edge_containers_limits CHECK (((cpu > (0)::numeric) AND (memory_mb >= 6))),
    CONSTRAINT edge_containers_ports CHECK ((((host_port >= 1) AND (host_port <= 65535)) AND ((container_port >= 1) AND (container_port <= 65535)))),
    CONSTRAINT edge_containers_restart_policy CHECK ((restart_policy = ANY (ARRAY['always'::text, 'unless-stopped'::text, 'on-failure'::text, 'no'::text])))
);

COMMENT ON TABLE private.edge_containers IS 'Device-side spec of each edge container (name, host port, limits, env secret) and what the device last reported about it.';

COMMENT ON COLUMN private.edge_containers.spec_generation IS 'The device generation that introduced the current spec; older reports do not settle it.';

CREATE TABLE private.edge_settings (
    id integer DEFAULT 1 NOT NULL,
    credential_ttl_seconds integer DEFAULT 86400 NOT NULL,
    enrollment_ttl_seconds integer DEFAULT 604800 NOT NULL,
    heartbeat_interval_seconds integer DEFAULT 10 NOT NULL,
    missed_heartbeats integer DEFAULT 3 NOT NULL,
    host_port_min integer DEFAULT 20000 NOT NULL,
    host_port_max integer DEFAULT 29999 NOT NULL,
    host_port_quarantine_seconds integer DEFAULT 300 NOT NULL,
    CONSTRAINT edge_settings_credential_ttl_seconds_check CHECK (((credential_ttl_seconds >= 60) AND (credential_ttl_seconds <= 31536000))),
    CONSTRAINT edge_settings_enrollment_ttl_seconds_check CHECK (((enrollment_ttl_seconds >= 60) AND (enrollment_ttl_seconds <= 31536000))),
    CONSTRAINT edge_settings_heartbeat_interval_seconds_check CHECK ((heartbeat_interval_seconds >= 1)),
    CONSTRAINT edge_settings_host_port_max_check CHECK (((host_port_max >= 1024) AND (host_port_max <= 65535))),
    CONSTRAINT edge_settings_host_port_min_check CHECK (((host_port_min >= 1024) AND (host_port_min <= 65535))),
    CONSTRAINT edge_settings_host_port_quarantine_seconds_check CHECK ((host_port_quarantine_seconds >= 0)),
    CONSTRAINT edge_settings_id_check CHECK ((id = 1)),
    CONSTRAINT edge_settings_missed_heartbeats_check CHECK ((missed_heartbeats >= 1)),
    CONSTRAINT edge_settings_port_range CHECK ((host_port_min <= host_port_max))
);

COMMENT ON TABLE private.edge_settings IS 'Edge policy (one row): credential and enrollment lifetimes, the heartbeat interval the agents use and how many missed beats make a device offline, the host port range deployments are published on, and how long a freed host port rests before reuse.';

CREATE TABLE private.health_settings (
    id integer DEFAULT 1 NOT NULL,
    due_after_seconds integer DEFAULT 20 NOT NULL,
    lease_seconds integer DEFAULT 60 NOT NULL,
    heal_enabled boolean DEFAULT true NOT NULL,
    heal_max_per_hour integer DEFAULT 3 NOT NULL,
    heal_backoff_base_seconds integer DEFAULT 60 NOT NULL,
    heal_backoff_max_seconds integer DEFAULT 900 NOT NULL,
    raw_retention_hours integer DEFAULT 24 NOT NULL,
    rollup_retention_days integer DEFAULT 30 NOT NULL,
    retention_batch_size integer DEFAULT 5000 NOT NULL,
    retention_max_batches integer DEFAULT 400 NOT NULL,
    rolled_up_until timestamp with time zone,
    CONSTRAINT health_settings_due_after_seconds_check CHECK (((due_after_seconds >= 1) AND (due_after_seconds <= 86400))),
    CONSTRAINT health_settings_heal_backoff_base_seconds_check CHECK ((heal_backoff_base_seconds >= 1)),
    CONSTRAINT health_settings_heal_backoff_max_seconds_check CHECK ((heal_backoff_max_seconds >= 1)),
    CONSTRAINT health_settings_heal_max_per_hour_check CHECK (((heal_max_per_hour >= 0) AND (heal_max_per_hour <= 60))),
    CONSTRAINT health_settings_id_check CHECK ((id = 1)),
    CONSTRAINT health_settings_lease_seconds_check CHECK (((lease_seconds >= 5) AND (lease_seconds <= 3600))),
    CONSTRAINT health_settings_raw_retention_hours_check CHECK (((raw_retention_hours >= 1) AND (raw_retention_hours <= 8760))),
    CONSTRAINT health_settings_retention_batch_size_check CHECK (((retention_batch_size >= 100) AND (retention_batch_size <= 100000))),
    CONSTRAINT health_settings_retention_max_batches_check CHECK (((retention_max_batches >= 1) AND (retention_max_batches <= 100000))),
    CONSTRAINT health_settings_rollup_retention_days_check CHECK (((rollup_retention_days >= 1) AND (rollup_retention_days <= 3650)))
);

COMMENT ON TABLE private.health_settings IS 'Policy of the health sweep (one row): when a container is due, the claim lease, auto-heal cap and backoff, retention of raw checks and roll-ups. rolled_up_until is the roll-up watermark, kept by private.health_retention.';

CREATE TABLE private.scheduler_heartbeats (
    job_name text NOT NULL,
    beats bigint DEFAULT 0 NOT NULL,
    last_beat_at timestamp with time zone DEFAULT now() NOT NULL
);

COMMENT ON TABLE private.scheduler_heartbeats IS 'One row per heartbeat job: proof that pg_cron runs jobs.';

CREATE TABLE public.containers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    agent_id text NOT NULL,
    customer_id text NOT NULL,
    target_type text NOT NULL,
    target_id text,
    address text,
    health_url text,
    status text DEFAULT 'deploying'::text NOT NULL,
    health boolean DEFAULT false NOT NULL,
    load real DEFAULT 0 NOT NULL,
    cpu_usage real,
    memory_usage real,
    disk_usage real,
    uptime integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    owner_agent_id text NOT NULL,
    image text NOT NULL,
    resources jsonb DEFAULT '{}'::jsonb NOT NULL,
    replicas integer DEFAULT 1 NOT NULL,
    region text,
    health_state text DEFAULT 'unknown'::text NOT NULL,
    healthy_since timestamp with time zone,
    last_health_check_at timestamp with time zone,
    usage_updated_at timestamp with time zone,
    provider_service_id text,
    provider_environment_id text,
    provider_deployment_id text,
    removed_at timestamp with time zone,
    health_failure_threshold integer DEFAULT 3 NOT NULL,
    health_degraded_after_ms integer,
    health_consecutive_failures integer DEFAULT 0 NOT NULL,
    health_last_error text,
    health_claimed_until timestamp with time zone,
    next_heal_at timestamp with time zone,
    needs_attention boolean DEFAULT false NOT NULL,
    attention_reason text,
    attention_since timestamp with time zone,
    CONSTRAINT containers_health_degraded_after_ms_range CHECK (((health_degraded_after_ms IS NULL) OR ((health_degraded_after_ms >= 1) AND (health_degraded_after_ms <= 600000)))),
    CONSTRAINT containers_health_failure_threshold_range CHECK (((health_failure_threshold >= 1) AND (health_failure_threshold <= 100))),
    CONSTRAINT containers_health_state_known CHECK ((health_state = ANY (ARRAY['unknown'::text, 'healthy'::text, 'degraded'::text, 'unhealthy'::text]))),
    CONSTRAINT containers_replicas_range CHECK (((replicas >= 1) AND (replicas <= 50))),
    CONSTRAINT containers_status_known CHECK ((status = ANY (ARRAY['deploying'::text, 'running'::text, 'failed'::text, 'crashed'::text, 'stopped'::text, 'removing'::text, 'removed'::text]))),
    CONSTRAINT containers_target_type_known CHECK ((target_type = ANY (ARRAY['railway'::text, 'edge'::text])))
);

COMMENT ON TABLE public.containers IS 'One deployed copy of an agent for a customer, on Railway or an edge device.';

COMMENT ON COLUMN public.containers.health IS 'True while the last health check passed (healthy or degraded).';

COMMENT ON COLUMN public.containers.uptime IS 'Seconds since the container last became healthy.';

COMMENT ON COLUMN public.containers.owner_agent_id IS 'The agent that requested the deployment; it receives the informs.';

COMMENT ON COLUMN public.containers.health_failure_threshold IS 'Consecutive failed checks after which the container is unhealthy (fewer: degraded). Default 3.';

COMMENT ON COLUMN public.containers.health_degraded_after_ms IS 'A 2xx answer slower than this many milliseconds is degraded; null: the function''s HEALTH_DEGRADED_MS.';

COMMENT ON COLUMN public.containers.health_consecutive_failures IS 'Failed checks in a row (0 after a passing check).';

COMMENT ON COLUMN public.containers.health_last_error IS 'The error of the last failed check (kept until the next passing check).';

COMMENT ON COLUMN public.containers.health_claimed_until IS 'Lease of the sweep that is checking the container; null or past: free. Never set it by hand.';

COMMENT ON COLUMN public.containers.next_heal_at IS 'Auto-heal backoff: no restart before this time.';

COMMENT ON COLUMN public.containers.needs_attention IS 'True when auto-heal gave up (restart cap reached and still unhealthy): an operator should look. Cleared when the container is healthy again.';

COMMENT ON COLUMN public.containers.attention_reason IS 'Why needs_attention was set.';

CREATE TABLE public.deployments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    container_id uuid NOT NULL,
    kind text NOT NULL,
    image text NOT NULL,
    env_keys text[] DEFAULT '{}'::text[] NOT NULL,
    resources jsonb DEFAULT '{}'::jsonb NOT NULL,
    provider text NOT NULL,
    provider_deployment_id text,
    status text DEFAULT 'deploying'::text NOT NULL,
    error text,
    requested_by text NOT NULL,
    request_message_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT deployments_kind_known CHECK ((kind = ANY (ARRAY['deploy'::text, 'redeploy'::text, 'rollback'::text, 'restart'::text, 'heal'::text, 'undeploy'::text, 'scale'::text]))),
    CONSTRAINT deployments_provider_known CHECK ((provider = ANY (ARRAY['railway'::text, 'edge'::text]))),
    CONSTRAINT deployments_status_known CHECK ((status = ANY (ARRAY['deploying'::text, 'succeeded'::text, 'failed'::text, 'removed'::text])))
);

COMMENT ON TABLE public.deployments IS 'History of every deploy, redeploy, rollback, restart and heal, with provider ids and outcome. Env values are never stored: only their names.';

CREATE TABLE public.devices (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    labels jsonb DEFAULT '{}'::jsonb NOT NULL,
    architecture text,
    cpu_capacity numeric DEFAULT 1 NOT NULL,
    memory_mb integer DEFAULT 1024 NOT NULL,
    address text,
    status text DEFAULT 'offline'::text NOT NULL,
    last_heartbeat_at timestamp with time zone,
    last_report_at timestamp with time zone,
    offline_since timestamp with time zone,
    agent_version text,
    desired_generation bigint DEFAULT 0 NOT NULL,
    reported_generation bigint,
    reported_cpu_count integer,
    reported_memory_mb integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT devices_capacity_positive CHECK (((cpu_capacity > (0)::numeric) AND (memory_mb > 0))),
    CONSTRAINT devices_labels_object CHECK ((jsonb_typeof(labels) = 'object'::text)),
    CONSTRAINT devices_name_length CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT devices_status_known CHECK ((status = ANY (ARRAY['online'::text, 'offline'::text, 'revoked'::text])))
);

COMMENT ON TABLE public.devices IS 'Edge devices: enrollment state, labels, architecture, capacity, where their deployments are reachable, liveness.';

COMMENT ON COLUMN public.devices.cpu_capacity IS 'vCPUs deployments may reserve on the device (operator-set).';

COMMENT ON COLUMN public.devices.memory_mb IS 'MiB deployments may reserve on the device (operator-set).';

COMMENT ON COLUMN public.devices.address IS 'Host or IP where the device''s published ports are reachable (the agent''s advertise_address, from its reports).';

COMMENT ON COLUMN public.devices.desired_generation IS 'Bumped on every change to the device''s desired state.';

COMMENT ON COLUMN public.devices.reported_generation IS 'The generation the agent last reported as applied.';

CREATE TABLE public.health_check_rollups (
    container_id uuid NOT NULL,
    hour timestamp with time zone NOT NULL,
    checks integer NOT NULL,
    failures integer NOT NULL,
    degraded integer NOT NULL,
    p50_ms double precision,
    p95_ms double precision,
    max_ms integer,
    CONSTRAINT health_check_rollups_counts CHECK (((checks >= 0) AND ((failures >= 0) AND (failures <= checks)) AND ((degraded >= 0) AND (degraded <= checks))))
);

COMMENT ON TABLE public.health_check_rollups IS 'Hourly aggregates of health_checks (checks, failures = unhealthy checks, degraded, p50/p95/max response time in ms over checks with a response time), kept rollup_retention_days.';

CREATE TABLE public.health_checks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    container_id uuid NOT NULL,
    status text NOT NULL,
    response_time integer,
    load real,
    error_message text,
    checked_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT health_checks_status_known CHECK ((status = ANY (ARRAY['healthy'::text, 'degraded'::text, 'unhealthy'::text, 'unknown'::text])))
);

COMMENT ON TABLE public.health_checks IS 'One row per health check of a container (raw history, kept for a bounded window).';

COMMENT ON COLUMN public.health_checks.response_time IS 'Milliseconds until the health endpoint answered.';

ALTER TABLE ONLY private.device_credentials
    ADD CONSTRAINT device_credentials_pkey PRIMARY KEY (jti);

ALTER TABLE ONLY private.device_enrollments
    ADD CONSTRAINT device_enrollments_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY private.dispatch_settings
    ADD CONSTRAINT dispatch_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY private.dispatcher_state
    ADD CONSTRAINT dispatcher_state_pkey PRIMARY KEY (id);

ALTER TABLE ONLY private.edge_containers
    ADD CONSTRAINT edge_containers_pkey PRIMARY KEY (container_id);

ALTER TABLE ONLY private.edge_settings
    ADD CONSTRAINT edge_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY private.health_settings
    ADD CONSTRAINT health_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY private.scheduler_heartbeats
    ADD CONSTRAINT scheduler_heartbeats_pkey PRIMARY KEY (job_name);

ALTER TABLE ONLY public.containers
    ADD CONSTRAINT containers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.devices
    ADD CONSTRAINT devices_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.health_check_rollups
    ADD CONSTRAINT health_check_rollups_pkey PRIMARY KEY (container_id, hour);

ALTER TABLE ONLY public.health_checks
    ADD CONSTRAINT health_checks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

CREATE INDEX device_credentials_device ON private.device_credentials USING btree (device_id);

CREATE INDEX device_enrollments_device ON private.device_enrollments USING btree (device_id);

CREATE INDEX edge_containers_device ON private.edge_containers USING btree (device_id) WHERE (removed_at IS NULL);

CREATE UNIQUE INDEX edge_containers_live_name ON private.edge_containers USING btree (device_id, name) WHERE (removed_at IS NULL);

CREATE UNIQUE INDEX edge_containers_live_port ON private.edge_containers USING btree (device_id, host_port) WHERE (removed_at IS NULL);

CREATE INDEX containers_health_due ON public.containers USING btree (last_health_check_at NULLS FIRST) WHERE ((health_url IS NOT NULL) AND (status = ANY (ARRAY['running'::text, 'crashed'::text])));

CREATE UNIQUE INDEX containers_live_per_agent_customer ON public.containers USING btree (agent_id, customer_id) WHERE (status <> 'removed'::text);

CREATE INDEX containers_owner ON public.containers USING btree (owner_agent_id);

CREATE INDEX containers_provider_service ON public.containers USING btree (provider_service_id) WHERE (provider_service_id IS NOT NULL);

CREATE INDEX containers_target ON public.containers USING btree (target_type, target_id);

CREATE INDEX deployments_container_time ON public.deployments USING btree (container_id, created_at DESC);

CREATE UNIQUE INDEX deployments_one_per_request ON public.deployments USING btree (request_message_id) WHERE (request_message_id IS NOT NULL);

CREATE INDEX deployments_open ON public.deployments USING btree (created_at) WHERE (status = 'deploying'::text);

CREATE INDEX devices_labels ON public.devices USING gin (labels);

CREATE INDEX devices_online ON public.devices USING btree (status) WHERE (status = 'online'::text);

CREATE INDEX health_check_rollups_hour ON public.health_check_rollups USING btree (hour);

CREATE INDEX health_checks_container_time ON public.health_checks USING btree (container_id, checked_at DESC);

CREATE INDEX health_checks_time ON public.health_checks USING brin (checked_at);

CREATE INDEX messages_conversation ON public.messages USING btree (conversation_id);

CREATE UNIQUE INDEX messages_one_reply_per_request ON public.messages USING btree (in_reply_to) WHERE ((sender = 'agent.agentify.hosting-orchestrator'::text) AND (in_reply_to IS NOT NULL));

CREATE INDEX messages_queued ON public.messages USING btree (created_at) WHERE (status = ANY (ARRAY['queued'::text, 'dispatched'::text]));

CREATE INDEX messages_sender_created ON public.messages USING btree (sender, created_at DESC);

CREATE UNIQUE INDEX messages_sender_idempotency_key ON public.messages USING btree (sender, idempotency_key) WHERE (idempotency_key IS NOT NULL);

CREATE INDEX messages_to_created ON public.messages USING gin ("to");

CREATE TRIGGER "10_touch_updated_at" BEFORE UPDATE ON public.containers FOR EACH ROW EXECUTE FUNCTION private.tg_touch_updated_at();

CREATE TRIGGER "10_validate" BEFORE INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION private.tg_messages__validate();

CREATE TRIGGER "20_dedupe" BEFORE INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION private.tg_messages__dedupe();

CREATE TRIGGER "30_conversation" BEFORE INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION private.tg_messages__conversation();

CREATE TRIGGER "40_dispatch" AFTER INSERT ON public.messages REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION private.tg_messages__dispatch();

CREATE TRIGGER "50_broadcast" AFTER INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION private.tg_messages__broadcast();

ALTER TABLE ONLY private.device_credentials
    ADD CONSTRAINT device_credentials_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.devices(id) ON DELETE CASCADE;

ALTER TABLE ONLY private.device_enrollments
    ADD CONSTRAINT device_enrollments_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.devices(id) ON DELETE CASCADE;

ALTER TABLE ONLY private.edge_containers
    ADD CONSTRAINT edge_containers_container_id_fkey FOREIGN KEY (container_id) REFERENCES public.containers(id) ON DELETE CASCADE;

ALTER TABLE ONLY private.edge_containers
    ADD CONSTRAINT edge_containers_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.devices(id);

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_container_id_fkey FOREIGN KEY (container_id) REFERENCES public.containers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_request_message_id_fkey FOREIGN KEY (request_message_id) REFERENCES public.messages(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.health_check_rollups
    ADD CONSTRAINT health_check_rollups_container_id_fkey FOREIGN KEY (container_id) REFERENCES public.containers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.health_checks
    ADD CONSTRAINT health_checks_container_id_fkey FOREIGN KEY (container_id) REFERENCES public.containers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_in_reply_to_fkey FOREIGN KEY (in_reply_to) REFERENCES public.messages(id) ON DELETE SET NULL;

ALTER TABLE private.device_credentials ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.device_enrollments ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.dispatch_settings ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.dispatcher_state ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.edge_containers ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.edge_settings ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.health_settings ENABLE ROW LEVEL SECURITY;

ALTER TABLE private.scheduler_heartbeats ENABLE ROW LEVEL SECURITY;

CREATE POLICY "a device reads its own row" ON public.devices FOR SELECT TO authenticated USING ((id = ( SELECT private.device_id_from_jwt() AS device_id_from_jwt)));

CREATE POLICY "agents read deployments of their containers" ON public.deployments FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM public.containers c
  WHERE ((c.id = deployments.container_id) AND (c.owner_agent_id = ( SELECT private.current_agent_id() AS current_agent_id))))));

CREATE POLICY "agents read health checks of their containers" ON public.health_checks FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM public.containers c
  WHERE ((c.id = health_checks.container_id) AND (c.owner_agent_id = ( SELECT private.current_agent_id() AS current_agent_id))))));

CREATE POLICY "agents read messages they sent or received" ON public.messages FOR SELECT TO authenticated USING (((sender = ( SELECT private.current_agent_id() AS current_agent_id)) OR (( SELECT private.current_agent_id() AS current_agent_id) = ANY ("to"))));

CREATE POLICY "agents read roll-ups of their containers" ON public.health_check_rollups FOR SELECT TO authenticated USING ((EXISTS ( SELECT 1
   FROM public.containers c
  WHERE ((c.id = health_check_rollups.container_id) AND (c.owner_agent_id = ( SELECT private.current_agent_id() AS current_agent_id))))));

CREATE POLICY "agents read the containers they own" ON public.containers FOR SELECT TO authenticated USING ((owner_agent_id = ( SELECT private.current_agent_id() AS current_agent_id)));

CREATE POLICY "agents send messages as themselves" ON public.messages FOR INSERT TO authenticated WITH CHECK (((sender = ( SELECT private.current_agent_id() AS current_agent_id)) AND (sender <> ( SELECT private.orchestrator_id() AS orchestrator_id))));

ALTER TABLE public.containers ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.deployments ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.devices ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.health_check_rollups ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.health_checks ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY "operators read every container" ON public.containers FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

CREATE POLICY "operators read every deployment" ON public.deployments FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

CREATE POLICY "operators read every device" ON public.devices FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

CREATE POLICY "operators read every health check" ON public.health_checks FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

CREATE POLICY "operators read every message" ON public.messages FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

CREATE POLICY "operators read every roll-up" ON public.health_check_rollups FOR SELECT TO authenticated USING (( SELECT private.is_operator() AS is_operator));

GRANT USAGE ON SCHEMA private TO anon;
GRANT USAGE ON SCHEMA private TO authenticated;
GRANT USAGE ON SCHEMA private TO service_role;

GRANT USAGE ON SCHEMA public TO postgres;
GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;

REVOKE ALL ON FUNCTION private.apply_container_report(device uuid, generation bigint, entry jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.base64url(data bytea) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.begin_drain() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.claim_health_check(container_id uuid, at timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.claim_health_checks(batch_size integer, at timestamp with time zone) FROM PUBLIC;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.messages TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.messages TO authenticated;
GRANT ALL ON TABLE public.messages TO service_role;

GRANT INSERT(type) ON TABLE public.messages TO authenticated;

GRANT INSERT(sender) ON TABLE public.messages TO authenticated;

GRANT INSERT("to") ON TABLE public.messages TO authenticated;

GRANT INSERT(intent) ON TABLE public.messages TO authenticated;

GRANT INSERT(payload) ON TABLE public.messages TO authenticated;

GRANT INSERT(conversation_id) ON TABLE public.messages TO authenticated;

GRANT INSERT(in_reply_to) ON TABLE public.messages TO authenticated;

GRANT INSERT(idempotency_key) ON TABLE public.messages TO authenticated;

REVOKE ALL ON FUNCTION private.claim_requests(batch_size integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.complete_request(request_id uuid, reply_type text, reply_intent text, reply_payload jsonb, error_text text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.cron_schedule_every(job_name text, every_seconds integer, command text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.cron_supports_seconds() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.current_agent_id() FROM PUBLIC;
GRANT ALL ON FUNCTION private.current_agent_id() TO service_role;
GRANT ALL ON FUNCTION private.current_agent_id() TO anon;
GRANT ALL ON FUNCTION private.current_agent_id() TO authenticated;

REVOKE ALL ON FUNCTION private.device_id_from_jwt() FROM PUBLIC;
GRANT ALL ON FUNCTION private.device_id_from_jwt() TO service_role;
GRANT ALL ON FUNCTION private.device_id_from_jwt() TO anon;
GRANT ALL ON FUNCTION private.device_id_from_jwt() TO authenticated;

REVOKE ALL ON FUNCTION private.edge_architecture(arch text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.edge_informs(owner text, intent text, payload jsonb, deployment uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.free_host_port(device uuid) FROM PUBLIC;

REVOKE ALL ON PROCEDURE private.health_retention(IN at timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.health_rollup_hour(hour_start timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.is_agent_id(candidate text) FROM PUBLIC;
GRANT ALL ON FUNCTION private.is_agent_id(candidate text) TO service_role;
GRANT ALL ON FUNCTION private.is_agent_id(candidate text) TO anon;
GRANT ALL ON FUNCTION private.is_agent_id(candidate text) TO authenticated;

REVOKE ALL ON FUNCTION private.is_device_admin() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.is_host_address(candidate text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.is_operator() FROM PUBLIC;
GRANT ALL ON FUNCTION private.is_operator() TO service_role;
GRANT ALL ON FUNCTION private.is_operator() TO anon;
GRANT ALL ON FUNCTION private.is_operator() TO authenticated;

REVOKE ALL ON FUNCTION private.issue_device_credential(device uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.mark_offline_devices(at timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.new_enrollment_token(device uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.nudge_device(device uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.orchestrator_id() FROM PUBLIC;
GRANT ALL ON FUNCTION private.orchestrator_id() TO service_role;
GRANT ALL ON FUNCTION private.orchestrator_id() TO anon;
GRANT ALL ON FUNCTION private.orchestrator_id() TO authenticated;

REVOKE ALL ON FUNCTION private.post_to_orchestrator(task text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.purge_device_credentials(at timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.redact_payload(payload jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.release_request(request_id uuid, error_text text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.require_device() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.require_device_admin() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.scheduler_beat(job_name text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.sign_jwt(claims jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.sweep_messages() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_messages__broadcast() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_messages__conversation() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_messages__dedupe() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_messages__dispatch() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_messages__validate() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.tg_touch_updated_at() FROM PUBLIC;

REVOKE ALL ON FUNCTION private.touch_device(device uuid, version text) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.wake_dispatcher(force boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION private.wake_health_sweep() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.create_device(name text, labels jsonb, architecture text, cpu numeric, memory_mb integer, address text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_device(name text, labels jsonb, architecture text, cpu numeric, memory_mb integer, address text) TO authenticated;
GRANT ALL ON FUNCTION public.create_device(name text, labels jsonb, architecture text, cpu numeric, memory_mb integer, address text) TO service_role;

REVOKE ALL ON FUNCTION public.create_enrollment_token(device_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_enrollment_token(device_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.create_enrollment_token(device_id uuid) TO service_role;

REVOKE ALL ON FUNCTION public.device_desired_state() FROM PUBLIC;
GRANT ALL ON FUNCTION public.device_desired_state() TO authenticated;
GRANT ALL ON FUNCTION public.device_desired_state() TO service_role;

REVOKE ALL ON FUNCTION public.device_heartbeat(agent_version text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.device_heartbeat(agent_version text) TO authenticated;
GRANT ALL ON FUNCTION public.device_heartbeat(agent_version text) TO service_role;

REVOKE ALL ON FUNCTION public.device_report(report jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.device_report(report jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.device_report(report jsonb) TO service_role;

REVOKE ALL ON FUNCTION public.device_token_exchange(enrollment_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.device_token_exchange(enrollment_token text) TO anon;
GRANT ALL ON FUNCTION public.device_token_exchange(enrollment_token text) TO authenticated;
GRANT ALL ON FUNCTION public.device_token_exchange(enrollment_token text) TO service_role;

REVOKE ALL ON FUNCTION public.device_token_renew() FROM PUBLIC;
GRANT ALL ON FUNCTION public.device_token_renew() TO authenticated;
GRANT ALL ON FUNCTION public.device_token_renew() TO service_role;

REVOKE ALL ON FUNCTION public.revoke_device(device_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.revoke_device(device_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.revoke_device(device_id uuid) TO service_role;

REVOKE ALL ON FUNCTION public.send_message("to" text[], intent text, payload jsonb, type text, idempotency_key text, conversation_id uuid, in_reply_to uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.send_message("to" text[], intent text, payload jsonb, type text, idempotency_key text, conversation_id uuid, in_reply_to uuid) TO authenticated;
GRANT ALL ON FUNCTION public.send_message("to" text[], intent text, payload jsonb, type text, idempotency_key text, conversation_id uuid, in_reply_to uuid) TO service_role;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.containers TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.containers TO authenticated;
GRANT ALL ON TABLE public.containers TO service_role;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.deployments TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.deployments TO authenticated;
GRANT ALL ON TABLE public.deployments TO service_role;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.devices TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.devices TO authenticated;
GRANT ALL ON TABLE public.devices TO service_role;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.health_check_rollups TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.health_check_rollups TO authenticated;
GRANT ALL ON TABLE public.health_check_rollups TO service_role;

GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.health_checks TO anon;
GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLE public.health_checks TO authenticated;
GRANT ALL ON TABLE public.health_checks TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES  TO postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS  TO postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES  TO postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES  TO service_role;
