/**
 * The health sweep's vocabulary.
 *
 * - claim: a container leased by one sweep (containers.health_claimed_until) for one check.
 * - outcome: one check of one claimed container — the probe, the state step, usage and the heal decision.
 * - flush: one batch of outcomes written in one transaction (health_checks rows, container updates,
 *   informs), followed by the restarts it decided.
 */
import type { HealDecision } from "../health/heal-policy.ts";
import type { ProbeResult } from "../health/probe.ts";
import type { HealthState, HealthStep } from "../health/state-machine.ts";
import type { ServiceUsage } from "../health/usage.ts";

/** The informs' second recipient: the platform's monitoring agent. */
export const MONITORING_AGENT_ID = "agent.monitoring.health";

/** A claimed container, as private.claim_health_checks returns it. */
export interface ClaimedContainer {
  id: string;
  agent_id: string;
  customer_id: string;
  owner_agent_id: string;
  target_type: string;
  health_url: string;
  image: string;
  resources: Record<string, unknown> | null;
  health_state: HealthState;
  healthy_since: Date | null;
  health_consecutive_failures: number;
  health_failure_threshold: number;
  health_degraded_after_ms: number | null;
  provider_service_id: string | null;
  provider_deployment_id: string | null;
  next_heal_at: Date | null;
  needs_attention: boolean;
}

export interface CheckOutcome {
  container: ClaimedContainer;
  probe: ProbeResult;
  step: HealthStep;
  /** When the check finished (the injected clock). */
  at: Date;
  /** Railway usage of this sweep's metrics call; undefined: keep the last values. */
  usage: ServiceUsage | undefined;
  load: number | null;
}

export interface DecidedOutcome extends CheckOutcome {
  heal: HealDecision;
}

/** A restart the flush decided, to be made after its transaction committed. */
export interface PlannedHeal {
  container: ClaimedContainer;
  attempt: number;
  at: Date;
}

export const recipientsOf = (c: Pick<ClaimedContainer, "owner_agent_id">): string[] =>
  [...new Set([c.owner_agent_id, MONITORING_AGENT_ID])];
