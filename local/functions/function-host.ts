import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { jsonResponse, type HttpHandler } from "../gateway/routes.ts";
import type { Logger } from "../log/logger.ts";
import { loadFunctionSpecs, type FunctionSpec } from "./function-config.ts";
import { spawnFunctionProcess, type FunctionProcess } from "./function-process.ts";
import { verifyBearer } from "./verify-bearer.ts";

/**
 * `/functions/v1/<name>[/…]`: the local Edge Functions service. Each function runs in real Deno,
 * one process per function, started on first use (or eagerly by `warm()`), restarted when its
 * files or functions/_shared change, and restarted after a crash on the next request.
 * `verify_jwt` from supabase/config.toml is honoured per function.
 */
export interface FunctionHostOptions {
  projectRoot: string;
  jwtSecret: string;
  /** Environment given to every function (SUPABASE_URL, keys, DB URL, .env values). */
  env: Record<string, string>;
  log: Logger;
}

export interface FunctionHost {
  handler: HttpHandler;
  /** Starts every function's process now, so the first request does not pay for booting. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

const PREFIX = "/functions/v1/";

export async function createFunctionHost(o: FunctionHostOptions): Promise<FunctionHost> {
  const functionsDir = path.join(o.projectRoot, "functions");
  const denoBin = path.join(o.projectRoot, "node_modules", ".bin", "deno");
  const workerPath = path.join(o.projectRoot, "local", "functions", "deno-worker.ts");
  const denoConfig = path.join(o.projectRoot, "deno.json");
  let specs = await loadFunctionSpecs(o.projectRoot);
  const running = new Map<string, FunctionProcess>();
  const log = o.log.child({ component: "functions" });

  function processFor(spec: FunctionSpec): FunctionProcess {
    const current = running.get(spec.name);
    if (current && !current.exited) return current;
    const started = spawnFunctionProcess({
      denoBin, denoConfig, workerPath, name: spec.name, entrypoint: spec.entrypoint,
      env: o.env, cwd: o.projectRoot, log,
    });
    running.set(spec.name, started);
    return started;
  }

  async function restart(names: string[]): Promise<void> {
    for (const name of names) {
      const proc = running.get(name);
      running.delete(name);
      if (proc) await proc.stop();
    }
  }

  // Hot reload: a change under functions/<name>/ restarts that function; under functions/_shared/
  // (or deno.json) every function; config.toml changes reload the specs.
  let pending: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const watchers: FSWatcher[] = [];
  const onChange = (what: string) => {
    changed.add(what);
    clearTimeout(pending);
    pending = setTimeout(() => {
      const all = [...changed];
      changed.clear();
      void (async () => {
        specs = await loadFunctionSpecs(o.projectRoot);
        const names = all.some((c) => c === "*") ? [...running.keys()] : all.filter((c) => running.has(c));
        if (names.length > 0) log.info("reloading functions", { functions: names });
        await restart(names);
      })().catch((error: unknown) => log.error("reload failed", { error: String(error) }));
    }, 100);
  };
  // Node's recursive watcher on Linux emits an error (ENOENT) when a folder it watches is deleted
  // under it; unheard, that error would take the runtime down. Log it and watch again.
  let closed = false;
  const watchFunctions = (): void => {
    const watcher = watch(functionsDir, { recursive: true }, (_event, file) => {
      const first = String(file ?? "").split(path.sep)[0] ?? "";
      onChange(first.startsWith("_") || first === "" ? "*" : first);
    });
    watcher.on("error", (error) => {
      log.warn("function watcher failed; watching again", { error: String(error) });
      watcher.close();
      watchers.splice(watchers.indexOf(watcher), 1);
      if (!closed) setTimeout(() => { if (!closed) tryWatch(watchFunctions); onChange("*"); }, 100);
    });
    watchers.push(watcher);
  };
  const watchConfig = (): void => {
    const watcher = watch(path.join(o.projectRoot, "supabase"), () => onChange("*"));
    watcher.on("error", (error) => log.warn("config watcher failed", { error: String(error) }));
    watchers.push(watcher);
  };
  const tryWatch = (start: () => void): void => {
    try {
      start();
    } catch (error) {
      log.warn("file watching unavailable; restart the stack after editing functions", { error: String(error) });
    }
  };
  tryWatch(watchFunctions);
  tryWatch(watchConfig);

  const handler: HttpHandler = async (request) => {
    const url = new URL(request.url);
    const rest = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : "";
    const name = rest.split("/")[0] ?? "";
    const spec = specs.get(name);
    if (!spec) return new Response("Function not found", { status: 404, headers: { "content-type": "text/plain" } });

    if (spec.verifyJwt && request.method !== "OPTIONS") {
      const refusal = await verifyBearer(request.headers.get("authorization"), o.jwtSecret);
      if (refusal) return jsonResponse(401, { msg: refusal });
    }

    const proc = processFor(spec);
    let port: number;
    try {
      port = await proc.ready;
    } catch (error) {
      running.delete(spec.name);
      return jsonResponse(503, { code: "BOOT_ERROR", message: "Worker failed to boot (please check logs)", details: String((error as Error).message).slice(0, 2000) });
    }
    const target = new URL(`http://127.0.0.1:${port}/${rest}${url.search}`);
    const headers = new Headers(request.headers);
    headers.delete("host");
    try {
      const response = await fetch(target, {
        method: request.method,
        headers,
        body: request.body,
        redirect: "manual",
        // @ts-expect-error Node's fetch needs duplex for streamed request bodies.
        duplex: "half",
      });
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      log.error("function request failed", { function: spec.name, error: String(error) });
      if (proc.exited) running.delete(spec.name);
      return jsonResponse(500, { code: "WORKER_ERROR", message: "Function exited due to an error (please check logs)" });
    }
  };

  return {
    handler,
    async warm() {
      await Promise.allSettled([...specs.values()].map((spec) => processFor(spec).ready));
    },
    async close() {
      closed = true;
      clearTimeout(pending);
      watchers.forEach((w) => w.close());
      await restart([...running.keys()]);
    },
  };
}
