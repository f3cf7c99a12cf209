-- Schemas, ownership and default privileges of a Supabase database (contracts §5.1, §5.3).
-- The database is owned by postgres, so postgres owns public through pg_database_owner, as on hosted Supabase.

select format('alter database %I owner to postgres', current_database()) \gexec

create schema if not exists extensions;
grant usage on schema public, extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres with grant option;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

-- Every new object in public is reachable by the API roles; Row Level Security is the protection.
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;

-- Postgres may create schemas (private, …) in its own database, as on hosted Supabase.
select format('grant create, connect, temporary on database %I to postgres', current_database()) \gexec
