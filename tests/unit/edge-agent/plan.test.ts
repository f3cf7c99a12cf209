import { describe, expect, it } from "vitest";
import { engineSpec } from "../../../edge-agent/engine-spec.ts";
import type { EngineContainer, EngineState } from "../../../edge-agent/engine-types.ts";
import { CONTAINER_ID_LABEL, MANAGED_LABEL, SPEC_HASH_LABEL } from "../../../edge-agent/labels.ts";
import { plan, type Step } from "../../../edge-agent/plan.ts";
import { ID_A, ID_B, OPTIONS, desiredContainer, desiredState, engineContainerFor } from "./fixtures.ts";

const actions = (steps: Step[]) => steps.map((step) => `${step.action}:${"engine_id" in step ? step.engine_id : "engine_ref" in step ? step.engine_ref : step.container_id}`);

describe("plan: a new deployment is a diff against nothing", () => {
  it("pulls, creates and starts a desired container the engine does not have", () => {
    const container = desiredContainer();
    const spec = engineSpec(container, OPTIONS);
    const steps = plan([], desiredState([container]), OPTIONS);
    expect(steps).toEqual([
      { action: "pull", container_id: ID_A, image: container.image },
      { action: "create", container_id: ID_A, engine_name: spec.engineName, body: spec.body },
      { action: "start", container_id: ID_A, engine_ref: spec.engineName },
    ]);
  });

  it("creates with env, port bindings, limits, restart policy and the management labels", () => {
    const steps = plan([], desiredState([desiredContainer({ env: { B: "2", A: "1" }, cpu: 1.5, memory_mb: 256, restart_policy: "always" })]), OPTIONS);
    const create = steps.find((step) => step.action === "create");
    expect(create?.action === "create" && create.body).toMatchObject({
      Image: "localhost/agentify-httpd:test",
      Env: ["A=1", "B=2"],
      ExposedPorts: { "8080/tcp": {} },
      Labels: { [MANAGED_LABEL]: "true", [CONTAINER_ID_LABEL]: ID_A, "agentify.name": "weather-agent" },
      HostConfig: {
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }] },
        NanoCpus: 1_500_000_000,
        Memory: 256 * 1024 * 1024,
        RestartPolicy: { Name: "always", MaximumRetryCount: 0 },
      },
    });
    expect(create?.action === "create" && create.body.Labels[SPEC_HASH_LABEL]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("plans every desired container, in the desired order", () => {
    const a = desiredContainer();
    const b = desiredContainer({ container_id: ID_B, name: "mail-agent", ports: [{ container_port: 8080, host_port: 18081 }] });
    const steps = plan([], desiredState([a, b]), OPTIONS);
    expect(steps.map((step) => `${step.action}:${step.container_id}`)).toEqual([
      `pull:${ID_A}`, `create:${ID_A}`, `start:${ID_A}`, `pull:${ID_B}`, `create:${ID_B}`, `start:${ID_B}`,
    ]);
  });

  it("plans nothing for an empty desired state on an empty engine", () => {
    expect(plan([], desiredState([]), OPTIONS)).toEqual([]);
  });
});

describe("plan: idempotent — what runs as desired is left alone", () => {
  it("is a noop for a running container with the same spec (an agent restart creates no duplicate)", () => {
    const container = desiredContainer();
    const current = [engineContainerFor(container, "running", "e1")];
    expect(plan(current, desiredState([container]), OPTIONS)).toEqual([{ action: "noop", container_id: ID_A, engine_id: "e1" }]);
  });

  it.each<EngineState>(["restarting", "paused"])("leaves a %s container to the engine", (state) => {
    const container = desiredContainer();
    expect(actions(plan([engineContainerFor(container, state, "e1")], desiredState([container]), OPTIONS))).toEqual(["noop:e1"]);
  });

  it("gives the same steps for the same input (pure)", () => {
    const container = desiredContainer();
    const current = [engineContainerFor(container, "exited", "e1")];
    expect(plan(current, desiredState([container]), OPTIONS)).toEqual(plan(current, desiredState([container]), OPTIONS));
  });

  it("does not depend on the generation", () => {
    const container = desiredContainer();
    const current = [engineContainerFor(container, "running", "e1")];
    expect(plan(current, desiredState([container], 7), OPTIONS)).toEqual(plan(current, desiredState([container], 8), OPTIONS));
  });
});

