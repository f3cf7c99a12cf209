/**
 * Wires the agent from injected I/O (engine transport, HTTP fetch, credential store, clock, logger) and
 * runs it: get a credential (enrolling when needed, retrying with backoff), then, side by side until the
 * signal aborts, the reconcile loop, the heartbeat loop, the report loop and the Realtime nudge listener.
 * `main.ts` supplies Deno's I/O; tests supply Node's and a fake orchestrator.
 */
import { backoffDelayMs, type BackoffPolicy } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { AgentConfig } from "./config.ts";
import { CredentialManager, type CredentialStore } from "./credentials.ts";
import { createDockerApi, type EngineFetch } from "./docker-api.ts";
import { toAgentError } from "./errors.ts";
import type { Logger } from "../functions/_shared/log.ts";
import { createOrchestratorApi } from "./orchestrator-api.ts";
import { listenForNudges, type NudgeSource } from "./realtime-nudge.ts";
import { Reconciler } from "./reconciler.ts";
import { Reporter } from "./reporter.ts";
import { createRpcClient, type HttpFetch } from "./rpc-client.ts";

export interface AgentDeps {
  config: AgentConfig;
  /** Transport to the container engine (the unix socket). */
  engineFetch: EngineFetch;
  /** HTTP to the orchestrator and to the containers' health endpoints. */
  httpFetch: HttpFetch;
  credentialStore: CredentialStore;
  clock: Clock;
  random: () => number;
  log: Logger;
  agentVersion: string;
  /** Starts the nudge listener once the device id is known. Default: Realtime on `device:<id>`. */
  nudges?: (deviceId: string, onNudge: () => void) => NudgeSource;
}

export interface Agent {
  reconciler: Reconciler;
  reporter: Reporter;
  credentials: CredentialManager;
  /** Runs until `signal` aborts; leaves the containers running. Never throws. */
  run(signal: AbortSignal): Promise<void>;
}

export function createAgent(deps: AgentDeps): Agent {
  const { config, clock, log } = deps;
  const rpc = createRpcClient({ supabaseUrl: config.supabase_url, anonKey: config.anon_key, fetch: deps.httpFetch });
  const credentials = new CredentialManager({
    rpc, store: deps.credentialStore, clock, log: log.child({ component: "credentials" }),
    deviceToken: config.device_token, enrollmentToken: config.enrollment_token,
  });
  const api = createOrchestratorApi(rpc, credentials);
  const docker = createDockerApi(deps.engineFetch);
  const backoff: BackoffPolicy = { baseMs: config.backoff_base_ms, maxMs: config.backoff_max_ms };
  const specOptions = { publishIp: config.publish_ip };

  let reporter: Reporter;
  const reconciler = new Reconciler({
    fetchDesired: () => api.desiredState(),
    docker, planOptions: specOptions, stopTimeoutSeconds: config.stop_timeout_s,
    pollIntervalMs: config.poll_interval_s * 1000, backoff, random: deps.random, clock,
    log: log.child({ component: "reconciler" }),
    onApplied: async () => void (await reporter.report()),
  });
  reporter = new Reporter({
    docker, api, status: () => reconciler.status, acknowledgeRemoved: (ids) => reconciler.acknowledgeRemoved(ids),
    fetch: deps.httpFetch, clock, agentVersion: deps.agentVersion, advertiseAddress: config.advertise_address,
    healthCheckHost: config.health_check_host, healthTimeoutMs: config.health_timeout_ms, specOptions,
  });
  const startNudges = deps.nudges ?? ((deviceId, onNudge) => listenForNudges({
    supabaseUrl: config.supabase_url, anonKey: config.anon_key, deviceId, onNudge,
    accessToken: () => credentials.token(), log: log.child({ component: "nudges" }),
  }));

  /** Repeats `task` every `intervalMs` until aborted; logs only when it starts or stops failing. */
  async function every(name: string, intervalMs: number, task: () => Promise<void>, signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      try {
        await task();
        if (failing) log.info(`${name} works again`, { component: name });
        failing = false;
      } catch (error) {
        if (!failing) log.warn(`${name} failed; retrying every interval`, { component: name, error: toAgentError(error, "orchestrator_unavailable").toJSON() });
        failing = true;
      }
      await clock.sleep(intervalMs, signal);
    }
  }

  async function enroll(signal: AbortSignal): Promise<string | undefined> {
    for (let failures = 1; !signal.aborted; failures++) {
      try {
        await credentials.token();
        return credentials.deviceId;
      } catch (error) {
        log.warn("no device credential yet; retrying", { component: "credentials", error: toAgentError(error, "orchestrator_unavailable").toJSON() });
        await clock.sleep(backoffDelayMs(failures, backoff, deps.random), signal);
      }
    }
    return undefined;
  }

  return {
    reconciler,
    reporter,
    credentials,
    async run(signal) {
      const deviceId = await enroll(signal);
      if (deviceId === undefined) return;
      log.info("agent started", { device_id: deviceId, agent_version: deps.agentVersion });
      const nudges = startNudges(deviceId, () => reconciler.nudge());
      const heartbeat = async () => {
        const generation = await reporter.heartbeat();
        if (generation !== reconciler.status?.desired.generation) reconciler.nudge();
      };
      const report = async () => void (await reporter.report());
      await Promise.all([
        reconciler.run(signal),
        every("heartbeat", config.heartbeat_interval_s * 1000, heartbeat, signal),
        clock.sleep(config.report_interval_s * 1000, signal).then(() => every("report", config.report_interval_s * 1000, report, signal)),
      ]);
      await nudges.close();
      log.info("agent stopped; containers keep running", { device_id: deviceId });
    },
  };
}
