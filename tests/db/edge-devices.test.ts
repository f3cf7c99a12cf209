import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desiredStateSchema } from "../../functions/_shared/edge/desired-state.ts";
import { recordDeployment } from "../../functions/_shared/db/deployments.ts";
import { freeHostPort, nudgeDevice } from "../../functions/_shared/db/devices.ts";
import { insertEdgeContainer, storeEdgeEnv } from "../../functions/_shared/db/edge-containers.ts";
import { verifyJwt } from "../../local/keys/keys.ts";
import { maintainMessagePartitions } from "../../local/realtime/partitions.ts";
import { storeProjectJwtSecret } from "../../local/stack/dispatch-secrets.ts";
import { agentClaims, asRole } from "../setup/as-role.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";
import { asDevice, claimsOf, createDevice, entry, exchange, JWT_SECRET, onlineDevice, OPERATOR, report, READ_ONLY_OPERATOR } from "./edge-fixtures.ts";

const OWNER = "agent.marketplace.orchestrator";
const SECRET = "edge-env-secret-value-42";

let db: TestDatabase;
let sql: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
  await maintainMessagePartitions(db.connectAs("supabase_admin"));
  await storeProjectJwtSecret(sql, JWT_SECRET);
}, 120_000);
afterAll(async () => { await db?.drop(); });

/** An edge container on a device, created with the same db modules the deploy_to_edge handler uses. */
async function deployOn(deviceId: string, customer: string, env: Record<string, string> = {}) {
  const id = randomUUID();
  return sql.begin(async (tx) => {
    const hostPort = (await freeHostPort(tx, deviceId))!;
    const generation = await nudgeDevice(tx, deviceId);
    await insertEdgeContainer(tx, {
      id, agentId: "agent.acme.weather", customerId: customer, ownerAgentId: OWNER, image: "localhost/httpd:test", deviceId,
      name: `weather-${customer}`, address: `http://127.0.0.1:${hostPort}`, healthUrl: `http://127.0.0.1:${hostPort}/health`,
      hostPort, containerPort: 8080, cpu: 0.5, memoryMb: 64, healthPath: "/health", generation,
    });
    await storeEdgeEnv(tx, id, env);
    const deploymentId = await recordDeployment(tx, {
      containerId: id, kind: "deploy", image: "localhost/httpd:test", envKeys: Object.keys(env), resources: {},
      provider: "edge", requestedBy: OWNER, requestMessageId: null,
    });
    return { id, hostPort, generation, deploymentId };
  });
}

const desiredOf = async (token: string) =>
  (await asDevice(sql, token, (tx) => tx<{ s: unknown }[]>`select public.device_desired_state() as s`))[0]!.s;
const informs = (intent: string, containerId: string) =>
  sql<{ payload: Record<string, unknown>; to: string[] }[]>`
    select payload, "to" from public.messages where type = 'inform' and intent = ${intent} and payload ->> 'container_id' = ${containerId}`;

