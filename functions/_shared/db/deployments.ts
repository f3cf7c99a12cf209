import type { Sql } from "postgres";

/** The deployments history: one row per deploy/redeploy/rollback/restart/heal/undeploy. */
export interface NewDeployment {
  containerId: string;
  kind: "deploy" | "redeploy" | "rollback" | "restart" | "heal" | "undeploy" | "scale";
  image: string;
  envKeys: string[];
  resources: Record<string, unknown>;
  provider: "railway" | "edge";
  requestedBy: string;
  requestMessageId: string | null;
}

/** Records a deployment; a second call for the same request returns the first row's id. */
export async function recordDeployment(sql: Sql, d: NewDeployment): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.deployments (container_id, kind, image, env_keys, resources, provider, requested_by, request_message_id)
    values (${d.containerId}, ${d.kind}, ${d.image}, ${d.envKeys}, ${sql.json(d.resources as never)}, ${d.provider},
            ${d.requestedBy}, ${d.requestMessageId})
    on conflict (request_message_id) where request_message_id is not null
    do update set container_id = excluded.container_id
    returning id`;
  return row!.id;
}

export async function setDeploymentProviderId(sql: Sql, id: string, providerDeploymentId: string): Promise<void> {
  await sql`update public.deployments set provider_deployment_id = ${providerDeploymentId} where id = ${id}`;
}

export async function finishDeployment(sql: Sql, id: string, status: "succeeded" | "failed" | "removed", error?: string): Promise<void> {
  await sql`update public.deployments set status = ${status}, error = ${error ?? null}, finished_at = now()
             where id = ${id} and status = 'deploying'`;
}

/** Closes every deployment of a container still in flight (it is being removed): none settles it later. */
export async function closeOpenDeployments(sql: Sql, containerId: string): Promise<void> {
  await sql`update public.deployments set status = 'removed', finished_at = now()
             where container_id = ${containerId} and status = 'deploying'`;
}

export interface OpenDeployment {
  id: string;
  container_id: string;
  provider_deployment_id: string;
  requested_by: string;
  conversation_id: string | null;
}

/** Railway deployments still in flight, oldest first (the watcher polls them). */
export async function openRailwayDeployments(sql: Sql, limit = 100): Promise<OpenDeployment[]> {
  return sql<OpenDeployment[]>`
    select d.id, d.container_id, d.provider_deployment_id, d.requested_by, m.conversation_id
      from public.deployments d left join public.messages m on m.id = d.request_message_id
     where d.status = 'deploying' and d.provider = 'railway' and d.provider_deployment_id is not null
     order by d.created_at limit ${limit}`;
}
