/**
 * From a desired container to the exact engine create body, its fingerprint and its engine name. Pure.
 * The fingerprint covers everything the agent sends to the engine (image, env, ports, limits, restart policy,
 * labels), so any change to any of them replaces the container.
 */
import type { DesiredContainer } from "../functions/_shared/edge/desired-state.ts";
import type { CreateContainerBody } from "./engine-types.ts";
import { CONTAINER_ID_LABEL, MANAGED_LABEL, MANAGED_VALUE, NAME_LABEL, SPEC_HASH_LABEL } from "./labels.ts";
import { sha256Hex } from "./sha256.ts";

export interface EngineSpecOptions {
  /** Host IP that published ports bind to (`0.0.0.0` for all interfaces). */
  publishIp: string;
}

export interface EngineSpec {
  /** `agentify-<name>-<first 12 hex of the hash>`: unique per spec, so the engine refuses a second copy. */
  engineName: string;
  specHash: string;
  body: CreateContainerBody;
}

const NANO_CPUS_PER_CPU = 1e9;
const BYTES_PER_MIB = 1024 * 1024;

export function engineSpec(container: DesiredContainer, options: EngineSpecOptions): EngineSpec {
  const ports = [...container.ports].sort((a, b) => a.container_port - b.container_port || a.host_port - b.host_port);
  const portBindings: CreateContainerBody["HostConfig"]["PortBindings"] = {};
  const exposedPorts: CreateContainerBody["ExposedPorts"] = {};
  for (const port of ports) {
    const key = `${port.container_port}/tcp`;
    exposedPorts[key] = {};
    (portBindings[key] ??= []).push({ HostIp: options.publishIp, HostPort: String(port.host_port) });
  }
  const body: CreateContainerBody = {
    Image: container.image,
    Env: Object.keys(container.env).sort().map((name) => `${name}=${container.env[name]}`),
    Labels: { [MANAGED_LABEL]: MANAGED_VALUE, [CONTAINER_ID_LABEL]: container.container_id, [NAME_LABEL]: container.name },
    ExposedPorts: exposedPorts,
    HostConfig: {
      PortBindings: portBindings,
      NanoCpus: Math.round(container.cpu * NANO_CPUS_PER_CPU),
      Memory: container.memory_mb * BYTES_PER_MIB,
      RestartPolicy: { Name: container.restart_policy, MaximumRetryCount: 0 },
    },
  };
  const specHash = sha256Hex(canonicalJson(body));
  body.Labels[SPEC_HASH_LABEL] = specHash;
  return { engineName: `agentify-${container.name}-${specHash.slice(0, 12)}`, specHash, body };
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
