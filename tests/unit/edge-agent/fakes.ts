import type { Clock } from "../../../edge-agent/clock.ts";
import type { DockerApi } from "../../../edge-agent/docker-api.ts";
import type { EngineContainer } from "../../../edge-agent/engine-types.ts";
import { AgentError } from "../../../edge-agent/errors.ts";

/** An in-memory engine: enough of the Docker module for the reconciler and reporter. */
export class FakeDocker implements DockerApi {
  containers: EngineContainer[] = [];
  images = new Set<string>();
  pullable = new Set<string>();
  readonly calls: string[] = [];
  /** Makes every call fail as an unreachable engine. */
  down = false;
  private nextId = 1;

  private call(name: string): void {
    this.calls.push(name);
    if (this.down) throw new AgentError("engine_unreachable", "connect ENOENT /var/run/docker.sock");
  }
  private find(ref: string): EngineContainer {
    const found = this.containers.find((c) => c.engine_id === ref || c.name === ref);
    if (found === undefined) throw new AgentError("engine_error", `no such container: ${ref}`, { status: 404 });
    return found;
  }

  async listContainers(labels: string[]) {
    this.call("list");
    return this.containers.filter((c) => labels.every((label) => { const [k, v] = label.split("="); return c.labels[k!] === v; })).map((c) => ({ ...c }));
  }
  async imageExists(image: string) { this.call(`imageExists:${image}`); return this.images.has(image); }
  async pullImage(image: string) {
    this.call(`pull:${image}`);
    if (!this.pullable.has(image)) throw new AgentError("image_pull_failed", `pinging container registry for ${image}: no such host`);
    this.images.add(image);
  }
  async createContainer(name: string, body: { Image: string; Labels: Record<string, string> }) {
    this.call(`create:${name}`);
    if (!this.images.has(body.Image)) throw new AgentError("engine_error", `no such image: ${body.Image}`, { status: 404 });
    if (this.containers.some((c) => c.name === name)) throw new AgentError("engine_error", `name ${name} is already in use`, { status: 409 });
    const engine_id = `engine-${this.nextId++}`;
    this.containers.push({ engine_id, name, image: body.Image, labels: { ...body.Labels }, state: "created" });
    return engine_id;
  }
  async startContainer(ref: string) { this.call(`start:${ref}`); this.find(ref).state = "running"; }
  async stopContainer(ref: string) { this.call(`stop:${ref}`); this.find(ref).state = "exited"; }
  async removeContainer(ref: string) { this.call(`remove:${ref}`); this.containers = this.containers.filter((c) => c.engine_id !== ref && c.name !== ref); }
  async inspectContainer(ref: string) {
    this.call(`inspect:${ref}`);
    const c = this.find(ref);
    return { engine_id: c.engine_id, state: c.state, started_at: c.state === "running" ? "2026-01-01T00:00:00Z" : null, error: null, exit_code: 0 };
  }
  async stats(ref: string) {
    this.call(`stats:${ref}`);
    return { cpu_total_ns: 1e9, system_cpu_ns: 1e11, online_cpus: 2, previous: null, memory_bytes: 10 * 1024 * 1024 };
  }
  async info() { this.call("info"); return { architecture: "aarch64", cpu_count: 4, memory_bytes: 4096 * 1024 * 1024 }; }
}

/** A clock whose sleeps end only when the test says so (or their signal aborts). */
export class ManualClock implements Clock {
  time = Date.parse("2026-01-01T00:00:00Z");
  readonly sleeps: number[] = [];
  private pending: { ms: number; resolve: () => void }[] = [];
  private waiters: (() => void)[] = [];

  now() { return this.time; }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    for (const waiter of this.waiters.splice(0)) waiter();
    return new Promise((resolve) => {
      const entry = { ms, resolve };
      this.pending.push(entry);
      const done = () => { this.pending = this.pending.filter((p) => p !== entry); resolve(); };
      entry.resolve = done;
      if (signal.aborted) done();
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Resolves once `count` sleeps in total have been requested. */
  async sleepsRequested(count: number): Promise<void> {
    while (this.sleeps.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Ends every pending sleep, advancing time by the longest. */
  wakeAll(): void {
    const pending = this.pending.splice(0);
    this.time += Math.max(0, ...pending.map((p) => p.ms));
    for (const p of pending) p.resolve();
  }
}