describe("plan: starting what should run", () => {
  it("starts a container that was created but never started (agent died between create and start)", () => {
    const container = desiredContainer();
    expect(actions(plan([engineContainerFor(container, "created", "e1")], desiredState([container]), OPTIONS))).toEqual(["start:e1"]);
  });

  it.each(["always", "unless-stopped"] as const)("starts an exited container under restart policy %s", (restart_policy) => {
    const container = desiredContainer({ restart_policy });
    expect(actions(plan([engineContainerFor(container, "exited", "e1")], desiredState([container]), OPTIONS))).toEqual(["start:e1"]);
  });

  it.each(["no", "on-failure"] as const)("leaves an exited container exited under restart policy %s", (restart_policy) => {
    const container = desiredContainer({ restart_policy });
    expect(actions(plan([engineContainerFor(container, "exited", "e1")], desiredState([container]), OPTIONS))).toEqual(["noop:e1"]);
  });

  it("replaces a dead container: removes it before creating, since the engine name is the same", () => {
    const container = desiredContainer();
    const spec = engineSpec(container, OPTIONS);
    expect(actions(plan([engineContainerFor(container, "dead", "e1")], desiredState([container]), OPTIONS))).toEqual([
      `pull:${ID_A}`, "remove:e1", `create:${ID_A}`, `start:${spec.engineName}`,
    ]);
  });
});

describe("plan: a changed spec replaces the container", () => {
  const changes: [string, Parameters<typeof desiredContainer>[0]][] = [
    ["image", { image: "localhost/agentify-httpd:v2" }],
    ["env value", { env: { API_KEY: "rotated" } }],
    ["env name", { env: { OTHER_KEY: "s3cret" } }],
    ["host port", { ports: [{ container_port: 8080, host_port: 18099 }] }],
    ["container port", { ports: [{ container_port: 9090, host_port: 18080 }] }],
    ["cpu", { cpu: 1 }],
    ["memory", { memory_mb: 128 }],
    ["restart policy", { restart_policy: "always" }],
    ["name", { name: "weather-agent-2" }],
  ];

  it.each(changes)("replaces on a changed %s: pull, stop + remove the old, create, start", (_what, change) => {
    const before = desiredContainer();
    const after = desiredContainer(change);
    const spec = engineSpec(after, OPTIONS);
    const steps = plan([engineContainerFor(before, "running", "old")], desiredState([after]), OPTIONS);
    expect(actions(steps)).toEqual([`pull:${ID_A}`, "stop:old", "remove:old", `create:${ID_A}`, `start:${spec.engineName}`]);
    expect(spec.engineName).not.toBe(engineSpec(before, OPTIONS).engineName);
  });

  it("does not stop a stale container that is not running, only removes it", () => {
    const before = desiredContainer();
    const after = desiredContainer({ image: "localhost/agentify-httpd:v2" });
    expect(actions(plan([engineContainerFor(before, "exited", "old")], desiredState([after]), OPTIONS))).toEqual([
      `pull:${ID_A}`, "remove:old", `create:${ID_A}`, `start:${engineSpec(after, OPTIONS).engineName}`,
    ]);
  });

  it("keeps the current one and removes a stale one next to it (an interrupted replacement)", () => {
    const before = desiredContainer();
    const after = desiredContainer({ memory_mb: 128 });
    const current = [engineContainerFor(before, "running", "old"), engineContainerFor(after, "running", "new")];
    expect(actions(plan(current, desiredState([after]), OPTIONS))).toEqual(["stop:old", "remove:old", "noop:new"]);
  });

  it("the env order does not change the spec", () => {
    const a = engineSpec(desiredContainer({ env: { A: "1", B: "2" } }), OPTIONS);
    const b = engineSpec(desiredContainer({ env: { B: "2", A: "1" } }), OPTIONS);
    expect(a.specHash).toBe(b.specHash);
  });

  it("a different publish address changes the spec", () => {
    const container = desiredContainer();
    expect(engineSpec(container, { publishIp: "0.0.0.0" }).specHash).not.toBe(engineSpec(container, OPTIONS).specHash);
  });
});

