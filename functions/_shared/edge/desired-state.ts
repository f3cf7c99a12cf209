/**
 * The desired state of one edge device: what the orchestrator wants it to run.
 *
 * Glossary
 * - device: a machine on a customer's site (e.g. a Raspberry Pi) running the edge agent next to a container
 *   engine that speaks the Docker Engine API. It pulls its desired state; nobody reaches into it.
 * - desired state: the complete list of containers the device should run, fetched by the agent with
 *   `device_desired_state` (see `device-api.ts`). It is the whole truth, never a delta: a container missing
 *   from it is one the device must stop and remove.
 * - generation: an integer the server bumps on every change to a device's desired state. The agent compares
 *   generations to know whether what it applied is still current.
 * - container: one deployed copy of an agent's image, identified everywhere by the orchestrator's
 *   `container_id` (the id of its row in `public.containers`), never by the engine's id.
 * - engine id: the id the container engine gives a container it created; reported, never relied upon.
 *
 * Secrets: `env` values are secrets. They travel only inside this document over the device's authenticated
 * fetch; no one logs, echoes or broadcasts them.
 *
 * Runtime-neutral: Web-standard APIs and zod only, shared by the Deno edge functions and the agent.
 */
import { z } from "zod";

/** DNS label: lowercase letters, digits and inner hyphens, 1–63 characters. */
export const containerNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a DNS label: a-z, 0-9 and inner '-', at most 63 characters");

/** POSIX-portable environment variable name. */
export const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must match [A-Za-z_][A-Za-z0-9_]*");

export const portNumberSchema = z.number().int().min(1).max(65535);

/** One published TCP port: `host_port` on the device forwards to `container_port` in the container. */
export const portMappingSchema = z.strictObject({
  container_port: portNumberSchema,
  host_port: portNumberSchema,
});

/** The Docker restart policies the agent applies (`HostConfig.RestartPolicy.Name`). */
export const restartPolicies = ["always", "unless-stopped", "on-failure", "no"] as const;
export const restartPolicySchema = z.enum(restartPolicies);

/** One container the device should run. Defaults are declared here, once. */
export const desiredContainerSchema = z.strictObject({
  /** The orchestrator's id of the container (uuid). */
  container_id: z.uuid(),
  /** DNS-safe name, unique on the device. */
  name: containerNameSchema,
  /** Image reference, e.g. `ghcr.io/acme/agent:1.2.0` or `localhost/httpd:test`. */
  image: z.string().min(1).max(512).regex(/^[^\s]+$/, "must not contain whitespace"),
  /** Environment variables (secrets). Default: none. */
  env: z.record(envNameSchema, z.string()).default({}),
  /** Published TCP ports. The first one is where the health check goes. Default: none. */
  ports: z.array(portMappingSchema).default([]),
  /** CPU limit in vCPUs (0.5 = half a core), applied as `HostConfig.NanoCpus`. */
  cpu: z.number().positive().max(1024),
  /** Memory limit in MiB, applied as `HostConfig.Memory`. At least 6 MiB, the engines' floor. */
  memory_mb: z.number().int().min(6).max(16 * 1024 * 1024),
  /** What the engine does when the container exits. Default: `unless-stopped`. */
  restart_policy: restartPolicySchema.default("unless-stopped"),
  /** Path of the HTTP health check on the first published port. Default: `/health`. */
  health_path: z.string().regex(/^\/[^\s]*$/, "must start with '/' and contain no whitespace").default("/health"),
});

/** The whole desired state of one device. Names, container ids and host ports are unique within it. */
export const desiredStateSchema = z
  .strictObject({
    device_id: z.uuid(),
    /** Bumped by the server on every change; never decreases. */
    generation: z.number().int().min(0),
    containers: z.array(desiredContainerSchema),
  })
  .superRefine((state, ctx) => {
    const seen = { container_id: new Set<string>(), name: new Set<string>(), host_port: new Set<number>() };
    state.containers.forEach((container, index) => {
      const keys: [keyof typeof seen, string | number][] = [
        ["container_id", container.container_id],
        ["name", container.name],
        ...container.ports.map((port): [keyof typeof seen, number] => ["host_port", port.host_port]),
      ];
      for (const [key, value] of keys) {
        const set = seen[key] as Set<string | number>;
        if (set.has(value)) ctx.addIssue({ code: "custom", path: ["containers", index, key], message: `duplicate ${key} ${value}` });
        set.add(value);
      }
    });
  });

export type PortMapping = z.infer<typeof portMappingSchema>;
export type RestartPolicy = z.infer<typeof restartPolicySchema>;
export type DesiredContainer = z.infer<typeof desiredContainerSchema>;
export type DesiredState = z.infer<typeof desiredStateSchema>;
/** What a server builds before validation: defaults may be left out. */
export type DesiredStateInput = z.input<typeof desiredStateSchema>;
