import type { Sql } from "postgres";
import type { ContainerRow } from "./containers.ts";

/** Edge containers: the public.containers row plus its device-side spec in private.edge_containers. */
export interface NewEdgeContainer {
  /** Chosen by the caller, so the device-side name can carry it. */
  id: string;
  agentId: string;
  customerId: string;
  ownerAgentId: string;
  image: string;
  deviceId: string;
  name: string;
  address: string;
  healthUrl: string;
  hostPort: number;
  containerPort: number;
  cpu: number;
  memoryMb: number;
  healthPath: string;
  /** The generation the device's desired state will have once this container is in it. */
  generation: number;
}

/** Creates the container (status deploying) and its spec. */
export async function insertEdgeContainer(sql: Sql, c: NewEdgeContainer): Promise<string> {
  const [row] = await sql<Pick<ContainerRow, "id">[]>`
    insert into public.containers (id, agent_id, customer_id, target_type, target_id, owner_agent_id, image, resources, address, health_url, status)
    values (${c.id}, ${c.agentId}, ${c.customerId}, 'edge', ${c.deviceId}, ${c.ownerAgentId}, ${c.image},
            ${sql.json({ cpu: c.cpu, memory_mb: c.memoryMb, host_port: c.hostPort, container_port: c.containerPort })},
            ${c.address}, ${c.healthUrl}, 'deploying')
    returning id`;
  await sql`
    insert into private.edge_containers (container_id, device_id, name, host_port, container_port, cpu, memory_mb, health_path, spec_generation)
    values (${row!.id}, ${c.deviceId}, ${c.name}, ${c.hostPort}, ${c.containerPort}, ${c.cpu}, ${c.memoryMb}, ${c.healthPath}, ${c.generation})`;
  return row!.id;
}

/** Stores the container's env in Vault (a secret named edge_env:<container id>) and links it to the spec. */
export async function storeEdgeEnv(sql: Sql, containerId: string, env: Record<string, string>): Promise<void> {
  await sql`
    update private.edge_containers
       set env_secret_id = vault.create_secret(${JSON.stringify(env)}, ${`edge_env:${containerId}`}, 'env of an edge container')
     where container_id = ${containerId}`;
}

/** Takes a container off its device's desired state: the spec marked removed, its env deleted from Vault. */
export async function removeEdgeSpec(sql: Sql, containerId: string): Promise<string | undefined> {
  const [row] = await sql<{ device_id: string; env_secret_id: string | null }[]>`
    update private.edge_containers set removed_at = coalesce(removed_at, now())
     where container_id = ${containerId} returning device_id, env_secret_id`;
  if (row?.env_secret_id) await sql`delete from vault.secrets where id = ${row.env_secret_id}`;
  return row?.device_id;
}

/** The reply of a deploy_to_edge request that was already carried out (a redelivered request). */
export async function previousEdgeDeploy(sql: Sql, requestId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await sql<{ deployment_id: string; container_id: string; address: string; health_url: string; device_id: string }[]>`
    select d.id as deployment_id, c.id as container_id, c.address, c.health_url, c.target_id as device_id
      from public.deployments d join public.containers c on c.id = d.container_id
     where d.request_message_id = ${requestId} and d.provider = 'edge'`;
  return row ? { ...row, status: "deploying" } : undefined;
}
