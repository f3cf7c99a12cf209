import type { Sql } from "postgres";

/** Edge devices as placement sees them: status, address and free capacity (capacity minus live reservations). */
export interface DeviceCandidate {
  id: string;
  name: string;
  status: "online" | "offline" | "revoked";
  address: string | null;
  architecture: string | null;
  labels: Record<string, string>;
  free_cpu: number;
  free_memory_mb: number;
}

const candidateColumns = `d.id, d.name, d.status, d.address, d.architecture, d.labels,
  (d.cpu_capacity - coalesce(u.cpu, 0))::float8 as free_cpu, (d.memory_mb - coalesce(u.memory_mb, 0))::int as free_memory_mb`;

const usage = `left join lateral (
    select sum(e.cpu) as cpu, sum(e.memory_mb) as memory_mb
      from private.edge_containers e join public.containers c on c.id = e.container_id
     where e.device_id = d.id and e.removed_at is null and c.status not in ('removing', 'removed')) u on true`;

/** One device by id, locked for the caller's transaction (placement on it is serialised). */
export async function lockDevice(sql: Sql, id: string): Promise<DeviceCandidate | undefined> {
  await sql`select 1 from public.devices where id = ${id} for update`;
  const rows = await sql.unsafe<DeviceCandidate[]>(`select ${candidateColumns} from public.devices d ${usage} where d.id = $1`, [id]);
  return rows[0];
}

/**
 * Every non-revoked device whose labels contain `labels` and whose architecture is `architecture` (when
 * given, compared in canonical spelling), each locked, the one with the most free memory first.
 */
export async function lockMatchingDevices(sql: Sql, labels: Record<string, string>, architecture: string | undefined): Promise<DeviceCandidate[]> {
  const ids = await sql<{ id: string }[]>`
    select id from public.devices
     where status <> 'revoked' and labels @> ${sql.json(labels as never)}::jsonb
       and (${architecture ?? null}::text is null or architecture = private.edge_architecture(${architecture ?? null}::text))
     order by id for update`;
  if (ids.length === 0) return [];
  return sql.unsafe<DeviceCandidate[]>(
    `select ${candidateColumns} from public.devices d ${usage} where d.id = any($1::uuid[]) order by free_memory_mb desc, free_cpu desc, d.id`,
    [ids.map((r) => r.id)],
  );
}

/** The lowest free host port of the configured range on a device, or undefined when the range is full. */
export async function freeHostPort(sql: Sql, deviceId: string): Promise<number | undefined> {
  const [row] = await sql<{ port: number | null }[]>`select private.free_host_port(${deviceId}) as port`;
  return row?.port ?? undefined;
}

/**
 * Whether `port` is taken on the device: published by a live container, or by one removed within the
 * quarantine (the device may not have removed it yet) — the same rule as private.free_host_port.
 */
export async function hostPortTaken(sql: Sql, deviceId: string, port: number): Promise<boolean> {
  const rows = await sql`
    select 1 from private.edge_containers e, private.edge_settings s
     where e.device_id = ${deviceId} and e.host_port = ${port}
       and (e.removed_at is null or e.removed_at > now() - make_interval(secs => s.host_port_quarantine_seconds))`;
  return rows.length > 0;
}

/** Bumps the device's desired generation and nudges it over Realtime; returns the new generation. */
export async function nudgeDevice(sql: Sql, deviceId: string): Promise<number> {
  const [row] = await sql<{ generation: string }[]>`select private.nudge_device(${deviceId}) as generation`;
  return Number(row!.generation);
}
