/**
 * The whole deploy of one agent for one customer as a single call. Idempotent per (agent, customer): the
 * service and its domain are found before anything is created, and a deployment already in flight is
 * adopted rather than doubled. Callers serialise deploys of the same agent and customer (the orchestrator
 * holds the container's row); two concurrent first deploys could otherwise both create the service.
 *
 * Sequence: validate input → find the service by name, else create it with its variables → upsert variables
 * on a reused service → limits → service instance settings with the image (health check, replicas, region,
 * restart policy) → generated domain → deployment (adopt one in flight, else serviceInstanceDeployV2).
 *
 * The image is set last, with the settings, rather than in `serviceCreate`: Railway does not document whether
 * a service created from an image deploys at once, and such a deployment could start without our limits and
 * health check. Set this way, any deployment Railway starts on its own already has them, and `deploy`
 * adopts it instead of starting a second one.
 */
import { z } from "zod";
import type { RailwayOperations } from "./client.ts";
import { RailwayError } from "./errors.ts";
import { healthUrlOf, serviceName } from "./naming.ts";
import { parseResources } from "./resources.ts";
import type { RailwayDeployment, RailwayService } from "./types.ts";

export const DEFAULT_HEALTH_PATH = "/health";

export const deployServiceInputSchema = z.object({
  /** e.g. `agent.marketplace.weather`; its last segment names the service. */
  agentId: z.string().min(1),
  customerId: z.string().min(1),
  /** Container image reference, e.g. `ghcr.io/agentify/weather:1.4.0`. */
  image: z.string().min(1),
  /** Environment variables (secrets). Added to or overwriting the service's; never removed. */
  env: z.record(z.string(), z.string()).default({}),
  /** The seed's strings: `cpu: "0.5"`, `memory: "512Mi"`. */
  resources: z.object({ cpu: z.string().optional(), memory: z.string().optional() }).default({}),
  /** Port the container listens on, where the domain routes. Default: Railway's detection (PORT). */
  port: z.number().int().min(1).max(65_535).optional(),
  /** Path Railway checks while a deployment goes live, and our health URL. Default `/health`. */
  healthcheckPath: z.string().startsWith("/").default(DEFAULT_HEALTH_PATH),
  /** Seconds Railway waits for the health check to pass. Default: Railway's (300). */
  healthcheckTimeoutSeconds: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
  /** Railway region id, e.g. `us-west2`. */
  region: z.string().min(1).optional(),
  restartPolicy: z
    .object({ type: z.enum(["ALWAYS", "NEVER", "ON_FAILURE"]), maxRetries: z.number().int().min(0).optional() })
    .optional(),
});

export type DeployServiceInput = z.input<typeof deployServiceInputSchema>;

export interface DeployServiceResult {
  service: RailwayService;
  /** False when the service already existed (a re-deploy). */
  serviceCreated: boolean;
  domain: string;
  /** `https://<domain>` (`http://127.0.0.1:<port>` on the local Railway). */
  address: string;
  healthUrl: string;
  deployment: RailwayDeployment;
  /** False when a deployment already in flight was adopted. */
  deploymentStarted: boolean;
}

export async function deployService(ops: RailwayOperations, rawInput: DeployServiceInput): Promise<DeployServiceResult> {
  const parsed = deployServiceInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    // Issue paths only: a message must never echo an env value.
    const fields = parsed.error.issues.map((issue) => issue.path.join("."));
    throw new RailwayError("invalid_input", `deploy input is invalid: ${fields.join(", ")}`, { fields });
  }
  const input = parsed.data;
  const name = serviceName(input.agentId, input.customerId);
  const limits = parseResources(input.resources);

  const { service, created } = await ops.ensureService({ name, variables: input.env });
  if (!created && Object.keys(input.env).length > 0) await ops.upsertVariables(service.id, input.env);
  if (Object.keys(limits).length > 0) await ops.setLimits(service.id, limits);
  await ops.updateServiceInstance(service.id, {
    image: input.image,
    healthcheckPath: input.healthcheckPath,
    ...(input.healthcheckTimeoutSeconds !== undefined ? { healthcheckTimeoutSeconds: input.healthcheckTimeoutSeconds } : {}),
    ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
    ...(input.region !== undefined ? { region: input.region } : {}),
    ...(input.restartPolicy !== undefined ? { restartPolicy: input.restartPolicy } : {}),
  });
  const { domain } = await ops.ensureDomain(service.id, input.port !== undefined ? { targetPort: input.port } : {});
  const { deployment, started } = await ops.deploy(service.id);

  return {
    service,
    serviceCreated: created,
    domain: domain.domain,
    address: domain.address,
    healthUrl: healthUrlOf(domain.address, input.healthcheckPath),
    deployment,
    deploymentStarted: started,
  };
}
