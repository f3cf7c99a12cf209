-- Dispatch of requests to the edge function `hosting-orchestrator`, replies, and the sweeper that
-- makes "exactly one reply per request" hold when a wake-up is lost or the function dies.
--
-- Flow: an insert of queued requests calls private.wake_dispatcher() once per statement. It posts
-- one pg_net request to the function unless a wake is already pending; the function resets the flag
-- (private.begin_drain), then claims batches (private.claim_requests, FOR UPDATE SKIP LOCKED) until
-- none is left, answering each with private.complete_request. The messages row, not pg_net's
-- unlogged queue, is the durable record: the sweeper re-queues what a dead drain left dispatched and
-- re-wakes what waits too long.
--
-- Configuration lives in Vault (never in a migration):
--   hosting_orchestrator_url  the function's URL, e.g. https://<ref>.supabase.co/functions/v1/hosting-orchestrator
--   hosting_orchestrator_key  a key the function accepts (the service-role key)

create table private.dispatcher_state (
  id            integer     primary key default 1 check (id = 1),
  wake_pending  boolean     not null default false,
  last_wake_at  timestamptz not null default '-infinity'
);
insert into private.dispatcher_state default values;
alter table private.dispatcher_state enable row level security;
comment on table private.dispatcher_state is 'Whether a wake-up of the dispatcher function is in flight (one row).';

create table private.dispatch_settings (
  id                  integer  primary key default 1 check (id = 1),
  max_attempts        integer  not null default 5 check (max_attempts between 1 and 50),
  deadline_seconds    integer  not null default 900 check (deadline_seconds >= 5),
  backoff_base_seconds integer not null default 5 check (backoff_base_seconds >= 1),
  backoff_max_seconds integer  not null default 300 check (backoff_max_seconds >= 1),
  rewake_after_seconds integer not null default 5 check (rewake_after_seconds >= 1)
);
insert into private.dispatch_settings default values;
alter table private.dispatch_settings enable row level security;
comment on table private.dispatch_settings is
  'Retry policy of dispatch: attempts before dispatch_failed, how long a dispatched request may stay unanswered, backoff between attempts.';

-- ---------------------------------------------------------------------------------------------

create or replace function private.post_to_orchestrator(task text) returns boolean
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.post_to_orchestrator(text) is
  'Queues one pg_net call of the hosting-orchestrator function with {"task": task}, using the URL and key from Vault. False when they are not set.';

create or replace function private.wake_dispatcher(force boolean default false) returns boolean
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.wake_dispatcher(boolean) is
  'Wakes the hosting-orchestrator function with one pg_net call unless a wake is already pending (force: always).';

create or replace function private.tg_messages__dispatch() returns trigger
  language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from inserted where status = 'queued') then
    perform private.wake_dispatcher(false);
  end if;
  return null;
end
$$;
comment on function private.tg_messages__dispatch() is 'After an insert of requests to the orchestrator, wakes the dispatcher (once per statement).';

create trigger "40_dispatch" after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.tg_messages__dispatch();

-- ---------------------------------------------------------------------------------------------
-- the function's side

create or replace function private.begin_drain() returns void
  language sql security definer set search_path = ''
as $$ update private.dispatcher_state set wake_pending = false where id = 1 $$;
comment on function private.begin_drain() is
  'Called by the function before it claims: a request inserted from now on wakes it again.';

create or replace function private.claim_requests(batch_size integer default 50) returns setof public.messages
  language sql security definer set search_path = ''
as $$
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
comment on function private.claim_requests(integer) is
  'Claims up to batch_size queued requests (oldest first) for processing; concurrent drains never claim one twice.';

create or replace function private.redact_payload(payload jsonb) returns jsonb
  language sql immutable set search_path = ''
as $$
  select case
    when jsonb_typeof(payload -> 'env') = 'object' then
      jsonb_set(payload, '{env}', coalesce((select jsonb_object_agg(key, '[redacted]') from jsonb_object_keys(payload -> 'env') as key), '{}'::jsonb))
    when payload ? 'env' then jsonb_set(payload, '{env}', '"[redacted]"')
    else payload
  end
$$;
comment on function private.redact_payload(jsonb) is 'A request payload with every env value replaced by "[redacted]" (keys kept).';

create or replace function private.complete_request(
  request_id uuid, reply_type text, reply_intent text, reply_payload jsonb, error_text text default null
) returns uuid
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.complete_request(uuid, text, text, jsonb, text) is
  'Writes the one reply to a request (a second call writes nothing), marks the request done or failed and redacts its secrets. Returns the reply id, or null when it had been answered already.';

create or replace function private.release_request(request_id uuid, error_text text) returns void
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.release_request(uuid, text) is
  'Gives back a claimed request that could not be processed: queued again with backoff, or answered dispatch_failed after the last attempt.';

create or replace function private.sweep_messages() returns jsonb
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.sweep_messages() is
  'Run by pg_cron: re-queues or fails requests a dead drain left dispatched, and re-wakes the function for requests that wait too long.';

do $$
begin
  if current_database() = coalesce(current_setting('cron.database_name', true), 'postgres') then
    perform private.cron_schedule_every('message-sweeper', 30, 'select private.sweep_messages()');
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Realtime: every message reaches each recipient's private channel agent:<recipient>

create or replace function private.tg_messages__broadcast() returns trigger
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.tg_messages__broadcast() is 'Broadcasts each new message to the private Realtime topic of every recipient (the orchestrator aside).';

create trigger "50_broadcast" after insert on public.messages
  for each row execute function private.tg_messages__broadcast();

create policy "agents receive broadcasts on their own topic" on realtime.messages
  for select to authenticated
  using (
    extension = 'broadcast'
    and (select realtime.topic()) = 'agent:' || (select private.current_agent_id())
  );
create policy "operators receive every agent topic" on realtime.messages
  for select to authenticated
  using (extension = 'broadcast' and (select private.is_operator()) and (select realtime.topic()) like 'agent:%');

-- ---------------------------------------------------------------------------------------------
-- private functions are not for API roles, but for the few that RLS policies and triggers call

revoke execute on all functions in schema private from public, anon, authenticated;
alter default privileges in schema private revoke execute on functions from public;
grant execute on function private.is_agent_id(text), private.orchestrator_id(), private.current_agent_id(),
  private.is_operator() to anon, authenticated, service_role;
