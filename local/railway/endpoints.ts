/**
 * The HTTP endpoint of each service that went live: a real listener on the loopback interface, so health
 * checks have something to call. It answers like Railway's edge does: 502 while the service has no running
 * deployment, the configured health status (200 by default) on `/health` and the health check path, and a
 * small JSON identity on any other path.
 */

export type Handler = (request: Request) => Promise<Response>;
export type Listen = (handler: Handler) => Promise<{ port: number; close(): Promise<void> }>;

export interface EndpointView {
  serviceName: string;
  /** The running deployment, if any. */
  deploymentId: string | null;
  healthPaths: string[];
  healthStatus: number;
  healthDelayMs: number;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function serviceHandler(view: () => EndpointView | undefined, sleep: (ms: number) => Promise<void>): Handler {
  return async (request) => {
    const current = view();
    if (current?.deploymentId == null) {
      return new Response("Application failed to respond", { status: 502, headers: { "content-type": "text/plain" } });
    }
    const { pathname } = new URL(request.url);
    if (current.healthPaths.includes(pathname)) {
      if (current.healthDelayMs > 0) await sleep(current.healthDelayMs);
      const ok = current.healthStatus >= 200 && current.healthStatus < 300;
      return json(current.healthStatus, { status: ok ? "ok" : "unhealthy", service: current.serviceName });
    }
    return json(200, { service: current.serviceName, deployment: current.deploymentId });
  };
}

export interface Endpoints {
  /** Starts the service's listener if it has none; returns `127.0.0.1:<port>`. */
  ensure(serviceId: string): Promise<string>;
  close(serviceId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export function createEndpoints(options: {
  host: string;
  listen: Listen;
  view: (serviceId: string) => EndpointView | undefined;
  sleep: (ms: number) => Promise<void>;
}): Endpoints {
  const open = new Map<string, Promise<{ address: string; close(): Promise<void> }>>();
  async function close(serviceId: string): Promise<void> {
    const listener = open.get(serviceId);
    open.delete(serviceId);
    if (listener) await (await listener).close();
  }
  return {
    ensure(serviceId) {
      let listener = open.get(serviceId);
      if (!listener) {
        listener = options
          .listen(serviceHandler(() => options.view(serviceId), options.sleep))
          .then(({ port, close }) => ({ address: `${options.host}:${port}`, close }));
        open.set(serviceId, listener);
      }
      return listener.then((l) => l.address);
    },
    close,
    async closeAll() {
      await Promise.all([...open.keys()].map(close));
    },
  };
}
