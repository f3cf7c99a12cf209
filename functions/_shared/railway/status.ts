/**
 * Railway's `DeploymentStatus` mapped to our container status. The record is typed over every status, so
 * adding one to `deploymentStatuses` without mapping it does not compile; a unit test checks the list
 * against Railway's schema.
 */

export const deploymentStatuses = [
  "BUILDING",
  "CRASHED",
  "DEPLOYING",
  "FAILED",
  "INITIALIZING",
  "NEEDS_APPROVAL",
  "QUEUED",
  "REMOVED",
  "REMOVING",
  "SKIPPED",
  "SLEEPING",
  "SUCCESS",
  "WAITING",
] as const;

export type DeploymentStatus = (typeof deploymentStatuses)[number];

/**
 * - pending: waiting on someone (approval, a queue Railway holds)
 * - deploying: on its way
 * - running: live (sleeping: live but idle, woken by the next request)
 * - failed / crashed: bad and final (a crash is reported once the restart policy gave up)
 * - stopped: removed, being removed or skipped
 * - unknown: a status Railway added after this client was written
 */
export type ContainerStatus = "pending" | "deploying" | "running" | "sleeping" | "failed" | "crashed" | "stopped" | "unknown";

export interface StatusMeaning {
  container: ContainerStatus;
  /** No further transition happens without a new action. */
  final: boolean;
}

export const statusMeanings: Readonly<Record<DeploymentStatus, StatusMeaning>> = {
  QUEUED: { container: "deploying", final: false },
  INITIALIZING: { container: "deploying", final: false },
  BUILDING: { container: "deploying", final: false },
  DEPLOYING: { container: "deploying", final: false },
  WAITING: { container: "pending", final: false },
  NEEDS_APPROVAL: { container: "pending", final: false },
  SUCCESS: { container: "running", final: true },
  SLEEPING: { container: "sleeping", final: true },
  FAILED: { container: "failed", final: true },
  CRASHED: { container: "crashed", final: true },
  REMOVING: { container: "stopped", final: false },
  REMOVED: { container: "stopped", final: true },
  SKIPPED: { container: "stopped", final: true },
};

export function isDeploymentStatus(value: string): value is DeploymentStatus {
  return (deploymentStatuses as readonly string[]).includes(value);
}

export function meaningOf(status: string): StatusMeaning {
  return isDeploymentStatus(status) ? statusMeanings[status] : { container: "unknown", final: false };
}

/** A deployment that may still go live by itself: deploying one more would start a second. */
export function isInFlight(status: string): boolean {
  const meaning = meaningOf(status);
  return meaning.container === "deploying" || meaning.container === "pending";
}
