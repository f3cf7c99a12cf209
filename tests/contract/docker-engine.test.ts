/**
 * The Docker API module against a real engine: podman's Docker-compatible service started by
 * `local/podman/`, with the busybox httpd image imported from a local tarball (no registry).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerApi } from "../../edge-agent/docker-api.ts";
import { engineSpec } from "../../edge-agent/engine-spec.ts";
import { isAgentError } from "../../edge-agent/errors.ts";
import { MANAGED_LABEL } from "../../edge-agent/labels.ts";
import { freePort, startTestEngine, type TestEngine } from "../../local/podman/engine-fixture.ts";
import { podmanInstalled } from "../../local/podman/podman-service.ts";
import { desiredContainer } from "../unit/edge-agent/fixtures.ts";

const installed = podmanInstalled();

describe.skipIf(!installed)(`Docker Engine API module against podman${installed ? "" : " (skipped: podman is not installed)"}`, () => {
  let engine: TestEngine;
  let docker: DockerApi;

  beforeAll(async () => {
    engine = await startTestEngine();
    docker = engine.docker;
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
  }, 60_000);

  async function httpStatus(url: string): Promise<number | undefined> {
    return await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => undefined);
  }

  /** Waits until httpd in the container answers: the engine starts the process asynchronously. */
  async function waitForHttp(url: string): Promise<number | undefined> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const status = await httpStatus(url);
      if (status !== undefined) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  it("describes the engine", async () => {
    const info = await docker.info();
    expect(info.architecture).not.toBe("unknown");
    expect(info.cpu_count).toBeGreaterThan(0);
    expect(info.memory_bytes).toBeGreaterThan(0);
  });

  it("knows which images are present", async () => {
    expect(await docker.imageExists(engine.httpd.image)).toBe(true);
    expect(await docker.imageExists("localhost/not-imported:1")).toBe(false);
  });

  it("reports a failed pull with the engine's error", async () => {
    const error = await docker.pullImage("registry.invalid/agentify/missing:1.0").catch((e: unknown) => e);
    expect(isAgentError(error, "image_pull_failed")).toBe(true);
    expect((error as Error).message).toMatch(/registry\.invalid/);
  });

  it("creates with limits, ports, env and labels; starts, measures, stops and removes", async () => {
    const hostPort = await freePort();
    const container = desiredContainer({
      image: engine.httpd.image,
      ports: [{ container_port: engine.httpd.port, host_port: hostPort }],
      cpu: 0.5,
      memory_mb: 64,
      restart_policy: "unless-stopped",
    });
    const spec = engineSpec(container, { publishIp: "127.0.0.1" });
    const id = await docker.createContainer(spec.engineName, spec.body);

    const inspected = JSON.parse(engine.service.cli(["inspect", id]).stdout)[0];
    expect(inspected.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, RestartPolicy: { Name: "unless-stopped" } });
    expect(inspected.HostConfig.PortBindings[`${engine.httpd.port}/tcp`]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(hostPort) }]);
    expect(inspected.Config.Labels).toMatchObject(spec.body.Labels);
    expect(inspected.Config.Env).toContain("API_KEY=s3cret");

    const listed = await docker.listContainers([`${MANAGED_LABEL}=true`]);
    expect(listed).toEqual([{ engine_id: id, name: spec.engineName, image: engine.httpd.image, labels: expect.objectContaining(spec.body.Labels), state: "created" }]);
    expect((await docker.inspectContainer(id)).started_at).toBeNull();

    await docker.startContainer(spec.engineName);
    await docker.startContainer(id); // already running: fine
    expect(await waitForHttp(`http://127.0.0.1:${hostPort}/health`)).toBe(200);
    const running = await docker.inspectContainer(id);
    expect(running.state).toBe("running");
    expect(Date.parse(running.started_at ?? "")).not.toBeNaN();

    const stats = await docker.stats(id);
    expect(stats.cpu_total_ns).toBeGreaterThan(0);
    expect(stats.memory_bytes).toBeGreaterThan(0);
    expect(stats.online_cpus).toBeGreaterThan(0);

    await docker.stopContainer(id, 1);
    await docker.stopContainer(id, 1); // already stopped: fine
    expect((await docker.inspectContainer(id)).state).toBe("exited");

    await docker.removeContainer(id);
    await docker.removeContainer(id); // already gone: fine
    expect(await docker.listContainers([`${MANAGED_LABEL}=true`])).toEqual([]);
  });

  it("lists only containers carrying the label filter", async () => {
    const foreign = await docker.createContainer("foreign-httpd", {
      Image: engine.httpd.image, Env: [], Labels: { owner: "someone-else" }, ExposedPorts: {},
      HostConfig: { PortBindings: {}, NanoCpus: 0, Memory: 0, RestartPolicy: { Name: "no", MaximumRetryCount: 0 } },
    });
    try {
      expect(await docker.listContainers([`${MANAGED_LABEL}=true`])).toEqual([]);
      expect((await docker.listContainers(["owner=someone-else"])).map((c) => c.engine_id)).toEqual([foreign]);
    } finally {
      await docker.removeContainer(foreign);
    }
  });

  it("carries the engine's message and status on errors", async () => {
    const missing = await docker.inspectContainer("no-such-container").catch((e: unknown) => e);
    expect(isAgentError(missing, "engine_error")).toBe(true);
    expect((missing as { details: { status: number } }).details.status).toBe(404);
    expect((missing as Error).message).toMatch(/no such container/i);

    const spec = engineSpec(desiredContainer({ image: "localhost/not-imported:1" }), { publishIp: "127.0.0.1" });
    const create = await docker.createContainer(spec.engineName, spec.body).catch((e: unknown) => e);
    expect(isAgentError(create, "engine_error")).toBe(true);
    expect((create as Error).message).toMatch(/not-imported/);
  });

  it("refuses a second container with the same engine name (what makes agent restarts duplicate-free)", async () => {
    const spec = engineSpec(desiredContainer({ image: engine.httpd.image, ports: [] }), { publishIp: "127.0.0.1" });
    const id = await docker.createContainer(spec.engineName, spec.body);
    try {
      const second = await docker.createContainer(spec.engineName, spec.body).catch((e: unknown) => e);
      expect(isAgentError(second, "engine_error")).toBe(true);
      // Docker answers 409, podman 4.3 answers 500: the engine's message is what both share.
      expect((second as Error).message).toMatch(/already in use/i);
    } finally {
      await docker.removeContainer(id);
    }
  });

  it("reports an unreachable engine as engine_unreachable", async () => {
    const { createDockerApi } = await import("../../edge-agent/docker-api.ts");
    const { unixSocketFetch } = await import("../../local/podman/unix-socket-fetch.ts");
    const error = await createDockerApi(unixSocketFetch("/nonexistent/podman.sock")).info().catch((e: unknown) => e);
    expect(isAgentError(error, "engine_unreachable")).toBe(true);
  });
});
