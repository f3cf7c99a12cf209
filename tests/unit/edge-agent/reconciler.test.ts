import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../../functions/_shared/edge/desired-state.ts";
import { AgentError } from "../../../edge-agent/errors.ts";
import { silentLogger } from "../../../functions/_shared/log.ts";
import { Reconciler, type ApplyStatus, type ReconcilerOptions } from "../../../edge-agent/reconciler.ts";
import { FakeDocker, ManualClock } from "./fakes.ts";
import { ID_A, OPTIONS, desiredContainer, desiredState } from "./fixtures.ts";

function setup(overrides: Partial<ReconcilerOptions> = {}) {
  const docker = new FakeDocker();
  const clock = new ManualClock();
  const applied: ApplyStatus[] = [];
  let desired: DesiredState | Error = desiredState([desiredContainer()]);
  const options: ReconcilerOptions = {
    fetchDesired: async () => { if (desired instanceof Error) throw desired; return desired; },
    docker, planOptions: OPTIONS, stopTimeoutSeconds: 1, pollIntervalMs: 60_000,
    backoff: { baseMs: 1000, maxMs: 8000 }, random: () => 0.999999, clock, log: silentLogger,
    onApplied: async (status) => void applied.push(status),
    ...overrides,
  };
  const reconciler = new Reconciler(options);
  return { docker, clock, reconciler, options, applied, setDesired: (value: DesiredState | Error) => (desired = value) };
}

describe("Reconciler.pass", () => {
  it("deploys a new container and reports the apply", async () => {
    const { docker, reconciler, applied } = setup();
    docker.images.add("localhost/agentify-httpd:test");
    expect(await reconciler.pass()).toEqual({ ok: true, delayMs: 60_000 });
    expect(docker.containers.map((c) => c.state)).toEqual(["running"]);
    expect(applied).toHaveLength(1);
    expect(applied[0]?.failures.size).toBe(0);
  });

  it("pulls only when the image is absent", async () => {
    const { docker, reconciler } = setup();
    docker.pullable.add("localhost/agentify-httpd:test");
    await reconciler.pass();
    expect(docker.calls.filter((c) => c.startsWith("pull:"))).toHaveLength(1);
    docker.containers = [];
    await reconciler.pass();
    expect(docker.calls.filter((c) => c.startsWith("pull:"))).toHaveLength(1);
  });

  it("a second pass over a fresh reconciler (an agent restart) changes nothing", async () => {
    const first = setup();
    first.docker.images.add("localhost/agentify-httpd:test");
    await first.reconciler.pass();
    const restarted = new Reconciler(first.options);
    const callsBefore = first.docker.calls.length;
    expect((await restarted.pass()).ok).toBe(true);
    expect(first.docker.calls.slice(callsBefore)).toEqual(["list"]);
    expect(first.docker.containers).toHaveLength(1);
  });

  it("records a container whose image cannot be pulled as failed, with the engine's message, and backs off", async () => {
    const { docker, reconciler, applied } = setup();
    const outcome = await reconciler.pass();
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.code).toBe("image_pull_failed");
    expect(applied[0]?.failures.get(ID_A)?.message).toMatch(/no such host/);
    expect(docker.containers).toEqual([]);
  });

  it("a failing container does not hold back the others", async () => {
    const { docker, reconciler, setDesired } = setup();
    docker.images.add("localhost/agentify-httpd:test");
    const good = desiredContainer({ container_id: "0b7a3c1e-3333-4a43-9d4a-2b6f3f1f0a0c", name: "good", ports: [] });
    setDesired(desiredState([desiredContainer({ image: "registry.invalid/x:1" }), good]));
    await reconciler.pass();
    expect(docker.containers.map((c) => c.labels["agentify.name"])).toEqual(["good"]);
  });

  it("keeps what runs when the orchestrator is unreachable", async () => {
    const { docker, reconciler, setDesired } = setup();
    docker.images.add("localhost/agentify-httpd:test");
    await reconciler.pass();
    setDesired(new AgentError("orchestrator_unavailable", "fetch failed"));
    const outcome = await reconciler.pass();
    expect(outcome).toMatchObject({ ok: false, error: { code: "orchestrator_unavailable" } });
    expect(docker.containers.map((c) => c.state)).toEqual(["running"]);
    expect(docker.calls.filter((c) => c.startsWith("stop") || c.startsWith("remove"))).toEqual([]);
  });

  it("tracks removed containers until a report acknowledges them", async () => {
    const { docker, reconciler, setDesired } = setup();
    docker.images.add("localhost/agentify-httpd:test");
    await reconciler.pass();
    setDesired(desiredState([], 2));
    await reconciler.pass();
    expect([...(reconciler.status?.removed ?? [])]).toEqual([ID_A]);
    await reconciler.pass();
    expect([...(reconciler.status?.removed ?? [])]).toEqual([ID_A]);
    reconciler.acknowledgeRemoved([ID_A]);
    expect(reconciler.status?.removed.size).toBe(0);
  });
});

describe("Reconciler.run: one apply at a time, capped backoff, nudges", () => {
  it("backs off exponentially up to the cap while failing, and returns to the poll interval after a success", async () => {
    const { clock, reconciler, setDesired } = setup();
    setDesired(new AgentError("orchestrator_unavailable", "offline"));
    const controller = new AbortController();
    const done = reconciler.run(controller.signal);
    for (let n = 1; n <= 6; n++) {
      await clock.sleepsRequested(n);
      if (n < 6) clock.wakeAll();
    }
    // random → 1: delay ≈ the ceiling: 1 s, 2 s, 4 s, 8 s, then capped at 8 s.
    expect(clock.sleeps).toEqual([999, 1999, 3999, 7999, 7999, 7999]);
    setDesired(desiredState([]));
    clock.wakeAll();
    await clock.sleepsRequested(7);
    expect(clock.sleeps[6]).toBe(60_000);
    controller.abort();
    await done;
  });

  it("a nudge ends the wait and starts the next pass at once", async () => {
    const { clock, reconciler, docker } = setup();
    const controller = new AbortController();
    const done = reconciler.run(controller.signal);
    await clock.sleepsRequested(1);
    const lists = docker.calls.filter((c) => c === "list").length;
    reconciler.nudge();
    await clock.sleepsRequested(2);
    expect(docker.calls.filter((c) => c === "list").length).toBe(lists + 1);
    controller.abort();
    await done;
  });

  it("never runs two passes at once, however many nudges arrive during a pass", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => {};
    let passes = 0;
    const { clock, reconciler } = setup({
      fetchDesired: async () => {
        passes += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        inFlight -= 1;
        return desiredState([]);
      },
    });
    const controller = new AbortController();
    const done = reconciler.run(controller.signal);
    await Promise.resolve();
    for (let i = 0; i < 5; i++) reconciler.nudge();
    release();
    await clock.sleepsRequested(1);
    expect(maxInFlight).toBe(1);
    expect(passes).toBe(2); // the nudges during pass 1 collapse into one more pass
    controller.abort();
    await done;
  });

  it("stops when aborted during a wait", async () => {
    const { clock, reconciler } = setup();
    const controller = new AbortController();
    const done = reconciler.run(controller.signal);
    await clock.sleepsRequested(1);
    controller.abort();
    await expect(done).resolves.toBeUndefined();
  });
});
