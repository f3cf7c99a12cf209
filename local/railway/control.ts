/**
 * The control API of the local Railway (tests and demos; loopback only, no token), Request → Response,
 * JSON in and out:
 *
 *   GET  /control/state                            services, domains, deployments (variable names, no values)
 *   GET  /control/requests                         the GraphQL request log
 *   POST /control/reset                            forget everything, close every service endpoint
 *   POST /control/faults          {status, count?, retryAfterSeconds?, body?: "json"|"html",
 *                                  operation?: "ServiceCreate", phase?: "before"|"after"}
 *   POST /control/latency         {ms, count?}     (no count: every call; ms 0 clears)
 *   POST /control/deployments/fail-next  {status?: "FAILED"|"CRASHED", count?}
 *   POST /control/deployments/:id/crash
 *   POST /control/services/:idOrName/health   {status?, delayMs?}
 *   POST /control/services/:idOrName/metrics  {cpu?, memoryGB?}
 *   POST /control/timing          {stepMs}
 */
import { z } from "zod";
import type { Handler } from "./endpoints.ts";
import type { Faults } from "./faults.ts";
import type { RequestLog } from "./graphql-handler.ts";
import { Problem } from "./model.ts";
import type { Store } from "./store.ts";

const schemas = {
  faults: z.object({
    status: z.number().int().min(400).max(599),
    count: z.number().int().positive().default(1),
    retryAfterSeconds: z.number().int().min(0).nullable().default(null),
    body: z.enum(["json", "html"]).default("json"),
    operation: z.string().min(1).nullable().default(null),
    phase: z.enum(["before", "after"]).default("before"),
  }),
  latency: z.object({ ms: z.number().int().min(0), count: z.number().int().positive().nullable().default(null) }),
  failNext: z.object({ status: z.enum(["FAILED", "CRASHED"]).default("FAILED"), count: z.number().int().positive().default(1) }),
  health: z.object({ status: z.number().int().min(100).max(599).optional(), delayMs: z.number().int().min(0).optional() }),
  metrics: z.object({ cpu: z.number().min(0).optional(), memoryGB: z.number().min(0).optional() }),
  timing: z.object({ stepMs: z.number().int().min(0) }),
};

const json = (status: number, body: unknown) =>
  new Response(`${JSON.stringify(body, null, 2)}\n`, { status, headers: { "content-type": "application/json" } });

async function input<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const text = await request.text();
  const parsed = schema.safeParse(text.trim() === "" ? {} : JSON.parse(text));
  if (!parsed.success) throw new Problem("invalid", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return parsed.data;
}

export function createControlHandler(deps: { store: Store; faults: Faults; requestLog: RequestLog }): Handler {
  const { store, faults, requestLog } = deps;

  async function route(request: Request, path: string[]): Promise<Response> {
    const [first, id, action] = path;
    const post = request.method === "POST";
    if (request.method === "GET" && first === "state" && !id) return json(200, { ...store.snapshot(), ...faults.snapshot() });
    if (request.method === "GET" && first === "requests" && !id) return json(200, requestLog.entries);
    if (post && first === "reset" && !id) {
      await store.reset();
      faults.reset();
      requestLog.entries.length = 0;
      return json(200, { reset: true });
    }
    if (post && first === "faults" && !id) {
      faults.add(await input(request, schemas.faults));
      return json(200, faults.snapshot());
    }
    if (post && first === "latency" && !id) {
      const { ms, count } = await input(request, schemas.latency);
      faults.setLatency({ ms, remaining: count });
      return json(200, faults.snapshot());
    }
    if (post && first === "timing" && !id) {
      store.setStepMs((await input(request, schemas.timing)).stepMs);
      return json(200, { stepMs: store.snapshot().stepMs });
    }
    if (post && first === "deployments" && id === "fail-next" && !action) {
      const { status, count } = await input(request, schemas.failNext);
      store.failNextDeployments(status, count);
      return json(200, { pendingFailures: store.snapshot().pendingFailures });
    }
    if (post && first === "deployments" && id && action === "crash") {
      store.crash(id);
      return json(200, { id, status: "CRASHED" });
    }
    if (post && first === "services" && id && action === "health") {
      const { status, delayMs } = await input(request, schemas.health);
      const behaviour = store.setBehaviour(id, { ...(status !== undefined ? { healthStatus: status } : {}), ...(delayMs !== undefined ? { healthDelayMs: delayMs } : {}) });
      return json(200, behaviour);
    }
    if (post && first === "services" && id && action === "metrics") {
      const { cpu, memoryGB } = await input(request, schemas.metrics);
      return json(200, store.setBehaviour(id, { ...(cpu !== undefined ? { cpu } : {}), ...(memoryGB !== undefined ? { memoryGB } : {}) }));
    }
    return json(404, { error: `no control route ${request.method} /control/${path.join("/")}` });
  }

  return async (request) => {
    const path = new URL(request.url).pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
    try {
      return await route(request, path);
    } catch (error) {
      if (error instanceof Problem) return json(error.kind === "not_found" ? 404 : 400, { error: error.message });
      if (error instanceof SyntaxError) return json(400, { error: "body must be JSON" });
      throw error;
    }
  };
}