describe("enrollment and credentials", () => {
  it("only device administrators create or revoke devices; the read-only operator token cannot", async () => {
    await expect(asRole(sql, agentClaims(OWNER), (tx) => tx`select public.create_device('pi', '{}'::jsonb)`)).rejects.toMatchObject({ code: "42501" });
    await expect(asRole(sql, READ_ONLY_OPERATOR, (tx) => tx`select public.create_device('pi', '{}'::jsonb)`)).rejects.toMatchObject({ code: "42501" });
    const d = await createDevice(sql, "pi-admin-only");
    await expect(asRole(sql, READ_ONLY_OPERATOR, (tx) => tx`select public.revoke_device(${d.device_id})`)).rejects.toMatchObject({ code: "42501" });
    await expect(asRole(sql, { role: "anon" }, (tx) => tx`select public.create_device('pi', '{}'::jsonb)`)).rejects.toMatchObject({ code: "42501" });
    await expect(asRole(sql, OPERATOR, (tx) => tx`select public.create_device('pi', '["a"]'::jsonb)`)).rejects.toThrow(/labels must be a JSON object/);
  });

  it("exchanges an enrollment token once for a signed device JWT", async () => {
    const created = await createDevice(sql, "pi-1", { labels: { site: "berlin" }, architecture: "arm64" });
    expect(created.enrollment_token).toMatch(/^enr_[0-9a-f]{64}$/);
    const stored = await sql`select * from private.device_enrollments where device_id = ${created.device_id}`;
    expect(JSON.stringify(stored)).not.toContain(created.enrollment_token);

    const credential = await exchange(sql, created.enrollment_token);
    expect(credential.device_id).toBe(created.device_id);
    const verified = await verifyJwt(JWT_SECRET, credential.token);
    expect(verified).toMatchObject({ role: "authenticated", device_id: created.device_id, jti: expect.any(String) });
    expect(new Date(credential.expires_at).getTime() / 1000).toBe(verified.exp);
    await expect(exchange(sql, created.enrollment_token)).rejects.toMatchObject({ code: "28000" });
    await expect(exchange(sql, "enr_not-a-real-token-at-all")).rejects.toMatchObject({ code: "28000" });
    const [device] = await sql`select architecture, status from public.devices where id = ${created.device_id}`;
    expect(device).toEqual({ architecture: "aarch64", status: "offline" });
  });

  it("renews, and refuses every credential and enrollment token of a revoked device", async () => {
    const created = await createDevice(sql, "pi-2");
    const first = await exchange(sql, created.enrollment_token);
    const { r: renewed } = (await asDevice(sql, first.token, (tx) => tx<{ r: { token: string; device_id: string } }[]>`select public.device_token_renew() as r`))[0]!;
    expect(renewed.device_id).toBe(created.device_id);
    expect(claimsOf(renewed.token).jti).not.toBe(claimsOf(first.token).jti);
    const { r: spare } = (await asRole(sql, OPERATOR, (tx) => tx<{ r: { enrollment_token: string } }[]>`select public.create_enrollment_token(${created.device_id}) as r`))[0]!;

    await expect(asRole(sql, agentClaims(OWNER), (tx) => tx`select public.revoke_device(${created.device_id})`)).rejects.toMatchObject({ code: "42501" });
    const { r } = (await asRole(sql, OPERATOR, (tx) => tx<{ r: unknown }[]>`select public.revoke_device(${created.device_id}) as r`))[0]!;
    expect(r).toEqual({ device_id: created.device_id, revoked_credentials: 2 });
    for (const token of [first.token, renewed.token]) {
      await expect(asDevice(sql, token, (tx) => tx`select public.device_token_renew()`)).rejects.toMatchObject({ code: "28000" });
      await expect(asDevice(sql, token, (tx) => tx`select public.device_heartbeat('0.1.0')`)).rejects.toMatchObject({ code: "28000" });
      await expect(asDevice(sql, token, (tx) => tx`select public.device_desired_state()`)).rejects.toMatchObject({ code: "28000" });
    }
    await expect(exchange(sql, spare.enrollment_token)).rejects.toMatchObject({ code: "28000" });
  });

  it("refuses a credential whose jti is unknown or belongs to another device (forged claims)", async () => {
    const a = await onlineDevice(sql, "pi-forge-a");
    const b = await onlineDevice(sql, "pi-forge-b");
    const forged = { ...claimsOf(a.credential.token), device_id: b.id };
    await expect(asRole(sql, forged, (tx) => tx`select public.device_desired_state()`)).rejects.toMatchObject({ code: "28000" });
    await expect(asRole(sql, { ...forged, device_id: a.id, jti: randomUUID() }, (tx) => tx`select public.device_desired_state()`)).rejects.toMatchObject({ code: "28000" });
  });
});

