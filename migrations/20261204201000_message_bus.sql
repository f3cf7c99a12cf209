-- The message bus: agents insert rows into public.messages; requests addressed to the orchestrator
-- are dispatched to the edge function `hosting-orchestrator` (one pg_net call wakes a drain of many
-- messages); every reply is a row too, broadcast over Realtime to `agent:<recipient>`.
--
-- Glossary
--   message       one row of public.messages: an envelope (type, sender, to, intent, payload)
--   request       a message of type 'request'; those addressed to the orchestrator move
--                 queued → dispatched → done | failed
--   reply         the orchestrator's one answer to a request (in_reply_to = the request's id)
--   inform        an unsolicited message from the orchestrator (deployment went live, health changed)
--   conversation  the request and every message about it share conversation_id

create schema if not exists private;
revoke all on schema private from public;

-- ---------------------------------------------------------------------------------------------
-- messages

create table public.messages (
  id              uuid        primary key default gen_random_uuid(),
  type            text        not null,
  sender          text        not null,
  "to"            text[]      not null,
  intent          text        not null,
  payload         jsonb       not null default '{}'::jsonb,
  conversation_id uuid        not null,
  in_reply_to     uuid        references public.messages (id) on delete set null,
  idempotency_key text,
  status          text        not null default 'delivered',
  attempts        integer     not null default 0,
  last_error      text,
  next_attempt_at timestamptz,
  dispatched_at   timestamptz,
  created_at      timestamptz not null default now(),
  processed_at    timestamptz,
  constraint messages_type_known check (type in ('request', 'inform', 'failure', 'refuse', 'not_understood', 'agree', 'cancel')),
  constraint messages_status_known check (status in ('queued', 'dispatched', 'done', 'failed', 'delivered')),
  constraint messages_idempotency_key_length check (idempotency_key is null or length(idempotency_key) between 1 and 200),
  constraint messages_payload_size check (pg_column_size(payload) <= 1048576)
);
comment on table public.messages is
  'The agents'' message bus. Insert a request addressed to agent.agentify.hosting-orchestrator to ask it for work; its reply arrives as a row here and on the Realtime channel agent:<your id>.';

create unique index messages_sender_idempotency_key on public.messages (sender, idempotency_key) where idempotency_key is not null;
create unique index messages_one_reply_per_request on public.messages (in_reply_to)
  where sender = 'agent.agentify.hosting-orchestrator' and in_reply_to is not null;
create index messages_queued on public.messages (created_at) where status in ('queued', 'dispatched');
create index messages_sender_created on public.messages (sender, created_at desc);
create index messages_to_created on public.messages using gin ("to");
create index messages_conversation on public.messages (conversation_id);

alter table public.messages enable row level security;

-- ---------------------------------------------------------------------------------------------
-- envelope validation: clear errors for malformed rows

create or replace function private.is_agent_id(candidate text) returns boolean
  language sql immutable set search_path = ''
as $$ select candidate ~ '^agent(\.[a-z0-9][a-z0-9_-]*)+$' and length(candidate) <= 200 $$;
comment on function private.is_agent_id(text) is
  'True for an agent id: lowercase, dot-separated segments, starting with "agent." (e.g. agent.marketplace.orchestrator).';

create or replace function private.orchestrator_id() returns text
  language sql immutable set search_path = ''
as $$ select 'agent.agentify.hosting-orchestrator'::text $$;
comment on function private.orchestrator_id() is 'The agent id of the Hosting Orchestrator.';

create or replace function private.tg_messages__validate() returns trigger
  language plpgsql set search_path = ''
as $$
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
$$;
comment on function private.tg_messages__validate() is 'Refuses malformed envelopes with a clear message and sets the initial processing state.';

create trigger "10_validate" before insert on public.messages
  for each row execute function private.tg_messages__validate();

-- A retried insert with the same (sender, idempotency_key) keeps the first message: the duplicate is dropped.
create or replace function private.tg_messages__dedupe() returns trigger
  language plpgsql security definer set search_path = ''
as $$
begin
  if new.idempotency_key is not null and exists (
    select 1 from public.messages m where m.sender = new.sender and m.idempotency_key = new.idempotency_key
  ) then
    return null;
  end if;
  return new;
end
$$;
comment on function private.tg_messages__dedupe() is 'Drops a re-sent message whose (sender, idempotency_key) was already received.';

create trigger "20_dedupe" before insert on public.messages
  for each row execute function private.tg_messages__dedupe();

-- ---------------------------------------------------------------------------------------------
-- row level security: an agent sends as itself, reads what it sent or received

grant usage on schema private to anon, authenticated, service_role;
grant execute on function private.is_agent_id(text), private.orchestrator_id() to anon, authenticated, service_role;

create or replace function private.current_agent_id() returns text
  language sql stable set search_path = ''
as $$ select nullif(auth.jwt() ->> 'agent_id', '') $$;
comment on function private.current_agent_id() is 'The agent id claim of the caller''s JWT, or null.';

create or replace function private.is_operator() returns boolean
  language sql stable set search_path = ''
as $$ select coalesce((auth.jwt() ->> 'operator')::boolean, false) $$;
comment on function private.is_operator() is 'True when the caller''s JWT carries the operator claim (the dashboard).';

grant execute on function private.current_agent_id(), private.is_operator() to anon, authenticated, service_role;

revoke insert, update, delete on public.messages from anon, authenticated;
grant select on public.messages to authenticated;
grant insert (type, sender, "to", intent, payload, conversation_id, in_reply_to, idempotency_key)
  on public.messages to authenticated;

create policy "agents send messages as themselves" on public.messages
  for insert to authenticated
  with check (
    sender = (select private.current_agent_id())
    and sender <> (select private.orchestrator_id())
  );

create policy "agents read messages they sent or received" on public.messages
  for select to authenticated
  using (
    sender = (select private.current_agent_id())
    or (select private.current_agent_id()) = any ("to")
  );

create policy "operators read every message" on public.messages
  for select to authenticated
  using ((select private.is_operator()));

-- ---------------------------------------------------------------------------------------------
-- send_message: the function form of an insert, returning the stored message (the first one for a
-- repeated idempotency key)

create or replace function public.send_message(
  "to" text[], intent text, payload jsonb default '{}'::jsonb, type text default 'request',
  idempotency_key text default null, conversation_id uuid default null, in_reply_to uuid default null
) returns public.messages
  language plpgsql security invoker set search_path = ''
as $$
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
comment on function public.send_message(text[], text, jsonb, text, text, uuid, uuid) is
  'Sends a message as the calling agent and returns it; a repeated idempotency_key returns the first message.';
revoke execute on function public.send_message(text[], text, jsonb, text, text, uuid, uuid) from anon, public;
grant execute on function public.send_message(text[], text, jsonb, text, text, uuid, uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- conversation ids: a request without one starts its own conversation (its own id)

create or replace function private.tg_messages__conversation() returns trigger
  language plpgsql security definer set search_path = ''
as $$
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
comment on function private.tg_messages__conversation() is 'A reply joins the conversation of the message it answers; a message without one starts its own (its id).';

create trigger "30_conversation" before insert on public.messages
  for each row execute function private.tg_messages__conversation();
