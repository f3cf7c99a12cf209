/**
 * Deno entry of one edge function, run by the local runtime (local/functions/function-host.ts).
 * It stands in for Supabase's edge-runtime main service: the function module calls
 * `Deno.serve(handler)` as on hosted Supabase; here that binds an ephemeral loopback port, reports it
 * on stdout as a JSON line, and turns a thrown error into a 500 WORKER_ERROR response.
 * This is the only file of the local runtime that uses `Deno.*`.
 */
export {};

type Handler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const entry = Deno.env.get("LOCAL_FUNCTION_ENTRY");
const functionName = Deno.env.get("LOCAL_FUNCTION_NAME") ?? "function";
if (!entry) throw new Error("LOCAL_FUNCTION_ENTRY is not set");

function workerError(error: unknown): Response {
  console.error(JSON.stringify({ level: "error", component: "edge-function", function: functionName,
    message: "function threw", error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  return new Response(JSON.stringify({ code: "WORKER_ERROR", message: "Function exited due to an error (please check logs)" }), {
    status: 500,
    headers: { "content-type": "application/json" },
  });
}

let served = false;
const originalServe = Deno.serve.bind(Deno);

// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: unknown[]) => {
  if (served) throw new Error("Deno.serve may be called once per function");
  served = true;
  const handler = args.find((a): a is Handler => typeof a === "function") ??
    (args.find((a) => typeof a === "object" && a !== null && "handler" in a) as { handler: Handler } | undefined)?.handler;
  if (!handler) throw new Error("Deno.serve needs a handler");
  return originalServe({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ event: "listening", port })),
  }, async (request, info) => {
    try {
      return await handler(request, info);
    } catch (error) {
      return workerError(error);
    }
  });
};

await import(new URL(`file://${entry}`).href);
if (!served) {
  throw new Error(`${functionName}: the module did not call Deno.serve(handler)`);
}