describe("desired state", () => {
  it("holds only the device's own live containers, env read from Vault", async () => {
    const a = await onlineDevice(sql, "pi-a");
    const b = await onlineDevice(sql, "pi-b");
    const mine = await deployOn(a.id, "cust-a", { API_KEY: SECRET });
    const theirs = await deployOn(b.id, "cust-b", { OTHER: "x" });
    expect(mine.hostPort).toBe(20000);

    const state = desiredStateSchema.parse(await desiredOf(a.credential.token));
    expect(state.device_id).toBe(a.id);
    expect(state.generation).toBe(mine.generation);
    expect(state.containers).toEqual([expect.objectContaining({
      container_id: mine.id, image: "localhost/httpd:test", env: { API_KEY: SECRET }, ports: [{ container_port: 8080, host_port: 20000 }],
      cpu: 0.5, memory_mb: 64, health_path: "/health",
    })]);
    expect(JSON.stringify(await desiredOf(b.credential.token))).not.toContain(SECRET);
    expect((desiredStateSchema.parse(await desiredOf(b.credential.token))).containers.map((c) => c.container_id)).toEqual([theirs.id]);

    // the secret lives in Vault only: not in containers, deployments or the spec table
    const plain = await sql`select c.*, e.*, d.* from public.containers c join private.edge_containers e on e.container_id = c.id
                              join public.deployments d on d.container_id = c.id where c.id = ${mine.id}`;
    expect(JSON.stringify(plain)).not.toContain(SECRET);

    // the next container on the device gets the next free port
    expect((await deployOn(a.id, "cust-a2")).hostPort).toBe(20001);
  });

  it("lets a device read only its own device row and join only its own Realtime topic", async () => {
    const a = await onlineDevice(sql, "pi-rls-a");
    const b = await onlineDevice(sql, "pi-rls-b");
    const seen = await asDevice(sql, a.credential.token, (tx) => tx<{ id: string }[]>`select id from public.devices`);
    expect(seen.map((d) => d.id)).toEqual([a.id]);
    expect(await asDevice(sql, a.credential.token, (tx) => tx`select * from private.edge_containers`).catch((e: { code: string }) => e.code)).toBe("42501");

    const admin = db.connectAs("supabase_admin");
    const canJoin = async (topic: string) => {
      const probe = randomUUID();
      await admin`insert into realtime.messages (id, topic, extension) values (${probe}, ${topic}, 'broadcast')`;
      return asDevice(sql, a.credential.token, async (tx) => {
        await tx`select set_config('realtime.topic', ${topic}, true)`;
        return (await tx`select id from realtime.messages where id = ${probe}`).length === 1;
      });
    };
    expect(await canJoin(`device:${a.id}`)).toBe(true);
    expect(await canJoin(`device:${b.id}`)).toBe(false);
    expect(await canJoin(`agent:${OWNER}`)).toBe(false);
  });
});

describe("reports", () => {
  it("settles the deployment on the first running report and informs the owner once", async () => {
    const d = await onlineDevice(sql, "pi-report");
    const c = await deployOn(d.id, "cust-r");
    const send = (generation: number | null, state: string, extra: Record<string, unknown> = {}) =>
      asDevice(sql, d.credential.token, (tx) => tx`select public.device_report(${tx.json(report(generation, [entry(c.id, state, extra)]) as never)})`);

    await send(c.generation - 1, "running"); // about an older spec: no settlement
    expect((await sql`select status from public.deployments where id = ${c.deploymentId}`)[0]?.status).toBe("deploying");
    await send(c.generation, "creating");
    await send(c.generation, "running");
    await send(c.generation, "running");
    const [container] = await sql`select status, cpu_usage, memory_usage from public.containers where id = ${c.id}`;
    expect(container).toEqual({ status: "running", cpu_usage: 0.125, memory_usage: 20 / 1024 });
    expect((await sql`select status from public.deployments where id = ${c.deploymentId}`)[0]?.status).toBe("succeeded");
    const running = await informs("deployment_status_changed", c.id);
    expect(running).toEqual([{ to: [OWNER], payload: expect.objectContaining({ status: "running", deployment_id: c.deploymentId, device_id: d.id }) }]);
    const [device] = await sql`select address, reported_generation, agent_version from public.devices where id = ${d.id}`;
    expect(device).toEqual({ address: "127.0.0.1", reported_generation: String(c.generation), agent_version: "0.1.0-test" });
  });

  it("marks a container the device could not start failed, with the engine's error, and tells the owner", async () => {
    const d = await onlineDevice(sql, "pi-fail");
    const c = await deployOn(d.id, "cust-f");
    const engineError = "registry.invalid/agentify/missing:1.0: name unknown";
    await asDevice(sql, d.credential.token, (tx) => tx`select public.device_report(${tx.json(report(c.generation, [entry(c.id, "failed", { engine_error: engineError })]) as never)})`);
    expect((await sql`select status from public.containers where id = ${c.id}`)[0]?.status).toBe("failed");
    expect((await sql`select status, error from public.deployments where id = ${c.deploymentId}`)[0]).toEqual({ status: "failed", error: engineError });
    const failed = await informs("deployment_status_changed", c.id);
    expect(failed).toEqual([{ to: [OWNER], payload: expect.objectContaining({ status: "failed", error: { code: "engine_error", message: engineError } }) }]);
  });

  it("ignores entries about containers of other devices", async () => {
    const a = await onlineDevice(sql, "pi-x-a");
    const b = await onlineDevice(sql, "pi-x-b");
    const c = await deployOn(b.id, "cust-x");
    await asDevice(sql, a.credential.token, (tx) => tx`select public.device_report(${tx.json(report(99, [entry(c.id, "failed", { engine_error: "x" })]) as never)})`);
    expect((await sql`select status from public.containers where id = ${c.id}`)[0]?.status).toBe("deploying");
  });
});

