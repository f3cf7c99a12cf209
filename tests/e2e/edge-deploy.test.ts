/**
 * Edge deployment end to end on the local stack with a real engine (podman's Docker API): an operator
 * enrolls a device, the device agent core (edge-agent/agent.ts, the same wiring as the contract test) runs
 * against the stack's REST and Realtime, an agent asks for deploy_to_edge, the container answers on its
 * address, get_address finds it, a restarted agent makes no duplicate, undeploy removes it, and a device
 * that stops its heartbeats goes offline with its owner informed.
 */
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createAgent, type Agent as DeviceAgent } from "../../edge-agent/agent.ts";
import { systemClock } from "../../edge-agent/clock.ts";
import { loadConfig } from "../../edge-agent/config.ts";
import type { CredentialStore, StoredCredential } from "../../edge-agent/credentials.ts";
import { CONTAINER_ID_LABEL, MANAGED_LABEL } from "../../edge-agent/labels.ts";
import { createLogger } from "../../functions/_shared/log.ts";
import { listenForNudges } from "../../edge-agent/realtime-nudge.ts";
import { freePort, startTestEngine, type TestEngine } from "../../local/podman/engine-fixture.ts";
import { podmanInstalled } from "../../local/podman/podman-service.ts";
import { connect, eventually, stack } from "../setup/clients.ts";
import { connectAgent, type Agent, type Envelope } from "../support/agent-client.ts";

const installed = podmanInstalled();
const OWNER = "agent.marketplace.edge-e2e";
const SECRET = "edge-e2e-secret-never-logged";
const CUSTOMER = `cust-${Date.now().toString(36)}`;

