-- Demo data for the local stack, applied once by `supabase db push --include-seed` after the migrations
-- (the CLI records applied seed files and skips them on later pushes; `npm run reset` applies it again).
--
-- * an edge device, "demo-pi", for customer cust_demo's site: enroll a device agent with a token from
--   `select public.create_enrollment_token(id) from public.devices where name = 'demo-pi';`
-- * one deployed agent: a deploy_to_railway request from the demo console agent, answered by the
--   orchestrator when the stack starts (on the local Railway, whose services live as long as `npm start` runs).

select public.create_device('demo-pi', '{"site": "cust_demo-lab", "customer": "cust_demo"}'::jsonb, 'aarch64', 2, 2048);

insert into public.messages (type, sender, "to", intent, payload, idempotency_key)
values ('request', 'agent.demo.console', '{agent.agentify.hosting-orchestrator}', 'deploy_to_railway',
        '{"agent_id": "agent.demo.echo", "customer_id": "cust_demo", "image": "ghcr.io/agentify/echo:1.0.0",
          "env": {"GREETING": "hello"}, "resources": {"cpu": "0.5", "memory": "512Mi"}}'::jsonb,
        'seed-demo-deploy');
