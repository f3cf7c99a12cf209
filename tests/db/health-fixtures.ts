import type { Sql } from "postgres";
import type { ProbeResult } from "../../functions/_shared/health/probe.ts";

/** Shared helpers of the health sweep's database tests (not a test file). */
export const OWNER = "agent.marketplace.orchestrator";
export const MONITOR = "agent.monitoring.health";

export const ok = (ms = 12): ProbeResult => ({ status: "healthy", responseTimeMs: ms, httpStatus: 200, error: null });
export const slow = (ms = 2500): ProbeResult => ({ status: "degraded", responseTimeMs: ms, httpStatus: 200, error: null });
export const fail = (error = "HTTP 503"): ProbeResult => ({ status: "unhealthy", responseTimeMs: 7, httpStatus: 503, error });

let serial = 0;

export interface NewContainer {
  target_type?: "railway" | "edge";
  owner_agent_id?: string;
  health_failure_threshold?: number;
  provider_service_id?: string | null;
  provider_deployment_id?: string | null;
  resources?: Record<string, unknown>;
  cpu_usage?: number | null;
  status?: string;
}

/** An online edge device to place edge containers on (the sweep skips containers of devices that are not online). */
export async function onlineDevice(sql: Sql): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.devices (name, status, address, last_heartbeat_at) values ('health-test-device', 'online', '127.0.0.1', now())
    returning id`;
  return row!.id;
}

/** Inserts running containers with health URLs http://c<n>.test/health; returns their ids and URLs. */
export async function insertContainers(sql: Sql, count: number, c: NewContainer = {}): Promise<{ id: string; url: string; serviceId: string | null }[]> {
  const deviceId = c.target_type === "edge" ? await onlineDevice(sql) : null;
  const rows = Array.from({ length: count }, () => {
    const n = ++serial;
    return {
      agent_id: `agent.test.a${n}`,
      customer_id: `cust-${n}`,
      target_type: c.target_type ?? "railway",
      target_id: deviceId,
      owner_agent_id: c.owner_agent_id ?? OWNER,
      image: "ghcr.io/agentify/test:1",
      status: c.status ?? "running",
      health_url: `http://c${n}.test/health`,
      health_failure_threshold: c.health_failure_threshold ?? 3,
      provider_service_id: c.provider_service_id === undefined ? `svc-${n}` : c.provider_service_id,
      provider_deployment_id: c.provider_deployment_id === undefined ? null : c.provider_deployment_id,
      resources: sql.json((c.resources ?? {}) as never),
      cpu_usage: c.cpu_usage ?? null,
    };
  });
  const inserted = await sql<{ id: string; health_url: string; provider_service_id: string | null }[]>`
    insert into public.containers ${sql(rows as never)} returning id, health_url, provider_service_id`;
  return inserted.map((r) => ({ id: r.id, url: r.health_url, serviceId: r.provider_service_id }));
}

/** Takes every container of earlier tests out of the sweep. */
export async function retireAll(sql: Sql): Promise<void> {
  await sql`update public.containers set status = 'stopped', health_claimed_until = null where status = 'running'`;
}

/** A scripted probe: each URL answers its next scripted result (the last one repeats). */
export function scriptedProbe(script: Map<string, ProbeResult[]>, fallback: ProbeResult = ok()) {
  const calls: string[] = [];
  const probe = async (url: string): Promise<ProbeResult> => {
    calls.push(url);
    await new Promise((r) => setImmediate(r)); // let other checks (and sweeps) interleave
    const queue = script.get(url);
    if (!queue || queue.length === 0) return fallback;
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  };
  return { probe, calls };
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date("2026-12-05T10:00:00Z")) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (seconds: number) => { t += seconds * 1000; }, at: () => new Date(t) };
}