describe.skipIf(!installed)(`deploy_to_edge end to end${installed ? "" : " (skipped: podman is not installed)"}`, () => {
  let sql: Sql;
  let engine: TestEngine;
  let owner: Agent;
  let deviceId: string;
  let enrollmentToken: string;
  let hostPort: number;
  let containerId: string;
  let address: string;
  const logLines: string[] = [];
  /** When the agent's real nudge listener (edge-agent/realtime-nudge.ts) got a broadcast / was subscribed. */
  const nudges: number[] = [];
  const subscriptions: number[] = [];
  const saved: StoredCredential[] = [];
  const store: CredentialStore = { load: async () => saved.at(-1), save: async (credential) => void saved.push(credential) };
  let running: { agent: DeviceAgent; stop: () => Promise<void> } | undefined;

  function startDevice(): { agent: DeviceAgent; stop: () => Promise<void> } {
    const s = stack();
    const config = loadConfig({}, {
      supabase_url: s.apiUrl, anon_key: s.anonKey, enrollment_token: enrollmentToken,
      advertise_address: "127.0.0.1", publish_ip: "127.0.0.1",
      heartbeat_interval_s: 0.2, poll_interval_s: 2, report_interval_s: 0.3,
      backoff_base_ms: 50, backoff_max_ms: 500, health_timeout_ms: 1000, stop_timeout_s: 1,
    });
    let agent: DeviceAgent | undefined;
    agent = createAgent({
      config, engineFetch: engine.transport, httpFetch: (input, init) => fetch(input, init), credentialStore: store,
      clock: systemClock, random: () => 0.5, log: createLogger({}, (line) => logLines.push(line)), agentVersion: "0.1.0-e2e",
      // Realtime over `ws` (Node 20 has no global WebSocket); the device's own credential authorises the private channel.
      nudges: (id, onNudge) => listenForNudges({
        supabaseUrl: s.apiUrl, anonKey: s.anonKey, deviceId: id, transport: WebSocket,
        accessToken: () => agent!.credentials.token(), log: createLogger({}, (line) => logLines.push(line)),
        onNudge: (reason) => {
          (reason === "broadcast" ? nudges : subscriptions).push(Date.now());
          onNudge();
        },
      }),
    });
    const controller = new AbortController();
    const done = agent.run(controller.signal);
    return { agent, stop: async () => (controller.abort(), await done) };
  }

  const managed = () => engine.docker.listContainers([`${MANAGED_LABEL}=true`, `${CONTAINER_ID_LABEL}=${containerId}`]);
  const reply = (requestId: string) => owner.waitFor((m) => m.in_reply_to === requestId, 60_000);

  beforeAll(async () => {
    sql = connect();
    engine = await startTestEngine();
    hostPort = await freePort();
    owner = await connectAgent(OWNER, stack());
    // An operator's psql session: no API claims, a privileged role.
    const { r } = (await sql<{ r: { device_id: string; enrollment_token: string } }[]>`
      select public.create_device('e2e-pi', '{"site": "lab"}'::jsonb, 'x86_64', 2, 1024) as r`)[0]!;
    deviceId = r.device_id;
    enrollmentToken = r.enrollment_token;
  }, 180_000);

  afterAll(async () => {
    await running?.stop();
    await owner?.close();
    await engine?.stop();
    await sql?.end({ timeout: 5 });
  }, 60_000);

  it("enrolls the device, which comes online and reports its address", async () => {
    running = startDevice();
    const device = await eventually(async () => {
      const [d] = await sql<{ status: string; address: string | null }[]>`select status, address from public.devices where id = ${deviceId}`;
      return d?.status === "online" && d.address ? d : undefined;
    }, { timeoutMs: 30_000, what: "the device online with an address" });
    expect(device.address).toBe("127.0.0.1");
    expect(saved.map((c) => c.device_id)).toEqual([deviceId]);
  });

  it("refuses a deploy to an unknown device, or labels that match nothing, with nothing created", async () => {
    const base = { agent_id: "agent.acme.weather", customer_id: CUSTOMER, image: engine.httpd.image };
    const unknown = await reply(await owner.request("deploy_to_edge", { ...base, target: { device_id: "00000000-0000-4000-8000-000000000000" } }));
    expect(unknown).toMatchObject({ type: "failure", intent: "deploy_to_edge_failed", payload: { error: { code: "not_found" } } });
    const nowhere = await reply(await owner.request("deploy_to_edge", { ...base, target: { labels: { site: "mars" } } }));
    expect(nowhere).toMatchObject({ type: "failure", payload: { error: { code: "no_matching_device" } } });
    const huge = await reply(await owner.request("deploy_to_edge", { ...base, resources: { memory: "64Gi" }, target: { labels: { site: "lab" } } }));
    expect(huge).toMatchObject({ type: "failure", payload: { error: { code: "insufficient_capacity" } } });
    expect(await sql`select id from public.containers where customer_id = ${CUSTOMER}`).toEqual([]);
  });

  it("deploys to the device: the container runs and answers on its address, and the owner is told", async () => {
    const requestId = await owner.request("deploy_to_edge", {
      agent_id: "agent.acme.weather", customer_id: CUSTOMER, image: engine.httpd.image, env: { API_KEY: SECRET },
      resources: { cpu: "0.5", memory: "64Mi" }, port: engine.httpd.port, host_port: hostPort, target: { labels: { site: "lab" }, architecture: "amd64" },
    });
    const complete = await reply(requestId);
    expect(complete).toMatchObject({ type: "inform", intent: "deploy_to_edge_complete", payload: {
      address: `http://127.0.0.1:${hostPort}`, health_url: `http://127.0.0.1:${hostPort}/health`, status: "deploying", device_id: deviceId,
    } });
    expect(JSON.stringify(complete)).not.toContain(SECRET);
    containerId = String(complete.payload.container_id);
    address = String(complete.payload.address);

    const live = await owner.waitFor((m: Envelope) => m.intent === "deployment_status_changed" && m.payload.container_id === containerId, 90_000);
    expect(live.payload).toMatchObject({ status: "running", device_id: deviceId, deployment_id: complete.payload.deployment_id });
    expect((await fetch(`${address}/health`)).status).toBe(200);
    expect(await managed()).toHaveLength(1);
    expect(subscriptions.length).toBeGreaterThan(0); // joined device:<id> with the device's own credential
    await eventually(async () => (nudges.length > 0 ? true : undefined), { timeoutMs: 10_000, what: "a nudge broadcast on device:<id>" });
    const [stored] = await sql`select payload from public.messages where id = ${requestId}`;
    expect(JSON.stringify(stored)).not.toContain(SECRET);
  });

  it("the health sweep marks it healthy", async () => {
    // pg_cron wakes the sweep every minute; the test runs the scheduled command itself.
    await eventually(async () => {
      await sql`select private.wake_health_sweep()`;
      const [row] = await sql<{ health_state: string; health: boolean }[]>`select health_state, health from public.containers where id = ${containerId}`;
      return row?.health_state === "healthy" ? row : undefined;
    }, { timeoutMs: 30_000, everyMs: 1000, what: "the sweep to mark the edge container healthy" });
    const checks = await sql`select status from public.health_checks where container_id = ${containerId} order by checked_at`;
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.at(-1)).toMatchObject({ status: "healthy" });
  });

  it("get_address returns the edge container's address", async () => {
    const answer = await reply(await owner.request("get_address", { agent_id: "agent.acme.weather", customer_id: CUSTOMER }));
    expect(answer).toMatchObject({ type: "inform", intent: "get_address_complete", payload: { address, container_id: containerId, status: "running" } });
  });

  it("a restarted device agent creates no duplicate", async () => {
    const [before] = await managed();
    await running?.stop();
    const { at } = (await sql<{ at: Date }[]>`select now() as at`)[0]!;
    running = startDevice();
    await eventually(async () => {
      const [d] = await sql<{ last_report_at: Date }[]>`select last_report_at from public.devices where id = ${deviceId}`;
      return d && d.last_report_at > at ? true : undefined;
    }, { timeoutMs: 30_000, what: "a report from the restarted agent" });
    const after = await managed();
    expect(after.map((c) => c.engine_id)).toEqual([before?.engine_id]);
    expect((await fetch(`${address}/health`)).status).toBe(200);
  });

  it("undeploy removes the container from the device", async () => {
    const answer = await reply(await owner.request("undeploy", { container_id: containerId }));
    expect(answer).toMatchObject({ type: "inform", intent: "undeploy_complete", payload: { container_id: containerId, status: "removed" } });
    await eventually(async () => ((await managed()).length === 0 ? true : undefined), { timeoutMs: 30_000, what: "the container removed" });
    expect((await sql`select status from public.containers where id = ${containerId}`)[0]?.status).toBe("removed");
  });

  it("a device whose heartbeats stop goes offline, and owners of its containers are told", async () => {
    const second = await reply(await owner.request("deploy_to_edge", {
      agent_id: "agent.acme.weather", customer_id: `${CUSTOMER}-2`, image: engine.httpd.image, port: engine.httpd.port,
      host_port: await freePort(), resources: { memory: "32Mi" }, target: { device_id: deviceId },
    }));
    const secondId = String(second.payload.container_id);
    await owner.waitFor((m) => m.intent === "deployment_status_changed" && m.payload.container_id === secondId, 90_000);
    await running?.stop();
    running = undefined;
    // What pg_cron runs every 10 s, called at the moment the third missed beat is overdue.
    await sql`select private.mark_offline_devices(last_heartbeat_at + interval '31 seconds') from public.devices where id = ${deviceId}`;
    expect((await sql`select status from public.devices where id = ${deviceId}`)[0]?.status).toBe("offline");
    const told = await owner.waitFor((m) => m.intent === "health_changed" && m.payload.container_id === secondId && m.payload.reason === "device_offline");
    expect(told.payload).toMatchObject({ new: "unknown", device_id: deviceId });
    const refused = await reply(await owner.request("deploy_to_edge", {
      agent_id: "agent.acme.weather", customer_id: `${CUSTOMER}-3`, image: engine.httpd.image, target: { device_id: deviceId },
    }));
    expect(refused).toMatchObject({ type: "failure", payload: { error: { code: "device_offline" } } });
    // clean up the engine side: the container keeps running while its device is offline, by design
    await sql`select 1`;
  });

  it("logged no secret", () => {
    expect(logLines.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});
