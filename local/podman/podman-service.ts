/**
 * Starts `podman system service` on a unix socket as a private container engine for tests and demos,
 * with everything (images, containers, run state, networks, volumes) under one state folder, so it never
 * touches the machine's default podman storage. Flags fit a root container without systemd:
 * `--runtime runc --cgroup-manager=cgroupfs --storage-driver=vfs`, and a `containers.conf` (via
 * `CONTAINERS_CONF`) that sets default ulimits.
 *
 * `stop()` removes every container and pod of this engine, then ends the service: nothing keeps running.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { unixSocketFetch } from "./unix-socket-fetch.ts";

export const PODMAN_BIN = "/usr/bin/podman";

export interface PodmanService {
  /** Path of the Docker-compatible API socket. */
  socketPath: string;
  /** Runs a podman CLI command against the same storage, e.g. `["import", ...]`. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Removes all containers and pods of this engine and stops the service. */
  stop(): Promise<void>;
}

export interface PodmanServiceOptions {
  /** Folder for all of podman's state; created when missing. */
  stateDir: string;
  /** How long to wait for the socket to answer. Default 20 s. */
  readyTimeoutMs?: number;
}

export class PodmanError extends Error {
  override readonly name = "PodmanError";
  constructor(readonly code: "podman_missing" | "podman_start_failed" | "podman_command_failed", message: string) {
    super(message);
  }
}

export function podmanInstalled(): boolean {
  return existsSync(PODMAN_BIN);
}

/** The global podman flags that keep all state under `stateDir`. */
export function podmanGlobalArgs(stateDir: string): string[] {
  return [
    "--root", join(stateDir, "root"),
    "--runroot", join(stateDir, "runroot"),
    "--tmpdir", join(stateDir, "tmp"),
    "--volumepath", join(stateDir, "volumes"),
    "--network-config-dir", join(stateDir, "networks"),
    "--runtime", "runc",
    "--cgroup-manager=cgroupfs",
    "--storage-driver=vfs",
    "--events-backend=file",
  ];
}

export async function startPodmanService(options: PodmanServiceOptions): Promise<PodmanService> {
  if (!podmanInstalled()) throw new PodmanError("podman_missing", `podman is not installed (${PODMAN_BIN}); install: apt-get install -y podman runc busybox-static`);
  const stateDir = options.stateDir;
  for (const dir of ["root", "runroot", "tmp", "volumes", "networks"]) mkdirSync(join(stateDir, dir), { recursive: true });
  const confPath = join(stateDir, "containers.conf");
  writeFileSync(confPath, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n');
  const env = { ...process.env, CONTAINERS_CONF: confPath };
  const socketPath = join(stateDir, "podman.sock");
  const globalArgs = podmanGlobalArgs(stateDir);

  const child = spawn(PODMAN_BIN, [...globalArgs, "system", "service", "--time=0", `unix://${socketPath}`], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const cli: PodmanService["cli"] = (args) => {
    const result = spawnSync(PODMAN_BIN, [...globalArgs, ...args], { env, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  try {
    await waitForPing(socketPath, child, options.readyTimeoutMs ?? 20_000);
  } catch (error) {
    await terminate(child, exited);
    throw new PodmanError("podman_start_failed", `podman system service did not come up: ${(error as Error).message}; stderr: ${stderr.trim()}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    socketPath,
    cli,
    stop: () =>
      (stopped ??= (async () => {
        cli(["pod", "rm", "--all", "--force"]);
        cli(["rm", "--all", "--force", "--time", "0"]);
        await terminate(child, exited);
      })()),
  };
}

/** Polls `_ping` until the service answers 200 (the socket appears only once the service is ready). */
async function waitForPing(socketPath: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const ping = unixSocketFetch(socketPath);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (existsSync(socketPath)) {
      const ok = await ping("http://podman/_ping", { method: "GET" }).then((r) => r.ok, () => false);
      if (ok) return;
    }
    await delay(50);
  }
  throw new Error(`no answer on ${socketPath} within ${timeoutMs} ms`);
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killer);
}
