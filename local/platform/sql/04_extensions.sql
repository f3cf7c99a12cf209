-- Extensions hosted Supabase has installed before any migration runs. Their local stand-ins
-- (pg_net, supabase_vault) are installed into PostgreSQL's extension folder by the stack, so a
-- migration's `create extension if not exists pg_net` finds them installed, exactly as on hosted.

create extension if not exists pg_net with schema extensions;
create extension if not exists supabase_vault;

grant usage on schema net to postgres, anon, authenticated, service_role, supabase_functions_admin;

-- pg_cron lives only in the database named by cron.database_name.
select 'create extension if not exists pg_cron with schema pg_catalog'
 where current_database() = current_setting('cron.database_name', true) \gexec
select 'grant usage on schema cron to postgres with grant option'
 where current_database() = current_setting('cron.database_name', true) \gexec
select 'grant all on all functions in schema cron to postgres with grant option'
 where current_database() = current_setting('cron.database_name', true) \gexec
select 'grant select on cron.job to postgres with grant option'
 where current_database() = current_setting('cron.database_name', true) \gexec
select 'grant select, delete on cron.job_run_details to postgres with grant option'
 where current_database() = current_setting('cron.database_name', true) \gexec
