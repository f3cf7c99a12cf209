-- The health sweep leaves alone the edge containers of devices that are not online: their health is
-- `unknown` while the device is away (private.mark_offline_devices), and a device behind NAT cannot
-- be probed anyway. They are checked again once the device is back (its heartbeat clears
-- last_health_check_at, so they are due at once).

create or replace function private.claim_health_checks(batch_size integer, at timestamptz default now())
  returns setof private.health_claim
  language sql security definer set search_path = ''
as $$
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
comment on function private.claim_health_checks(integer, timestamptz) is
  'Claims (leases) up to batch_size containers due for a health check at `at`, oldest check first, skipping edge containers whose device is not online; concurrent sweeps never claim one twice, and a lease that is not released expires after lease_seconds.';
