import type { Sql } from "postgres";

/** Container rows as the handlers use them. */
export interface ContainerRow {
  id: string;
  agent_id: string;
  customer_id: string;
  target_type: "railway" | "edge";
  target_id: string | null;
  address: string | null;
  health_url: string | null;
  status: string;
  health: boolean;
  health_state: string;
  uptime: number;
  healthy_since: Date | null;
  owner_agent_id: string;
  image: string;
  provider_service_id: string | null;
  provider_deployment_id: string | null;
}

const columns = `id, agent_id, customer_id, target_type, target_id, address, health_url, status, health, health_state,
  uptime, healthy_since, owner_agent_id, image, provider_service_id, provider_deployment_id`;

/** The live (not removed) container of an agent for a customer, locked for the caller's transaction when `forUpdate`. */
export async function findLiveContainer(sql: Sql, agentId: string, customerId: string, forUpdate = false): Promise<ContainerRow | undefined> {
  const rows = await sql.unsafe<ContainerRow[]>(
    `select ${columns} from public.containers where agent_id = $1 and customer_id = $2 and status <> 'removed'${forUpdate ? " for update" : ""}`,
    [agentId, customerId],
  );
  return rows[0];
}

export async function getContainer(sql: Sql, id: string): Promise<ContainerRow | undefined> {
  const rows = await sql.unsafe<ContainerRow[]>(`select ${columns} from public.containers where id = $1`, [id]);
  return rows[0];
}

export interface NewRailwayContainer {
  agentId: string;
  customerId: string;
  ownerAgentId: string;
  image: string;
  resources: Record<string, unknown>;
  replicas: number;
  region: string | null;
}

/**
 * Creates the container row of a first deploy (status deploying), or updates the live one of the same
 * owner and target. Undefined when the live one belongs to another agent or runs elsewhere (two first
 * deploys that raced: the second waited on the unique index and must not take the first one's row).
 */
export async function upsertRailwayContainer(sql: Sql, c: NewRailwayContainer): Promise<ContainerRow | undefined> {
  const [row] = await sql.unsafe<ContainerRow[]>(
    `insert into public.containers (agent_id, customer_id, target_type, owner_agent_id, image, resources, replicas, region, status)
     values ($1, $2, 'railway', $3, $4, $5, $6, $7, 'deploying')
     on conflict (agent_id, customer_id) where status <> 'removed'
     do update set image = excluded.image, resources = excluded.resources, replicas = excluded.replicas,
                   region = coalesce(excluded.region, public.containers.region), status = 'deploying'
       where public.containers.owner_agent_id = excluded.owner_agent_id and public.containers.target_type = 'railway'
     returning ${columns}`,
    [c.agentId, c.customerId, c.ownerAgentId, c.image, sql.json(c.resources as never) as never, c.replicas, c.region],
  );
  return row;
}

export async function recordRailwayPlacement(sql: Sql, id: string, p: {
  serviceId: string; environmentId: string; deploymentId: string; address: string; healthUrl: string;
}): Promise<void> {
  await sql`update public.containers
               set target_id = ${p.serviceId}, provider_service_id = ${p.serviceId}, provider_environment_id = ${p.environmentId},
                   provider_deployment_id = ${p.deploymentId}, address = ${p.address}, health_url = ${p.healthUrl}
             where id = ${id}`;
}

export async function setContainerStatus(sql: Sql, id: string, status: string): Promise<void> {
  await sql`update public.containers set status = ${status} where id = ${id}`;
}

export async function markRemoved(sql: Sql, id: string): Promise<void> {
  await sql`update public.containers
               set status = 'removed', removed_at = now(), health = false, health_state = 'unknown'
             where id = ${id}`;
}
