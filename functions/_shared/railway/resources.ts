/**
 * The seed's resource strings, as Railway's limits want them: `cpu: "0.5"` → 0.5 vCPU (also "500m"),
 * `memory: "512Mi"` → 0.5 GB. Binary suffixes (Ki, Mi, Gi) count in powers of 1024 and decimal ones
 * (K, M, G) in powers of 1000, each relative to the G of its own family: "1Gi" and "1G" are both 1 GB.
 */
import { RailwayError } from "./errors.ts";

const memoryUnits: Readonly<Record<string, number>> = {
  Ki: 1 / 1024 ** 2,
  Mi: 1 / 1024,
  Gi: 1,
  K: 1 / 1000 ** 2,
  M: 1 / 1000,
  G: 1,
};

function invalid(field: string, value: string, expected: string): RailwayError {
  return new RailwayError("invalid_input", `${field} "${value}" is not valid: expected ${expected}`, { field });
}

/** "0.5" → 0.5, "2" → 2, "250m" → 0.25 (millicores). */
export function parseCpu(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(value);
  const amount = match ? Number(match[1]) / (match[2] === "m" ? 1000 : 1) : NaN;
  if (!(amount > 0)) throw invalid("cpu", value, 'a positive number of vCPUs such as "0.5" or "500m"');
  return amount;
}

/** "512Mi" → 0.5, "1Gi" → 1, "256M" → 0.256 (GB). */
export function parseMemoryGB(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|K|M|G)\s*$/.exec(value);
  const unit = match?.[2] === undefined ? undefined : memoryUnits[match[2]];
  const amount = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!(amount > 0)) throw invalid("memory", value, 'a positive size with a unit Ki, Mi, Gi, K, M or G, such as "512Mi"');
  return amount;
}

export interface ResourceRequest {
  cpu?: string;
  memory?: string;
}

export interface ResourceLimits {
  vCPUs?: number;
  memoryGB?: number;
}

export function parseResources(request: ResourceRequest): ResourceLimits {
  return {
    ...(request.cpu !== undefined ? { vCPUs: parseCpu(request.cpu) } : {}),
    ...(request.memory !== undefined ? { memoryGB: parseMemoryGB(request.memory) } : {}),
  };
}
