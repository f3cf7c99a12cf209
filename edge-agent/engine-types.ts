/**
 * The container engine as the agent sees it: the few fields of the Docker Engine API (v1.41) that planning
 * and reporting need. The Docker module (`docker-api.ts`) produces and consumes these shapes.
 */

/** `State` of a container in the engine's list (`GET /containers/json`). */
export const engineStates = ["created", "running", "paused", "restarting", "removing", "exited", "dead"] as const;
export type EngineState = (typeof engineStates)[number];

/** One container from the engine's list. */
export interface EngineContainer {
  /** The engine's id. */
  engine_id: string;
  /** The engine's name, without Docker's leading `/`. */
  name: string;
  image: string;
  labels: Record<string, string>;
  state: EngineState;
}

/** The body of `POST /containers/create` that the agent sends. */
export interface CreateContainerBody {
  Image: string;
  /** `NAME=value` pairs (secrets: never log them). */
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  HostConfig: {
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    /** CPU limit in units of 1e-9 CPUs. */
    NanoCpus: number;
    /** Memory limit in bytes. */
    Memory: number;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
  };
}

/** What `GET /containers/{id}/json` tells the reporter. */
export interface EngineContainerDetails {
  engine_id: string;
  state: EngineState;
  /** ISO 8601, or null when never started (Docker's zero time). */
  started_at: string | null;
  /** The engine's last error for this container (e.g. a failed start), or null. */
  error: string | null;
  exit_code: number;
}

/** One sample of `GET /containers/{id}/stats?stream=false&one-shot=true`. */
export interface EngineStatsSample {
  /** Cumulative CPU time of the container, ns. */
  cpu_total_ns: number;
  /** Cumulative CPU time of the host, ns (0 when the engine does not say). */
  system_cpu_ns: number;
  online_cpus: number;
  /** The engine's previous sample, when it provides one (Docker without one-shot); else null. */
  previous: { cpu_total_ns: number; system_cpu_ns: number } | null;
  /** Memory in use minus page cache, bytes. */
  memory_bytes: number;
}

/** What `GET /info` tells the reporter about the device. */
export interface EngineInfo {
  architecture: string;
  cpu_count: number;
  memory_bytes: number;
}
