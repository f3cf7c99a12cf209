/**
 * Agent configuration, from environment variables over an optional JSON file (same keys, snake_case, as the
 * `key` column below). Validated once, here; every default is declared here.
 *
 * | key                    | env                          | default                                  |
 * |------------------------|------------------------------|------------------------------------------|
 * | supabase_url           | SUPABASE_URL                 | (required)                               |
 * | anon_key               | SUPABASE_ANON_KEY            | (required)                               |
 * | device_token           | AGENTIFY_DEVICE_TOKEN        | none: a device JWT given directly        |
 * | enrollment_token       | AGENTIFY_ENROLLMENT_TOKEN    | none: exchanged once for a credential    |
 * | credential_file        | AGENTIFY_CREDENTIAL_FILE     | /var/lib/agentify-edge/credential.json   |
 * | docker_socket          | DOCKER_SOCKET                | /var/run/docker.sock                     |
 * | advertise_address      | AGENTIFY_ADVERTISE_ADDRESS   | (required) host/IP where ports are reachable |
 * | publish_ip             | AGENTIFY_PUBLISH_IP          | 0.0.0.0 (host IP published ports bind to) |
 * | health_check_host      | AGENTIFY_HEALTH_CHECK_HOST   | 127.0.0.1                                |
 * | heartbeat_interval_s   | AGENTIFY_HEARTBEAT_INTERVAL_S| 10                                       |
 * | poll_interval_s        | AGENTIFY_POLL_INTERVAL_S     | 60 (full re-fetch of the desired state)  |
 * | report_interval_s      | AGENTIFY_REPORT_INTERVAL_S   | 30                                       |
 * | health_timeout_ms      | AGENTIFY_HEALTH_TIMEOUT_MS   | 2000                                     |
 * | stop_timeout_s         | AGENTIFY_STOP_TIMEOUT_S      | 10 (grace before the engine kills)       |
 * | backoff_base_ms        | AGENTIFY_BACKOFF_BASE_MS     | 1000                                     |
 * | backoff_max_ms         | AGENTIFY_BACKOFF_MAX_MS      | 300000 (5 min)                           |
 *
 * Tokens are secrets: never logged. The credential file holds the device JWT (written with mode 0600).
 */
import { z } from "zod";
import { AgentError } from "./errors.ts";

const seconds = z.coerce.number().positive();
const milliseconds = z.coerce.number().int().positive();

export const configSchema = z
  .object({
    supabase_url: z.url().transform((url) => url.replace(/\/+$/, "")),
    anon_key: z.string().min(1),
    device_token: z.string().min(1).optional(),
    enrollment_token: z.string().min(1).optional(),
    credential_file: z.string().min(1).default("/var/lib/agentify-edge/credential.json"),
    docker_socket: z.string().min(1).default("/var/run/docker.sock"),
    advertise_address: z.string().min(1),
    publish_ip: z.union([z.ipv4(), z.ipv6()]).default("0.0.0.0"),
    health_check_host: z.string().min(1).default("127.0.0.1"),
    heartbeat_interval_s: seconds.default(10),
    poll_interval_s: seconds.default(60),
    report_interval_s: seconds.default(30),
    health_timeout_ms: milliseconds.default(2000),
    stop_timeout_s: z.coerce.number().int().min(0).default(10),
    backoff_base_ms: milliseconds.default(1000),
    backoff_max_ms: milliseconds.default(300_000),
  })
  .refine((config) => config.backoff_max_ms >= config.backoff_base_ms, { message: "backoff_max_ms must be ≥ backoff_base_ms", path: ["backoff_max_ms"] });

export type AgentConfig = z.infer<typeof configSchema>;

const ENV_NAMES: Record<keyof z.input<typeof configSchema>, string> = {
  supabase_url: "SUPABASE_URL",
  anon_key: "SUPABASE_ANON_KEY",
  device_token: "AGENTIFY_DEVICE_TOKEN",
  enrollment_token: "AGENTIFY_ENROLLMENT_TOKEN",
  credential_file: "AGENTIFY_CREDENTIAL_FILE",
  docker_socket: "DOCKER_SOCKET",
  advertise_address: "AGENTIFY_ADVERTISE_ADDRESS",
  publish_ip: "AGENTIFY_PUBLISH_IP",
  health_check_host: "AGENTIFY_HEALTH_CHECK_HOST",
  heartbeat_interval_s: "AGENTIFY_HEARTBEAT_INTERVAL_S",
  poll_interval_s: "AGENTIFY_POLL_INTERVAL_S",
  report_interval_s: "AGENTIFY_REPORT_INTERVAL_S",
  health_timeout_ms: "AGENTIFY_HEALTH_TIMEOUT_MS",
  stop_timeout_s: "AGENTIFY_STOP_TIMEOUT_S",
  backoff_base_ms: "AGENTIFY_BACKOFF_BASE_MS",
  backoff_max_ms: "AGENTIFY_BACKOFF_MAX_MS",
};

/** The environment variable name of every config key, for docs and error messages. */
export const configEnvNames: Readonly<Record<string, string>> = ENV_NAMES;

/**
 * Builds the config from `env` over `file` (the parsed JSON file, or undefined). Empty env values count as
 * unset. Throws `invalid_config` naming every bad key and its env variable, never a value.
 */
export function loadConfig(env: Record<string, string | undefined>, file?: unknown): AgentConfig {
  if (file !== undefined && (typeof file !== "object" || file === null || Array.isArray(file))) {
    throw new AgentError("invalid_config", "config file must hold a JSON object");
  }
  const merged: Record<string, unknown> = { ...(file as Record<string, unknown> | undefined) };
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      return `${key}${ENV_NAMES[key as keyof typeof ENV_NAMES] ? ` (${ENV_NAMES[key as keyof typeof ENV_NAMES]})` : ""}: ${issue.message}`;
    });
    throw new AgentError("invalid_config", `invalid agent configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}