describe("offline devices", () => {
  it("goes offline only after more than 3 missed heartbeats, informs owners, and is back with its next heartbeat", async () => {
    const d = await onlineDevice(sql, "pi-offline");
    await sql`update public.devices set status = 'offline' where id <> ${d.id} and status = 'online'`; // only this one counts
    const c = await deployOn(d.id, "cust-o");
    await sql`update public.containers set status = 'running', health = true, health_state = 'healthy', last_health_check_at = now() where id = ${c.id}`;
    const { beat } = (await sql<{ beat: Date }[]>`select last_heartbeat_at as beat from public.devices where id = ${d.id}`)[0]!;
    const markAt = async (seconds: number) =>
      (await sql<{ n: number }[]>`select private.mark_offline_devices(${beat}::timestamptz + make_interval(secs => ${seconds})) as n`)[0]!.n;

    expect(await markAt(30)).toBe(0); // 3 intervals of 10 s: the third beat may still be on its way
    expect((await sql`select status from public.devices where id = ${d.id}`)[0]?.status).toBe("online");
    expect(await markAt(31)).toBe(1);
    expect(await markAt(60)).toBe(0); // already offline: no second inform
    expect((await sql`select status from public.devices where id = ${d.id}`)[0]?.status).toBe("offline");
    expect((await sql`select health, health_state from public.containers where id = ${c.id}`)[0]).toEqual({ health: false, health_state: "unknown" });
    expect(await informs("health_changed", c.id)).toEqual([{ to: [OWNER], payload: expect.objectContaining({
      old: "healthy", new: "unknown", reason: "device_offline", device_id: d.id }) }]);

    const { r } = (await asDevice(sql, d.credential.token, (tx) => tx<{ r: { desired_generation: number } }[]>`select public.device_heartbeat('0.1.1') as r`))[0]!;
    expect(r).toEqual({ desired_generation: c.generation });
    expect((await sql`select status, agent_version from public.devices where id = ${d.id}`)[0]).toEqual({ status: "online", agent_version: "0.1.1" });
    expect((await sql`select last_health_check_at from public.containers where id = ${c.id}`)[0]?.last_health_check_at).toBeNull();
  });

  it("purges credentials that expired more than a day ago, and only those", async () => {
    const created = await createDevice(sql, "pi-purge");
    const old = await exchange(sql, created.enrollment_token);
    const current = (await asDevice(sql, old.token, (tx) => tx<{ r: { token: string } }[]>`select public.device_token_renew() as r`))[0]!.r;
    const jti = (token: string) => String(claimsOf(token).jti);
    await sql`update private.device_credentials set expires_at = now() - interval '2 days' where jti::text = ${jti(old.token)}`;
    const { n } = (await sql<{ n: number }[]>`select private.purge_device_credentials() as n`)[0]!;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(await sql`select 1 from private.device_credentials where jti::text = ${jti(old.token)}`).toHaveLength(0);
    expect(await sql`select 1 from private.device_credentials where jti::text = ${jti(current.token)}`).toHaveLength(1);
  });

  it("keeps the health sweep away from the containers of a device that is not online", async () => {
    const d = await onlineDevice(sql, "pi-sweep");
    const c = await deployOn(d.id, "cust-sweep");
    await sql`update public.containers set status = 'running', last_health_check_at = null, health_claimed_until = null where id = ${c.id}`;
    const claimed = async () => (await sql<{ id: string }[]>`select id from private.claim_health_checks(10000)`).map((r) => r.id);
    await sql`update public.devices set status = 'offline' where id = ${d.id}`;
    expect(await claimed()).not.toContain(c.id);
    await sql`update public.devices set status = 'online' where id = ${d.id}`;
    expect(await claimed()).toContain(c.id);
  });

  it("follows the configured heartbeat interval and missed-beat count", async () => {
    const d = await onlineDevice(sql, "pi-offline-cfg");
    await sql`update public.devices set status = 'offline' where id <> ${d.id} and status = 'online'`;
    await sql`update private.edge_settings set heartbeat_interval_seconds = 5, missed_heartbeats = 2`;
    try {
      const at = (s: number) => sql<{ n: number }[]>`select private.mark_offline_devices((select last_heartbeat_at from public.devices where id = ${d.id}) + make_interval(secs => ${s})) as n`;
      expect((await at(10))[0]!.n).toBe(0);
      expect((await at(11))[0]!.n).toBe(1);
      expect((await sql`select status from public.devices where id = ${d.id}`)[0]?.status).toBe("offline");
    } finally {
      await sql`update private.edge_settings set heartbeat_interval_seconds = 10, missed_heartbeats = 3`;
    }
  });
});
