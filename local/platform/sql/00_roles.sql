-- Supabase platform roles, as hosted Supabase creates them (see shared/design/supabase-contracts.md §5.1).
-- Runs as the bootstrap superuser supabase_admin, before any migration. Idempotent.
-- The password of every login role is :'password' (the local default, "postgres").

do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('postgres',                 'login createdb createrole replication bypassrls nosuperuser'),
      ('anon',                     'nologin inherit'),
      ('authenticated',            'nologin inherit'),
      ('service_role',             'nologin inherit bypassrls'),
      ('authenticator',            'login noinherit'),
      ('supabase_auth_admin',      'login noinherit createrole noreplication'),
      ('supabase_realtime_admin',  'nologin noinherit'),
      ('supabase_functions_admin', 'login noinherit createrole noreplication')
    ) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    else
      execute format('alter role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

alter role postgres password :'password';
alter role authenticator password :'password';
alter role supabase_auth_admin password :'password';
alter role supabase_functions_admin password :'password';

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres with admin option;
grant anon, authenticated, service_role to supabase_realtime_admin;
-- postgres manages policies on realtime.messages (owned by supabase_realtime_admin), as on hosted Supabase.
grant supabase_realtime_admin to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role postgres set search_path = "$user", public, extensions;
