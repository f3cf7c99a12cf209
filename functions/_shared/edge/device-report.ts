/**
 * What an edge device reports: the state of every container the agent manages, their health and usage,
 * and the device's own resources. Sent by the agent with `device_report` (see `device-api.ts`) after every
 * apply and every `report_interval` seconds.
 *
 * Glossary
 * - report: one snapshot of the device, complete for the containers of the desired state the agent last
 *   applied (`generation`). A container of that desired state always appears; a container of an older
 *   generation appears once more with state `removed` after the agent removed it. A `container_id` absent from
 *   a report is not running on the device.
 * - container state (the agent's vocabulary, not the engine's):
 *   `creating` (pull/create/start under way, or created but not yet started), `running`, `restarting`
 *   (the engine is restarting it), `exited` (stopped and the restart policy keeps it stopped), `failed` (the
 *   agent could not pull, create or start it: `engine_error` says why, in the engine's words),
 *   `removed` (stopped and removed because it left the desired state).
 * - health: `healthy` when an HTTP GET of `health_path` on the container's first host port, from the device
 *   itself, answers 2xx/3xx within the timeout; `unhealthy` when it answers otherwise or not at all;
 *   `unknown` when the container is not running or publishes no port.
 * - usage: `cpu_percent` (100 = one full core, as `docker stats` shows it; null until two samples exist),
 *   `memory_mb` (resident memory in MiB, page cache excluded).
 *
 * No secret appears in a report: env values are never read back from the engine.
 */
import { z } from "zod";

export const containerStates = ["creating", "running", "restarting", "exited", "failed", "removed"] as const;
export const containerStateSchema = z.enum(containerStates);

export const healthStates = ["healthy", "unhealthy", "unknown"] as const;
export const healthSchema = z.enum(healthStates);

/** One managed container as the device sees it. */
export const containerReportSchema = z.strictObject({
  container_id: z.uuid(),
  /** The engine's id, null when the engine has none (not yet created, or creation failed). */
  engine_id: z.string().min(1).nullable(),
  state: containerStateSchema,
  health: healthSchema,
  /** The engine's error message when `state` is `failed` (or the last start failed); else null. */
  engine_error: z.string().nullable(),
  /** CPU use in percent of one core; null when not running or not yet measurable. */
  cpu_percent: z.number().min(0).nullable(),
  /** Memory use in MiB; null when not running. */
  memory_mb: z.number().min(0).nullable(),
  /** When the engine last started it (ISO 8601); null when never started. */
  started_at: z.iso.datetime({ offset: true }).nullable(),
});

/** The device itself, as its container engine describes it. */
export const deviceResourcesSchema = z.strictObject({
  /** Host name or IP at which the device's published ports are reachable (the agent's `advertise_address`). */
  address: z.string().max(253).regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/,
    "a bare host name or IP address (no port, path or credentials)",
  ),
  /** Engine architecture, e.g. `aarch64` or `x86_64`. */
  architecture: z.string().min(1),
  /** Logical CPUs the engine sees. */
  cpu_count: z.number().int().min(1),
  /** Total memory the engine sees, in MiB. */
  memory_mb: z.number().int().min(1),
});

export const deviceReportSchema = z.strictObject({
  /** Semver of the agent, e.g. `0.1.0`. */
  agent_version: z.string().min(1).max(64),
  /** Generation of the desired state the agent last applied; null before its first apply. */
  generation: z.number().int().min(0).nullable(),
  containers: z.array(containerReportSchema),
  device: deviceResourcesSchema,
  /** When the snapshot was taken (ISO 8601, UTC). */
  timestamp: z.iso.datetime({ offset: true }),
});

export type ContainerState = z.infer<typeof containerStateSchema>;
export type Health = z.infer<typeof healthSchema>;
export type ContainerReport = z.infer<typeof containerReportSchema>;
export type DeviceResources = z.infer<typeof deviceResourcesSchema>;
export type DeviceReport = z.infer<typeof deviceReportSchema>;
