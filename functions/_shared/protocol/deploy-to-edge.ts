import { z } from "zod";
import { deploymentFields } from "./common.ts";

/**
 * The deploy_to_edge payload: the fields of every deploy (common.ts) plus where it runs — a device by id, or labels and an architecture to choose among online devices with
 * enough free capacity (an empty target means any online device).
 *
 * `port` is the port the container listens on (default 8080); it is published on a free host port of the
 * device from the configured range, unless `host_port` names one.
 */
export const edgeTarget = z.union([
  z.object({ device_id: z.string().uuid() }).strict(),
  z.object({
    labels: z.record(z.string().min(1).max(63), z.string().max(255)).optional(),
    architecture: z.string().min(1).max(32).optional(),
  }).strict(),
]);

export const deployToEdge = z.object({
  ...deploymentFields,
  target: edgeTarget,
  host_port: z.number().int().min(1024).max(65535).optional(),
}).strict();

export type EdgeTarget = z.infer<typeof edgeTarget>;
