-- pg_net 0.20.4's SQL API (contracts §1), served by the local runtime's worker.
-- Differences from the C extension: the worker is an external process that LISTENs on channel
-- "pg_net_wake"; net.wake() notifies it, and NOTIFY is delivered only at commit, so requests of an
-- aborted transaction never run — the same "after commit only" rule pg_net follows.

create schema if not exists net;

create domain net.http_method as text
  check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');
create type net.http_response as (status_code integer, headers jsonb, body text);
create type net.http_response_result as (status net.request_status, message text, response net.http_response);

create unlogged table net.http_request_queue (
  id bigserial not null,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
create index _http_response_created_idx on net._http_response (created);

create function net.wake() returns void
  language sql volatile parallel unsafe
as $$ select pg_notify('pg_net_wake', '') $$;
comment on function net.wake() is 'Wakes the request worker at commit.';

create function net._urlencode_string(string varchar) returns text
  language sql immutable strict
as $$
  select string_agg(
    case when ch ~ '[A-Za-z0-9_.~-]' then ch
         else upper(regexp_replace(encode(convert_to(ch, 'utf8'), 'hex'), '(..)', '%\1', 'g')) end, '')
  from regexp_split_to_table(string, '') as ch
$$;
comment on function net._urlencode_string(varchar) is 'Percent-encodes a string for a URL query (RFC 3986 unreserved kept).';

create function net._encode_url_with_params_array(url text, params_array text[]) returns text
  language plpgsql immutable strict
as $$
declare
  result text := url;
  separator text := case when position('?' in url) > 0 then '&' else '?' end;
  i int;
begin
  if params_array is null or cardinality(params_array) = 0 then
    return url;
  end if;
  for i in 1 .. cardinality(params_array) loop
    result := result || separator || params_array[i];
    separator := '&';
  end loop;
  return result;
end;
$$;
comment on function net._encode_url_with_params_array(text, text[]) is 'Appends encoded key=value pairs to a URL.';

create function net._params_array(params jsonb) returns text[]
  language sql immutable
as $$
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value) order by key), '{}')
  from jsonb_each_text(coalesce(params, '{}'::jsonb))
$$;
comment on function net._params_array(jsonb) is 'Turns a JSON object of query parameters into encoded key=value pairs.';

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
  language plpgsql volatile parallel unsafe
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, net._params_array(params)), headers, timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end
$$;
comment on function net.http_get(text, jsonb, jsonb, int) is 'Queues an HTTP GET, performed after commit; returns the request id.';

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
  language plpgsql volatile parallel unsafe
as $$
declare
  request_id bigint;
  content_type text;
begin
  select value into content_type
    from jsonb_each_text(coalesce(headers, '{}'::jsonb))
   where lower(key) = 'content-type'
   limit 1;
  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, net._params_array(params)), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end
$$;
comment on function net.http_post(text, jsonb, jsonb, jsonb, int) is 'Queues an HTTP POST of a JSON body, performed after commit; returns the request id.';

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000,
  body jsonb default null
) returns bigint
  language plpgsql volatile parallel unsafe
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('DELETE', net._encode_url_with_params_array(url, net._params_array(params)), headers,
          case when body is null then null else convert_to(body::text, 'UTF8') end, timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end
$$;
comment on function net.http_delete(text, jsonb, jsonb, int, jsonb) is 'Queues an HTTP DELETE, performed after commit; returns the request id.';

create function net._http_collect_response(request_id bigint, async boolean default true)
  returns net.http_response_result
  language plpgsql volatile parallel unsafe
as $$
declare
  rec net._http_response;
begin
  if not async then
    while not exists (select 1 from net._http_response where id = request_id) loop
      perform pg_sleep(0.05);
    end loop;
  end if;
  select * into rec from net._http_response where id = request_id;
  if rec is null or rec.error_msg is not null then
    return ('ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), null)::net.http_response_result;
  end if;
  return ('SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response)::net.http_response_result;
end
$$;
comment on function net._http_collect_response(bigint, boolean) is 'The response of a request; with async = false, waits for it.';

create function net.http_collect_response(request_id bigint, async boolean default true)
  returns net.http_response_result
  language plpgsql volatile parallel unsafe
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end
$$;
comment on function net.http_collect_response(bigint, boolean) is 'Deprecated: use net._http_collect_response.';

create function net.check_worker_is_up() returns void
  language plpgsql
as $$
begin
  if not exists (select 1 from pg_stat_activity where application_name = 'pg_net worker') then
    raise exception 'the pg_net background worker is not up';
  end if;
end
$$;
comment on function net.check_worker_is_up() is 'Raises unless the request worker is connected.';

create function net.wait_until_running() returns void
  language plpgsql
as $$
begin
  while not exists (select 1 from pg_stat_activity where application_name = 'pg_net worker') loop
    perform pg_sleep(0.05);
  end loop;
end
$$;
comment on function net.wait_until_running() is 'Waits until the request worker is connected.';

create function net.worker_restart() returns boolean
  language plpgsql
as $$
begin
  perform pg_notify('pg_net_restart', '');
  return true;
end
$$;
comment on function net.worker_restart() is 'Asks the request worker to reconnect.';

grant usage on schema net to public;
grant all on all tables in schema net to public;
grant all on all sequences in schema net to public;
grant execute on all functions in schema net to public;
