/**
 * A Docker Engine API v1.41 client over an injected `fetch`-like transport (a unix socket in practice:
 * `main.ts` builds one for Deno, `local/podman/unix-socket-fetch.ts` one for Node). Runtime-neutral.
 * Works against Docker and against podman's Docker-compatible service.
 *
 * Every failure is an `AgentError`: `engine_error` (with the engine's own message and HTTP status),
 * `image_pull_failed` (the engine's pull error) or `engine_unreachable` (the transport failed).
 */
import { AgentError } from "./errors.ts";
import type { CreateContainerBody, EngineContainer, EngineContainerDetails, EngineInfo, EngineState, EngineStatsSample } from "./engine-types.ts";
import { engineStates } from "./engine-types.ts";

/** Sends one HTTP request to the engine; the URL's host is ignored by a unix-socket transport. */
export type EngineFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface DockerApi {
  /** Containers (any state) carrying every given label (`key=value`). */
  listContainers(labels: string[]): Promise<EngineContainer[]>;
  /** Whether the engine has the image locally. */
  imageExists(image: string): Promise<boolean>;
  /** Pulls the image (one tag; `latest` when the reference names none). */
  pullImage(image: string): Promise<void>;
  /** Creates a container and returns its engine id. */
  createContainer(name: string, body: CreateContainerBody): Promise<string>;
  /** Starts a container by id or name; already running is fine. */
  startContainer(ref: string): Promise<void>;
  /** Stops a container, killing it after `timeoutSeconds`; already stopped is fine. */
  stopContainer(ref: string, timeoutSeconds: number): Promise<void>;
  /** Removes a container (forced, with its anonymous volumes); already gone is fine. */
  removeContainer(ref: string): Promise<void>;
  inspectContainer(ref: string): Promise<EngineContainerDetails>;
  /** One stats sample, without waiting for a second one. */
  stats(ref: string): Promise<EngineStatsSample>;
  info(): Promise<EngineInfo>;
}

export interface DockerApiOptions {
  /** Base URL of the engine; the host part is a placeholder for unix sockets. Default `http://docker`. */
  baseUrl?: string;
}

export const DOCKER_API_VERSION = "v1.41";

/** Docker's zero time, used for "never started". */
const ZERO_TIME_PREFIX = "0001-01-01";

