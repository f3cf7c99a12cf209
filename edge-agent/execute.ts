/**
 * Runs planned steps, one executor per step action, each a thin call into the Docker module.
 * Steps run in order. When a step fails, the remaining steps of the same container are skipped (its
 * failure is recorded with the engine's error) and the other containers' steps still run.
 * Logs carry the action and ids only: a `create` step holds env values (secrets).
 */
import type { DockerApi } from "./docker-api.ts";
import { toAgentError, type AgentError } from "./errors.ts";
import type { Logger } from "../functions/_shared/log.ts";
import type { Step, StepAction } from "./plan.ts";

export interface ExecuteContext {
  docker: DockerApi;
  /** Grace before the engine kills a stopping container, seconds. */
  stopTimeoutSeconds: number;
  log: Logger;
}

type Executors = { [A in StepAction]: (step: Extract<Step, { action: A }>, context: ExecuteContext) => Promise<void> };

const executors: Executors = {
  pull: async (step, { docker }) => {
    if (!(await docker.imageExists(step.image))) await docker.pullImage(step.image);
  },
  create: async (step, { docker }) => {
    await docker.createContainer(step.engine_name, step.body);
  },
  start: (step, { docker }) => docker.startContainer(step.engine_ref),
  stop: (step, { docker, stopTimeoutSeconds }) => docker.stopContainer(step.engine_id, stopTimeoutSeconds),
  remove: (step, { docker }) => docker.removeContainer(step.engine_id),
  noop: async () => {},
};

export interface ExecuteResult {
  /** Failed containers by orchestrator container id (or `engine:<id>` for a container without one). */
  failures: Map<string, AgentError>;
  /** Container ids whose engine containers were removed. */
  removed: Set<string>;
  /** Steps that ran and changed something (everything but noops and skipped steps). */
  changed: number;
}

export async function executeSteps(steps: readonly Step[], context: ExecuteContext): Promise<ExecuteResult> {
  const result: ExecuteResult = { failures: new Map(), removed: new Set(), changed: 0 };
  for (const step of steps) {
    const key = step.container_id ?? `engine:${"engine_id" in step ? step.engine_id : ""}`;
    if (result.failures.has(key) || step.action === "noop") continue;
    const fields = { action: step.action, container_id: step.container_id, engine: "engine_id" in step ? step.engine_id : "engine_ref" in step ? step.engine_ref : step.action === "create" ? step.engine_name : undefined };
    try {
      await (executors[step.action] as (step: Step, context: ExecuteContext) => Promise<void>)(step, context);
      result.changed += 1;
      if (step.action === "remove" && step.container_id !== null) result.removed.add(step.container_id);
      context.log.info("step done", fields);
    } catch (error) {
      const failure = toAgentError(error, "engine_error");
      result.failures.set(key, failure);
      context.log.warn("step failed", { ...fields, code: failure.code, error: failure.message });
    }
  }
  return result;
}
