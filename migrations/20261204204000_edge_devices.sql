-- Edge devices (issue 7): the devices table, enrollment with one-time tokens, device credentials (JWTs
-- signed in SQL with the project's JWT secret from Vault, revocable by jti) and the operator API.
--
-- Glossary
--   device             a machine on a customer's site running the edge agent (edge-agent/) next to a
--                      Docker-API container engine; it pulls its desired state and reports what runs
--   enrollment token   one-time secret an operator hands to a device; only its SHA-256 is stored
--   device credential  a JWT {role: authenticated, device_id, jti, iat, exp}; its jti is recorded in
--                      private.device_credentials so it can be revoked before it expires
--
-- Configuration in Vault (never in a migration):
--   project_jwt_secret  the project's JWT secret, so SQL can sign device JWTs that PostgREST and Realtime
--                       accept. Local stack: stored at start. Hosted Supabase: an operator runs once
--                      select vault.create_secret('<jwt secret>', 'project_jwt_secret');

create extension if not exists pgcrypto with schema extensions;

-- ---------------------------------------------------------------------------------------------
-- settings

create table private.edge_settings (
  id                          integer primary key default 1 check (id = 1),
  credential_ttl_seconds      integer not null default 86400 check (credential_ttl_seconds between 60 and 31536000),
  enrollment_ttl_seconds      integer not null default 604800 check (enrollment_ttl_seconds between 60 and 31536000),
  heartbeat_interval_seconds  integer not null default 10 check (heartbeat_interval_seconds >= 1),
  missed_heartbeats           integer not null default 3 check (missed_heartbeats >= 1),
  host_port_min               integer not null default 20000 check (host_port_min between 1024 and 65535),
  host_port_max               integer not null default 29999 check (host_port_max between 1024 and 65535),
  host_port_quarantine_seconds integer not null default 300 check (host_port_quarantine_seconds >= 0),
  constraint edge_settings_port_range check (host_port_min <= host_port_max)
);
insert into private.edge_settings default values;
alter table private.edge_settings enable row level security;
comment on table private.edge_settings is
  'Edge policy (one row): credential and enrollment lifetimes, the heartbeat interval the agents use and how many missed beats make a device offline, the host port range deployments are published on, and how long a freed host port rests before reuse.';

-- ---------------------------------------------------------------------------------------------
-- devices

create table public.devices (
  id                  uuid        primary key default gen_random_uuid(),
  name                text        not null,
  labels              jsonb       not null default '{}'::jsonb,
  architecture        text,
  cpu_capacity        numeric     not null default 1,
  memory_mb           integer     not null default 1024,
  address             text,
  status              text        not null default 'offline',
  last_heartbeat_at   timestamptz,
  last_report_at      timestamptz,
  offline_since       timestamptz,
  agent_version       text,
  desired_generation  bigint      not null default 0,
  reported_generation bigint,
  reported_cpu_count  integer,
  reported_memory_mb  integer,
  created_at          timestamptz not null default now(),
  revoked_at          timestamptz,
  constraint devices_name_length check (length(name) between 1 and 100),
  constraint devices_labels_object check (jsonb_typeof(labels) = 'object'),
  constraint devices_status_known check (status in ('online', 'offline', 'revoked')),
  constraint devices_capacity_positive check (cpu_capacity > 0 and memory_mb > 0)
);
comment on table public.devices is 'Edge devices: enrollment state, labels, architecture, capacity, where their deployments are reachable, liveness.';
comment on column public.devices.cpu_capacity is 'vCPUs deployments may reserve on the device (operator-set).';
comment on column public.devices.memory_mb is 'MiB deployments may reserve on the device (operator-set).';
comment on column public.devices.address is 'Host or IP where the device''s published ports are reachable (the agent''s advertise_address, from its reports).';
comment on column public.devices.desired_generation is 'Bumped on every change to the device''s desired state.';
comment on column public.devices.reported_generation is 'The generation the agent last reported as applied.';

create index devices_online on public.devices (status) where status = 'online';
create index devices_labels on public.devices using gin (labels);

alter table public.devices enable row level security;
revoke insert, update, delete on public.devices from anon, authenticated;
grant select on public.devices to authenticated;

create table private.device_enrollments (
  token_hash  bytea       primary key,
  device_id   uuid        not null references public.devices (id) on delete cascade,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  used_at     timestamptz
);
alter table private.device_enrollments enable row level security;
comment on table private.device_enrollments is 'One-time enrollment tokens (SHA-256 only): valid until expires_at, spent at used_at.';
create index device_enrollments_device on private.device_enrollments (device_id);

create table private.device_credentials (
  jti         uuid        primary key,
  device_id   uuid        not null references public.devices (id) on delete cascade,
  issued_at   timestamptz not null default now(),
  expires_at  timestamptz not null,
  revoked_at  timestamptz
);
alter table private.device_credentials enable row level security;
comment on table private.device_credentials is 'Every device JWT issued, by jti: a credential is valid only while its row exists, is unexpired and not revoked.';
create index device_credentials_device on private.device_credentials (device_id);

-- ---------------------------------------------------------------------------------------------
-- JWT signing (HS256) in SQL

create or replace function private.base64url(data bytea) returns text
  language sql immutable set search_path = ''
as $$ select translate(encode(data, 'base64'), E'+/=\n', '-_') $$;
comment on function private.base64url(bytea) is 'Unpadded base64url (RFC 4648 §5) of bytes, as JWTs use it.';

create or replace function private.sign_jwt(claims jsonb) returns text
  language plpgsql stable security definer set search_path = ''
as $$
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
comment on function private.sign_jwt(jsonb) is 'Signs claims as an HS256 JWT with the project''s JWT secret (Vault: project_jwt_secret).';

create or replace function private.issue_device_credential(device uuid) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
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
comment on function private.issue_device_credential(uuid) is 'Records a new credential (jti) for a device and returns {device_id, token, expires_at}.';

-- ---------------------------------------------------------------------------------------------
-- who is calling

create or replace function private.device_id_from_jwt() returns uuid
  language sql stable security definer set search_path = ''
as $$
  select c.device_id
    from private.device_credentials c
    join public.devices d on d.id = c.device_id
   where c.jti::text = auth.jwt() ->> 'jti'
     and c.device_id::text = auth.jwt() ->> 'device_id'
     and c.revoked_at is null
     and c.expires_at > now()
     and d.status <> 'revoked'
$$;
comment on function private.device_id_from_jwt() is
  'The device of the caller''s credential: its jti issued to that device, unexpired, unrevoked, the device not revoked. Null otherwise.';

create or replace function private.require_device() returns uuid
  language plpgsql stable security definer set search_path = ''
as $$
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
comment on function private.require_device() is 'The calling device, or SQLSTATE 28000 (PostgREST: 403) when its credential is not valid.';

create or replace function private.is_device_admin() returns boolean
  language sql stable set search_path = ''
as $$
  select coalesce((auth.jwt() ->> 'device_admin')::boolean, false)
      or coalesce(auth.jwt() ->> 'role', '') = 'service_role'
      or (auth.jwt() is null and session_user not in ('authenticator', 'anon', 'authenticated'))
$$;
comment on function private.is_device_admin() is
  'True for who may create, enroll and revoke devices: a JWT with device_admin: true, the service role, or a privileged database session without API claims (psql). The operator claim alone (the read-only dashboard) is not enough.';

create or replace function private.require_device_admin() returns void
  language plpgsql stable set search_path = ''
as $$
begin
  if not private.is_device_admin() then
    raise exception 'only device administrators manage devices' using errcode = '42501',
      hint = 'Use a JWT with device_admin: true, the service-role key, or psql.';
  end if;
end
$$;
comment on function private.require_device_admin() is 'Raises SQLSTATE 42501 unless the caller may manage devices (private.is_device_admin).';

grant execute on function private.device_id_from_jwt() to anon, authenticated, service_role;

create policy "operators read every device" on public.devices
  for select to authenticated
  using ((select private.is_operator()));
create policy "a device reads its own row" on public.devices
  for select to authenticated
  using (id = (select private.device_id_from_jwt()));

create policy "devices receive broadcasts on their own topic" on realtime.messages
  for select to authenticated
  using (
    extension = 'broadcast'
    and (select realtime.topic()) = 'device:' || (select private.device_id_from_jwt())::text
  );

-- ---------------------------------------------------------------------------------------------
-- operator API

create or replace function private.new_enrollment_token(device uuid) returns text
  language plpgsql volatile security definer set search_path = ''
as $$
declare
  token text := 'enr_' || encode(extensions.gen_random_bytes(32), 'hex');
begin
  insert into private.device_enrollments (token_hash, device_id, expires_at)
  select extensions.digest(token, 'sha256'), device, now() + make_interval(secs => s.enrollment_ttl_seconds)
    from private.edge_settings s;
  return token;
end
$$;
comment on function private.new_enrollment_token(uuid) is 'Creates a one-time enrollment token for a device; only its hash is kept.';

create or replace function public.create_device(
  name text, labels jsonb default '{}'::jsonb, architecture text default null, cpu numeric default 1,
  memory_mb integer default 1024, address text default null
) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
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
comment on function public.create_device(text, jsonb, text, numeric, integer, text) is
  'Operators: registers an edge device (capacity in vCPUs and MiB; architecture optional, e.g. aarch64) and returns {device_id, enrollment_token}. The token is shown once.';

create or replace function public.create_enrollment_token(device_id uuid) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
begin
  perform private.require_device_admin();
  if not exists (select 1 from public.devices d where d.id = create_enrollment_token.device_id and d.status <> 'revoked') then
    raise exception 'no device % (or it is revoked)', device_id using errcode = 'P0002';
  end if;
  return jsonb_build_object('device_id', device_id, 'enrollment_token', private.new_enrollment_token(device_id));
end
$$;
comment on function public.create_enrollment_token(uuid) is 'Device administrators: a new one-time enrollment token for an existing device (e.g. after its credential was lost).';

create or replace function public.revoke_device(device_id uuid) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
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
comment on function public.revoke_device(uuid) is
  'Operators: revokes a device for good: every credential and unused enrollment token is refused from now on.';

-- ---------------------------------------------------------------------------------------------
-- device API: credentials

create or replace function public.device_token_exchange(enrollment_token text) returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$
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
comment on function public.device_token_exchange(text) is
  'Device agent (anon key): spends a one-time enrollment token and returns a device credential {device_id, token, expires_at}.';

create or replace function public.device_token_renew() returns jsonb
  language plpgsql volatile security definer set search_path = ''
as $$ begin return private.issue_device_credential(private.require_device()); end $$;
comment on function public.device_token_renew() is
  'Device agent: a fresh credential for the calling device. The current one stays valid until it expires.';

-- Architecture names differ between engines and distributions: one spelling is stored and compared.
create or replace function private.edge_architecture(arch text) returns text
  language sql immutable set search_path = ''
as $$
  select case lower(nullif(trim(arch), ''))
    when 'arm64' then 'aarch64' when 'aarch64' then 'aarch64'
    when 'amd64' then 'x86_64' when 'x86_64' then 'x86_64' when 'x86-64' then 'x86_64'
    when 'armhf' then 'armv7l' when 'arm' then 'armv7l'
    else lower(nullif(trim(arch), '')) end
$$;
comment on function private.edge_architecture(text) is 'Canonical architecture name: arm64 → aarch64, amd64 → x86_64, armhf → armv7l.';

revoke execute on all functions in schema private from public, anon, authenticated;
grant execute on function private.is_agent_id(text), private.orchestrator_id(), private.current_agent_id(),
  private.is_operator(), private.device_id_from_jwt() to anon, authenticated, service_role;

revoke execute on function public.create_device(text, jsonb, text, numeric, integer, text), public.create_enrollment_token(uuid),
  public.revoke_device(uuid), public.device_token_renew() from public, anon;
grant execute on function public.create_device(text, jsonb, text, numeric, integer, text), public.create_enrollment_token(uuid),
  public.revoke_device(uuid), public.device_token_renew() to authenticated, service_role;
revoke execute on function public.device_token_exchange(text) from public;
grant execute on function public.device_token_exchange(text) to anon, authenticated, service_role;