describe("plan: duplicates", () => {
  it("keeps the running copy and removes other copies of the same spec", () => {
    const container = desiredContainer();
    const current = [
      engineContainerFor(container, "exited", "a-exited"),
      engineContainerFor(container, "running", "b-running"),
      engineContainerFor(container, "created", "c-created"),
    ];
    expect(actions(plan(current, desiredState([container]), OPTIONS))).toEqual(["remove:a-exited", "remove:c-created", "noop:b-running"]);
  });
});

describe("plan: removed from the desired state", () => {
  it("stops and removes a running container that is no longer desired", () => {
    const container = desiredContainer();
    expect(plan([engineContainerFor(container, "running", "e1")], desiredState([]), OPTIONS)).toEqual([
      { action: "stop", container_id: ID_A, engine_id: "e1" },
      { action: "remove", container_id: ID_A, engine_id: "e1" },
    ]);
  });

  it.each<[EngineState, string[]]>([
    ["running", ["stop:e1", "remove:e1"]],
    ["restarting", ["stop:e1", "remove:e1"]],
    ["paused", ["stop:e1", "remove:e1"]],
    ["created", ["remove:e1"]],
    ["exited", ["remove:e1"]],
    ["dead", ["remove:e1"]],
    ["removing", []],
  ])("retires a %s orphan with %j", (state, expected) => {
    expect(actions(plan([engineContainerFor(desiredContainer(), state, "e1")], desiredState([]), OPTIONS))).toEqual(expected);
  });

  it("removes a managed container without a container id label", () => {
    const container: EngineContainer = { engine_id: "e9", name: "x", image: "i", labels: { [MANAGED_LABEL]: "true" }, state: "running" };
    expect(plan([container], desiredState([]), OPTIONS)).toEqual([
      { action: "stop", container_id: null, engine_id: "e9" },
      { action: "remove", container_id: null, engine_id: "e9" },
    ]);
  });

  it("removes orphans before touching desired containers (frees their host ports first)", () => {
    const gone = desiredContainer();
    const added = desiredContainer({ container_id: ID_B, name: "mail-agent" });
    expect(plan([engineContainerFor(gone, "running", "e1")], desiredState([added]), OPTIONS).map((s) => s.action)).toEqual([
      "stop", "remove", "pull", "create", "start",
    ]);
  });
});

describe("plan: containers the agent does not manage are invisible", () => {
  const foreign = (labels: Record<string, string>, state: EngineState = "running"): EngineContainer => ({
    engine_id: "foreign", name: "postgres", image: "postgres:15", labels, state,
  });

  it.each([
    ["no labels", {}],
    ["managed=false", { [MANAGED_LABEL]: "false" }],
    ["managed=TRUE", { [MANAGED_LABEL]: "TRUE" }],
    ["our container id but no managed label", { [CONTAINER_ID_LABEL]: ID_A }],
  ])("never plans a step for a container with %s", (_what, labels) => {
    const container = desiredContainer();
    const steps = plan([foreign(labels)], desiredState([container]), OPTIONS);
    expect(steps.some((step) => "engine_id" in step && step.engine_id === "foreign")).toBe(false);
    expect(steps.map((s) => s.action)).toEqual(["pull", "create", "start"]);
    expect(plan([foreign(labels, "dead")], desiredState([]), OPTIONS)).toEqual([]);
  });
});
