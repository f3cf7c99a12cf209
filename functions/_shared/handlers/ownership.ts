import type { ContainerRow } from "../db/containers.ts";
import { OrchestratorError } from "../protocol/errors.ts";

/** Only the agent that requested a deployment may check, change or remove it. */
export function assertOwner(container: ContainerRow, sender: string): void {
  if (container.owner_agent_id !== sender) {
    throw new OrchestratorError("forbidden", `container ${container.id} belongs to another agent`);
  }
}
