import type { Sql } from "postgres";

/**
 * Realtime's janitor for `realtime.messages` (contracts §2.1): daily partitions from yesterday to
 * today+3 exist, and partitions of days older than 72 hours are dropped.
 */
export async function maintainMessagePartitions(sql: Sql, now: Date = new Date()): Promise<void> {
  const day = (offset: number) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
    return d.toISOString().slice(0, 10);
  };
  for (let offset = -1; offset <= 3; offset++) {
    const from = day(offset);
    const to = day(offset + 1);
    const name = `messages_${from.replaceAll("-", "_")}`;
    await sql.unsafe(
      `create table if not exists realtime.${name} partition of realtime.messages for values from ('${from}') to ('${to}')`,
    );
    await sql.unsafe(`alter table realtime.${name} owner to supabase_realtime_admin`);
  }
  const cutoff = new Date(now.getTime() - 72 * 3600 * 1000).toISOString().slice(0, 10);
  const old = await sql<{ name: string }[]>`
    select c.relname as name
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = p.relnamespace
     where n.nspname = 'realtime' and p.relname = 'messages'
       and c.relname ~ '^messages_\\d{4}_\\d{2}_\\d{2}$'
       and replace(substr(c.relname, 10), '_', '-') < ${cutoff}`;
  for (const { name } of old) await sql.unsafe(`drop table if exists realtime.${name}`);
}