export function createDockerApi(transport: EngineFetch, options: DockerApiOptions = {}): DockerApi {
  const base = `${options.baseUrl ?? "http://docker"}/${DOCKER_API_VERSION}`;

  async function call(operation: string, method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<Response> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.headers = { "content-type": "application/json" };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await transport(`${base}${path}`, init);
    } catch (error) {
      throw new AgentError("engine_unreachable", `container engine unreachable: ${(error as Error).message ?? String(error)}`, { operation }, { cause: error });
    }
    if (response.ok || okStatuses.includes(response.status)) return response;
    throw new AgentError("engine_error", await engineMessage(response), { operation, status: response.status });
  }

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const ref = (value: string) => encodeURIComponent(value);

  return {
    async listContainers(labels) {
      const filters = encodeURIComponent(JSON.stringify({ label: labels }));
      const rows = await json<RawListedContainer[]>(await call("container_list", "GET", `/containers/json?all=true&filters=${filters}`));
      return rows.map(toEngineContainer);
    },

    async imageExists(image) {
      const response = await call("image_inspect", "GET", `/images/${ref(image)}/json`, undefined, [404]);
      await response.body?.cancel();
      return response.status !== 404;
    },

    async pullImage(image) {
      const response = await call("image_pull", "POST", `/images/create?${pullQuery(image)}`);
      // The engine answers 200 and then streams progress; a failed pull is an `error` line in the stream.
      const text = await response.text();
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const event = parseJson(line) as { error?: string; errorDetail?: { message?: string } } | undefined;
        const message = event?.errorDetail?.message ?? event?.error;
        if (message !== undefined) throw new AgentError("image_pull_failed", message, { operation: "image_pull", image });
      }
    },

    async createContainer(name, body) {
      const created = await json<{ Id: string }>(await call("container_create", "POST", `/containers/create?name=${ref(name)}`, body));
      return created.Id;
    },

    async startContainer(id) {
      await drain(await call("container_start", "POST", `/containers/${ref(id)}/start`, undefined, [304]));
    },

    async stopContainer(id, timeoutSeconds) {
      await drain(await call("container_stop", "POST", `/containers/${ref(id)}/stop?t=${timeoutSeconds}`, undefined, [304]));
    },

    async removeContainer(id) {
      await drain(await call("container_remove", "DELETE", `/containers/${ref(id)}?force=true&v=true`, undefined, [404]));
    },

    async inspectContainer(id) {
      const raw = await json<RawInspectedContainer>(await call("container_inspect", "GET", `/containers/${ref(id)}/json`));
      const startedAt = raw.State.StartedAt;
      return {
        engine_id: raw.Id,
        state: toEngineState(raw.State.Status),
        started_at: startedAt === undefined || startedAt === "" || startedAt.startsWith(ZERO_TIME_PREFIX) ? null : startedAt,
        error: raw.State.Error === undefined || raw.State.Error === "" ? null : raw.State.Error,
        exit_code: raw.State.ExitCode ?? 0,
      };
    },

    async stats(id) {
      const raw = await json<RawStats>(await call("container_stats", "GET", `/containers/${ref(id)}/stats?stream=false&one-shot=true`));
      const pre = raw.precpu_stats;
      const cache = raw.memory_stats?.stats?.inactive_file ?? raw.memory_stats?.stats?.total_inactive_file ?? raw.memory_stats?.stats?.cache ?? 0;
      return {
        cpu_total_ns: raw.cpu_stats?.cpu_usage?.total_usage ?? 0,
        system_cpu_ns: raw.cpu_stats?.system_cpu_usage ?? 0,
        online_cpus: raw.cpu_stats?.online_cpus ?? raw.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1,
        previous:
          pre?.system_cpu_usage !== undefined && pre.system_cpu_usage > 0
            ? { cpu_total_ns: pre.cpu_usage?.total_usage ?? 0, system_cpu_ns: pre.system_cpu_usage }
            : null,
        memory_bytes: Math.max(0, (raw.memory_stats?.usage ?? 0) - cache),
      };
    },

    async info() {
      const raw = await json<{ Architecture?: string; NCPU?: number; MemTotal?: number }>(await call("engine_info", "GET", "/info"));
      return { architecture: raw.Architecture ?? "unknown", cpu_count: raw.NCPU ?? 1, memory_bytes: raw.MemTotal ?? 0 };
    },
  };
}

/** `fromImage=<ref>` plus `tag=latest` when the reference names neither tag nor digest (else all tags come). */
export function pullQuery(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const named = image.includes("@") || lastSegment.includes(":");
  return `fromImage=${encodeURIComponent(image)}${named ? "" : "&tag=latest"}`;
}

async function engineMessage(response: Response): Promise<string> {
  const text = await response.text();
  const parsed = parseJson(text) as { message?: unknown } | undefined;
  if (typeof parsed?.message === "string" && parsed.message !== "") return parsed.message;
  return text.trim() === "" ? `engine answered HTTP ${response.status}` : text.trim().slice(0, 2000);
}

async function drain(response: Response): Promise<void> {
  await response.body?.cancel();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toEngineState(value: string | undefined): EngineState {
  const state = (value ?? "").toLowerCase();
  if ((engineStates as readonly string[]).includes(state)) return state as EngineState;
  // podman reports "configured" for created and "stopped" for exited containers in some versions.
  if (state === "configured" || state === "initialized") return "created";
  return state === "stopped" ? "exited" : "dead";
}

function toEngineContainer(raw: RawListedContainer): EngineContainer {
  return {
    engine_id: raw.Id,
    name: (raw.Names?.[0] ?? "").replace(/^\//, ""),
    image: raw.Image ?? "",
    labels: raw.Labels ?? {},
    state: toEngineState(raw.State),
  };
}

interface RawListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  Labels?: Record<string, string> | null;
  State?: string;
}

interface RawInspectedContainer {
  Id: string;
  State: { Status?: string; StartedAt?: string; Error?: string; ExitCode?: number };
}

interface RawCpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

interface RawStats {
  cpu_stats?: RawCpuStats;
  precpu_stats?: RawCpuStats;
  memory_stats?: { usage?: number; stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number } };
}
