/**
 * Edge function `hosting-orchestrator`: woken by the database (pg_net) when requests are queued,
 * it drains and answers them. All logic lives in ../_shared/orchestrator-app.ts.
 */
import { createOrchestratorApp } from "../_shared/orchestrator-app.ts";

type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil(work: Promise<unknown>): void } };

/** A and AAAA records of a host name (none where a record type does not exist). */
async function resolveHost(host: string): Promise<string[]> {
  const lookups = await Promise.allSettled([Deno.resolveDns(host, "A"), Deno.resolveDns(host, "AAAA")]);
  return lookups.flatMap((l) => (l.status === "fulfilled" ? l.value : []));
}

const app = createOrchestratorApp(Deno.env.toObject(), {
  waitUntil: (work) => (globalThis as EdgeRuntimeGlobal).EdgeRuntime?.waitUntil(work),
  resolveHost,
});

Deno.serve((request) => app.handle(request));
