/**
 * The planner: `plan(current, desired)` → the steps that take the engine from what it runs to what the
 * desired state asks for. Pure: no I/O, no clock, no memory of earlier runs, so the same engine state always
 * gives the same steps (restarting the agent cannot create duplicates) and a new deployment is a diff against
 * nothing.
 *
 * Rules
 * - Only containers labelled `agentify.managed=true` are considered; every other container is invisible.
 * - A managed container whose `agentify.container_id` is not desired (or missing) is stopped and removed.
 * - For each desired container, the managed container carrying its id and its spec hash is the current one
 *   (the best-state one when there are several); every other container with its id is stopped and removed
 *   (a changed image, env, port, limit or restart policy changes the hash, so it is replaced).
 * - Order per desired container: pull → stop/remove the stale ones (frees host ports and the engine name)
 *   → create → start. Orphans are removed before any desired container is touched.
 * - A current container is started when `created`, or when `exited` under `always`/`unless-stopped`;
 *   under `no`/`on-failure` an exited container stays exited (the engine's restart policy decides). Otherwise
 *   the container is left alone: `noop`.
 *
 * Steps are data; `execute.ts` has one executor per action. A `create` step carries env values (secrets):
 * log steps by action and ids only.
 */
import type { DesiredContainer, DesiredState } from "../functions/_shared/edge/desired-state.ts";
import { engineSpec, type EngineSpecOptions } from "./engine-spec.ts";
import type { CreateContainerBody, EngineContainer, EngineState } from "./engine-types.ts";
import { CONTAINER_ID_LABEL, SPEC_HASH_LABEL, isManaged } from "./labels.ts";

/** Make sure the image is present: the executor pulls only when the engine does not have it. */
export interface PullStep { action: "pull"; container_id: string; image: string }
export interface CreateStep { action: "create"; container_id: string; engine_name: string; body: CreateContainerBody }
/** `engine_ref` is the engine id, or the engine name of a container created earlier in the same plan. */
export interface StartStep { action: "start"; container_id: string; engine_ref: string }
/** `container_id` is null for a managed container without a readable id label. */
export interface StopStep { action: "stop"; container_id: string | null; engine_id: string }
export interface RemoveStep { action: "remove"; container_id: string | null; engine_id: string }
/** The container already is what the desired state asks for. */
export interface NoopStep { action: "noop"; container_id: string; engine_id: string }

export type Step = PullStep | CreateStep | StartStep | StopStep | RemoveStep | NoopStep;
export type StepAction = Step["action"];

export type PlanOptions = EngineSpecOptions;

/** Engine states in which a container holds its ports and must be stopped before removal. */
const ACTIVE_STATES: ReadonlySet<EngineState> = new Set(["running", "restarting", "paused"]);

/** Preference among several current containers with the same spec: lower is better. */
const STATE_RANK: Record<EngineState, number> = {
  running: 0, restarting: 1, paused: 2, created: 3, exited: 4, removing: 5, dead: 6,
};

/** Exited containers that should be running again. */
const RESTART_EXITED: ReadonlySet<DesiredContainer["restart_policy"]> = new Set(["always", "unless-stopped"]);

export function plan(current: readonly EngineContainer[], desired: DesiredState, options: PlanOptions): Step[] {
  const managed = current.filter((container) => isManaged(container.labels));
  const desiredIds = new Set(desired.containers.map((container) => container.container_id));

  const orphans = managed
    .filter((container) => !desiredIds.has(container.labels[CONTAINER_ID_LABEL] ?? ""))
    .sort((a, b) => (a.engine_id < b.engine_id ? -1 : 1));
  const steps: Step[] = orphans.flatMap((container) => retire(container, container.labels[CONTAINER_ID_LABEL] ?? null));

  for (const container of desired.containers) {
    const mine = managed.filter((engine) => engine.labels[CONTAINER_ID_LABEL] === container.container_id);
    steps.push(...planContainer(container, mine, options));
  }
  return steps;
}

function planContainer(container: DesiredContainer, mine: EngineContainer[], options: PlanOptions): Step[] {
  const spec = engineSpec(container, options);
  const id = container.container_id;
  const keep = mine
    .filter((engine) => engine.labels[SPEC_HASH_LABEL] === spec.specHash && engine.state !== "dead" && engine.state !== "removing")
    .sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || (a.engine_id < b.engine_id ? -1 : 1))[0];
  const stale = mine.filter((engine) => engine !== keep).sort((a, b) => (a.engine_id < b.engine_id ? -1 : 1));
  const retired = stale.flatMap((engine) => retire(engine, id));

  if (keep === undefined) {
    return [
      { action: "pull", container_id: id, image: container.image },
      ...retired,
      { action: "create", container_id: id, engine_name: spec.engineName, body: spec.body },
      { action: "start", container_id: id, engine_ref: spec.engineName },
    ];
  }
  const needsStart = keep.state === "created" || (keep.state === "exited" && RESTART_EXITED.has(container.restart_policy));
  const last: Step = needsStart
    ? { action: "start", container_id: id, engine_ref: keep.engine_id }
    : { action: "noop", container_id: id, engine_id: keep.engine_id };
  return [...retired, last];
}

/** Steps that take a container away; none for one the engine is already removing. */
function retire(container: EngineContainer, containerId: string | null): Step[] {
  if (container.state === "removing") return [];
  const remove: RemoveStep = { action: "remove", container_id: containerId, engine_id: container.engine_id };
  if (!ACTIVE_STATES.has(container.state)) return [remove];
  return [{ action: "stop", container_id: containerId, engine_id: container.engine_id }, remove];
}
