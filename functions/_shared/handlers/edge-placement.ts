import type { Sql } from "postgres";
import { type DeviceCandidate, lockDevice, lockMatchingDevices } from "../db/devices.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { EdgeTarget } from "../protocol/deploy-to-edge.ts";

/** What one edge container reserves on its device. */
export interface EdgeLimits {
  /** vCPUs. */
  cpu: number;
  /** MiB. */
  memoryMb: number;
}

/** Defaults when a deploy_to_edge payload names no resources: half a core and 256 MiB. */
export const DEFAULT_EDGE_LIMITS: EdgeLimits = { cpu: 0.5, memoryMb: 256 };

const bytesPerUnit: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };

/** The payload's resources (already validated: "0.5", "512Mi", "1G") as vCPUs and whole MiB (at least 6, the engines' floor). */
export function edgeLimits(resources: { cpu?: string | number | undefined; memory?: string | undefined }): EdgeLimits {
  const cpu = resources.cpu === undefined ? DEFAULT_EDGE_LIMITS.cpu : Number(resources.cpu);
  let memoryMb = DEFAULT_EDGE_LIMITS.memoryMb;
  const memory = resources.memory === undefined ? undefined : /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)$/.exec(resources.memory);
  if (memory) memoryMb = Math.max(6, Math.ceil((Number(memory[1]) * (bytesPerUnit[memory[2]!] ?? 1)) / 1024 ** 2));
  return { cpu, memoryMb };
}

function fits(device: DeviceCandidate, limits: EdgeLimits): boolean {
  return device.free_cpu + 1e-9 >= limits.cpu && device.free_memory_mb >= limits.memoryMb;
}

function tooSmall(device: DeviceCandidate, limits: EdgeLimits): OrchestratorError {
  return new OrchestratorError("insufficient_capacity", `device ${device.id} has ${device.free_cpu} vCPU and ${device.free_memory_mb} MiB free; the deployment needs ${limits.cpu} vCPU and ${limits.memoryMb} MiB`, {
    device_id: device.id, free_cpu: device.free_cpu, free_memory_mb: device.free_memory_mb, cpu: limits.cpu, memory_mb: limits.memoryMb,
  });
}

/**
 * Chooses the device of a deployment, locking it for the caller's transaction so concurrent placements
 * see each other's reservations. A device is usable when online and its address is known (it has
 * reported). Errors: not_found (unknown or revoked id), device_offline, insufficient_capacity,
 * no_matching_device (labels/architecture match no device at all).
 */
export async function chooseDevice(sql: Sql, target: EdgeTarget, limits: EdgeLimits): Promise<DeviceCandidate & { address: string }> {
  const usable = (d: DeviceCandidate): d is DeviceCandidate & { address: string } => d.status === "online" && d.address !== null;
  if ("device_id" in target) {
    const device = await lockDevice(sql, target.device_id);
    if (!device || device.status === "revoked") throw new OrchestratorError("not_found", `no device ${target.device_id}`);
    if (!usable(device)) {
      throw new OrchestratorError("device_offline", device.status === "online"
        ? `device ${device.id} has not reported its address yet`
        : `device ${device.id} is offline`, { device_id: device.id });
    }
    if (!fits(device, limits)) throw tooSmall(device, limits);
    return device;
  }
  const matching = await lockMatchingDevices(sql, target.labels ?? {}, target.architecture);
  const criteria = { labels: target.labels ?? {}, ...(target.architecture ? { architecture: target.architecture } : {}) };
  if (matching.length === 0) throw new OrchestratorError("no_matching_device", "no device matches the target's labels and architecture", criteria);
  const online = matching.filter(usable);
  if (online.length === 0) {
    throw new OrchestratorError("device_offline", `all ${matching.length} matching device(s) are offline`, { ...criteria, device_ids: matching.map((d) => d.id) });
  }
  const chosen = online.find((d) => fits(d, limits));
  if (!chosen) {
    throw new OrchestratorError("insufficient_capacity", `no online matching device has ${limits.cpu} vCPU and ${limits.memoryMb} MiB free`, {
      ...criteria, cpu: limits.cpu, memory_mb: limits.memoryMb,
      devices: online.map((d) => ({ device_id: d.id, free_cpu: d.free_cpu, free_memory_mb: d.free_memory_mb })),
    });
  }
  return chosen;
}

/** DNS-label name of the container on its device: `<last agent segment>-<customer>-<8 hex of the container id>`. */
export function edgeContainerName(agentId: string, customerId: string, containerId: string): string {
  const base = `${agentId.split(".").at(-1) ?? "agent"}-${customerId}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-");
  return `${base.slice(0, 54).replace(/^-+|-+$/g, "") || "agent"}-${containerId.replace(/-/g, "").slice(0, 8)}`;
}

/**
 * `http://host:port`, with an IPv6 host in brackets. Built and checked with URL: a device's address
 * that would change the port or the path is refused rather than turned into someone else's URL.
 */
export function edgeAddress(host: string, port: number): string {
  const url = new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`);
  if (url.port !== (port === 80 ? "" : String(port)) || url.pathname !== "/" || url.username || url.search || url.hash) {
    throw new OrchestratorError("conflict", `the device reported an address that is not a bare host: ${host.slice(0, 80)}`);
  }
  return url.origin;
}
