-- Demo data for the local stack, applied by `supabase db push --include-seed` after the migrations.
-- The message bus schema (containers, devices, messages) adds a customer, an edge device and one
-- deployed agent here.
select 1;
