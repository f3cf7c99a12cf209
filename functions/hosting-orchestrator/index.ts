/**
 * Edge function `hosting-orchestrator`: woken by the database (pg_net) when requests are queued,
 * it drains and answers them. All logic lives in ../_shared/orchestrator-app.ts.
 */
import { createOrchestratorApp } from "../_shared/orchestrator-app.ts";

type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil(work: Promise<unknown>): void } };

const app = createOrchestratorApp(Deno.env.toObject(), {
  waitUntil: (work) => (globalThis as EdgeRuntimeGlobal).EdgeRuntime?.waitUntil(work),
});

Deno.serve((request) => app.handle(request));
