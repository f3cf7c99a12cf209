/**
 * The reconcile loop: fetch the desired state, list the managed containers, plan, execute, report.
 *
 * Invariant: at most one apply runs at a time (there is one loop, and `nudge` only wakes it); every pass
 * starts from a fresh fetch and a fresh engine listing, so nothing remembered can make it wrong. After a
 * failed pass (orchestrator unreachable, engine unreachable, a container that could not be pulled, created
 * or started) the next pass waits a capped exponential backoff; after a clean pass it waits the poll
 * interval. A nudge (Realtime, or a heartbeat seeing a newer generation) cuts any wait short. Offline, the
 * containers are left as they are: nothing is stopped because the orchestrator cannot be reached.
 */
import type { DesiredState } from "../functions/_shared/edge/desired-state.ts";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { DockerApi } from "./docker-api.ts";
import { toAgentError, type AgentError } from "./errors.ts";
import { executeSteps } from "./execute.ts";
import { MANAGED_LABEL, MANAGED_VALUE } from "./labels.ts";
import type { Logger } from "../functions/_shared/log.ts";
import { plan, type PlanOptions } from "./plan.ts";

/** What the last completed apply left behind, for the reporter. */
export interface ApplyStatus {
  desired: DesiredState;
  /** Containers whose steps failed, with the engine's error. */
  failures: Map<string, AgentError>;
  /** Container ids removed and not yet acknowledged by a sent report. */
  removed: Set<string>;
}

export interface ReconcilerOptions {
  fetchDesired: () => Promise<DesiredState>;
  docker: DockerApi;
  planOptions: PlanOptions;
  stopTimeoutSeconds: number;
  pollIntervalMs: number;
  backoff: BackoffPolicy;
  random: () => number;
  clock: Clock;
  log: Logger;
  /** Called after every apply (e.g. to send a report); its failures are logged, not retried here. */
  onApplied?: (status: ApplyStatus) => Promise<void>;
}

/** The result of one pass; `delayMs` is how long the loop waits before the next one. */
export interface PassOutcome {
  ok: boolean;
  error?: AgentError;
  delayMs: number;
}

export class Reconciler {
  private failures = 0;
  private wake = new AbortController();
  private lastStatus: ApplyStatus | undefined;

  constructor(private readonly options: ReconcilerOptions) {}

  /** The outcome of the last completed apply, undefined before the first. */
  get status(): ApplyStatus | undefined {
    return this.lastStatus;
  }

  /** Drops removals a sent report has told the orchestrator about. */
  acknowledgeRemoved(ids: Iterable<string>): void {
    for (const id of ids) this.lastStatus?.removed.delete(id);
  }

  /** Asks for a pass now: ends the current wait (or the next one, when a pass is running). */
  nudge(): void {
    this.wake.abort();
  }

  /** Runs passes until `signal` aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const wake = (this.wake = new AbortController());
      const outcome = await this.pass();
      if (signal.aborted) break;
      if (!wake.signal.aborted) await this.options.clock.sleep(outcome.delayMs, AbortSignal.any([signal, wake.signal]));
    }
  }

  /** One fetch → list → plan → execute → report pass. Never throws. */
  async pass(): Promise<PassOutcome> {
    const { log } = this.options;
    try {
      const desired = await this.options.fetchDesired();
      const current = await this.options.docker.listContainers([`${MANAGED_LABEL}=${MANAGED_VALUE}`]);
      const steps = plan(current, desired, this.options.planOptions);
      const result = await executeSteps(steps, { docker: this.options.docker, stopTimeoutSeconds: this.options.stopTimeoutSeconds, log });
      const desiredIds = new Set(desired.containers.map((container) => container.container_id));
      const removed = new Set([...(this.lastStatus?.removed ?? []), ...result.removed].filter((id) => !desiredIds.has(id)));
      this.lastStatus = { desired, failures: result.failures, removed };
      if (result.changed > 0 || result.failures.size > 0) {
        log.info("applied", { generation: desired.generation, changed: result.changed, failed: [...result.failures.keys()] });
      }
      await this.options.onApplied?.(this.lastStatus).catch((error: unknown) => log.warn("after-apply hook failed", { error: toAgentError(error, "engine_error").toJSON() }));
      const first = result.failures.values().next();
      return first.done ? this.succeeded() : this.failed(first.value);
    } catch (error) {
      const failure = toAgentError(error, "engine_error");
      log.warn("reconcile pass failed; keeping what runs", { code: failure.code, error: failure.message });
      return this.failed(failure);
    }
  }

  private succeeded(): PassOutcome {
    this.failures = 0;
    return { ok: true, delayMs: this.options.pollIntervalMs };
  }

  private failed(error: AgentError): PassOutcome {
    this.failures += 1;
    return { ok: false, error, delayMs: backoffDelayMs(this.failures, this.options.backoff, this.options.random) };
  }
}
