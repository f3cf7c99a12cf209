/**
 * Labels the agent puts on every container it creates. A container without `agentify.managed=true` is not
 * the agent's and is never touched. The spec hash label is how the planner tells a current container from
 * a stale one without remembering anything: restarting the agent cannot create duplicates.
 */
export const MANAGED_LABEL = "agentify.managed";
export const MANAGED_VALUE = "true";
/** The orchestrator's container id (uuid). */
export const CONTAINER_ID_LABEL = "agentify.container_id";
/** SHA-256 of the create body without this label (see `engine-spec.ts`). */
export const SPEC_HASH_LABEL = "agentify.spec_hash";
/** The desired container's DNS-safe name, for people reading `docker ps`. */
export const NAME_LABEL = "agentify.name";

export function isManaged(labels: Record<string, string>): boolean {
  return labels[MANAGED_LABEL] === MANAGED_VALUE;
}
