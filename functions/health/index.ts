/**
 * `health`: answers whether the Edge Functions runtime is up (no JWT needed). Used by monitoring
 * and by the local stack's readiness check.
 */
Deno.serve(() =>
  new Response(JSON.stringify({ status: "ok", runtime: `deno ${Deno.version.deno}`, time: new Date().toISOString() }), {
    headers: { "content-type": "application/json" },
  })
);
