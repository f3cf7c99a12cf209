import { z } from "zod";

/** Field schemas shared by several intents. */

export const agentId = z.string()
  .regex(/^agent(\.[a-z0-9][a-z0-9_-]*)+$/, "an agent id: lowercase, dot-separated, starting with \"agent.\"")
  .max(200);

export const customerId = z.string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, '_' and '-'")
  .max(63);

export const containerId = z.string().uuid();

/** A container image reference: [registry[:port]/]name[:tag][@sha256:digest]. */
export const imageRef = z.string().max(512).regex(
  /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
  "a container image reference such as ghcr.io/acme/agent:1.2.0",
);

/** Environment for the container: string values only; they are secrets. */
export const envVars = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name").max(128),
  z.string().max(32 * 1024),
).refine((env) => Object.keys(env).length <= 200, "at most 200 variables");

/** "0.5" or 0.5 vCPU; "512Mi", "1Gi", "256M". */
export const resources = z.object({
  cpu: z.union([z.number(), z.string()]).optional()
    .refine((v) => v === undefined || /^\d+(\.\d+)?$/.test(String(v)) && Number(v) > 0 && Number(v) <= 32, "vCPUs as a number such as \"0.5\" (at most 32)"),
  memory: z.string().optional()
    .refine((v) => v === undefined || /^\d+(\.\d+)?(Ki|Mi|Gi|K|M|G)$/.test(v), "memory such as \"512Mi\" or \"1Gi\" (units Ki, Mi, Gi, K, M, G)"),
}).strict();

export const healthPath = z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, "a path such as /health").max(256);

/** The fields every deploy intent shares (deploy_to_railway, deploy_to_edge). */
export const deploymentFields = {
  agent_id: agentId,
  customer_id: customerId,
  image: imageRef,
  env: envVars.default({}),
  resources: resources.default({}),
  health_path: healthPath.optional(),
  /** The port the container listens on. */
  port: z.number().int().min(1).max(65535).optional(),
};
