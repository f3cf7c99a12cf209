import type { Sql } from "postgres";
import type { Logger } from "../log/logger.ts";

/**
 * What PostgREST calls the schema cache: the tables, views, columns, foreign keys and functions of
 * the exposed schemas, read from the catalogs at start and again on `NOTIFY pgrst, 'reload schema'`
 * (or an empty payload), as PostgREST does. Every identifier that reaches SQL comes from here.
 */
export interface Column {
  name: string;
  /** `format_type` of the column (catalog text, safe to splice into SQL). */
  type: string;
  nullable: boolean;
}

export interface Relation {
  schema: string;
  name: string;
  kind: "table" | "view" | "materialized_view" | "foreign_table" | "partitioned_table";
  columns: Map<string, Column>;
  primaryKey: string[];
}

export interface ForeignKey {
  constraint: string;
  /** The referencing side ("many"). */
  schema: string;
  table: string;
  columns: string[];
  /** The referenced side ("one"). */
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface RoutineArg {
  name: string;
  type: string;
  hasDefault: boolean;
}

export interface Routine {
  schema: string;
  name: string;
  args: RoutineArg[];
  returnsSet: boolean;
  /** void; scalar (base/domain/enum/array types); composite (a row type or OUT/TABLE columns). */
  returnKind: "void" | "scalar" | "composite";
  /** Columns of a composite result, when known. */
  resultColumns: string[] | null;
  volatility: "immutable" | "stable" | "volatile";
}

export interface SchemaCache {
  relations: Map<string, Relation>;
  foreignKeys: ForeignKey[];
  routines: Map<string, Routine[]>;
  /** Per-role settings from pg_db_role_setting (e.g. anon's statement_timeout), applied per request. */
  roleSettings: Map<string, [string, string][]>;
}

export const qualified = (schema: string, name: string) => `${schema}.${name}`;

const RELKIND: Record<string, Relation["kind"]> = { r: "table", v: "view", m: "materialized_view", f: "foreign_table", p: "partitioned_table" };
const VOLATILITY: Record<string, Routine["volatility"]> = { i: "immutable", s: "stable", v: "volatile" };

interface RelationRow { schema: string; name: string; kind: string; columns: Column[]; primary_key: string[] }
interface ForeignKeyRow { constraint: string; schema: string; table: string; columns: string[]; ref_schema: string; ref_table: string; ref_columns: string[] }
interface RoutineRow {
  schema: string; name: string; volatility: string; returns_set: boolean; return_type: string; return_typtype: string;
  arg_names: string[]; arg_modes: string[]; arg_types: string[]; ndefaults: number; composite_columns: string[] | null;
}
interface RoleSettingRow { role: string; settings: string[] }

const RELATIONS_SQL = `
select n.nspname::text as schema, c.relname::text as name, c.relkind::text as kind,
  coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', not a.attnotnull) order by a.attnum)
            from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
  coalesce((select array_agg(a.attname::text order by k.ord) from pg_index i
            cross join lateral unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
            where i.indrelid = c.oid and i.indisprimary), '{}')::text[] as primary_key
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind in ('r','v','m','f','p')`;

const FOREIGN_KEYS_SQL = `
select con.conname::text as constraint, n1.nspname::text as schema, c1.relname::text as table,
  array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord) as columns,
  n2.nspname::text as ref_schema, c2.relname::text as ref_table,
  array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord) as ref_columns
from pg_constraint con
join pg_class c1 on c1.oid = con.conrelid join pg_namespace n1 on n1.oid = c1.relnamespace
join pg_class c2 on c2.oid = con.confrelid join pg_namespace n2 on n2.oid = c2.relnamespace
where con.contype = 'f' and n1.nspname = any($1::text[]) and n2.nspname = any($1::text[])`;

const ROUTINES_SQL = `
select n.nspname::text as schema, p.proname::text as name, p.provolatile::text as volatility, p.proretset as returns_set,
  format_type(p.prorettype, null) as return_type, t.typtype::text as return_typtype,
  coalesce(p.proargnames, '{}')::text[] as arg_names,
  coalesce(p.proargmodes::text[], '{}')::text[] as arg_modes,
  array(select format_type(u.x, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(x, o) order by u.o) as arg_types,
  p.pronargdefaults::int as ndefaults,
  case when t.typrelid <> 0 then array(select a.attname::text from pg_attribute a
       where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) end as composite_columns
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_type t on t.oid = p.prorettype
where n.nspname = any($1::text[]) and p.prokind = 'f'`;

const ROLE_SETTINGS_SQL = `
select r.rolname::text as role, s.setconfig::text[] as settings
from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
where s.setdatabase in (0, (select oid from pg_database where datname = current_database())) and r.rolname = any($1::text[])
order by s.setdatabase`;

function toRoutine(row: RoutineRow): Routine {
  const modes = row.arg_modes.length > 0 ? row.arg_modes : row.arg_types.map(() => "i");
  const inputs: { name: string; type: string }[] = [];
  const outputs: string[] = [];
  modes.forEach((mode, i) => {
    const name = row.arg_names[i] ?? "";
    const type = row.arg_types[i] ?? "unknown";
    if (mode === "i" || mode === "b" || mode === "v") inputs.push({ name, type });
    if (mode === "o" || mode === "b" || mode === "t") outputs.push(name);
  });
  const firstDefault = inputs.length - row.ndefaults;
  const args = inputs.map((a, i) => ({ ...a, hasDefault: i >= firstDefault }));
  let returnKind: Routine["returnKind"] = "scalar";
  let resultColumns: string[] | null = null;
  if (row.return_type === "void") returnKind = "void";
  else if (outputs.length > 1 || (row.return_type === "record" && outputs.length > 0)) {
    returnKind = "composite";
    resultColumns = outputs;
  } else if (row.return_typtype === "c") {
    returnKind = "composite";
    resultColumns = row.composite_columns;
  } else if (row.return_type === "record") {
    returnKind = "composite";
  }
  return {
    schema: row.schema, name: row.name, args, returnsSet: row.returns_set, returnKind, resultColumns,
    volatility: VOLATILITY[row.volatility] ?? "volatile",
  };
}

export async function loadSchemaCache(sql: Sql, schemas: readonly string[], roles: readonly string[]): Promise<SchemaCache> {
  const list = [...schemas];
  const [relationRows, fkRows, routineRows, settingRows] = await Promise.all([
    sql.unsafe<RelationRow[]>(RELATIONS_SQL, [list]),
    sql.unsafe<ForeignKeyRow[]>(FOREIGN_KEYS_SQL, [list]),
    sql.unsafe<RoutineRow[]>(ROUTINES_SQL, [list]),
    sql.unsafe<RoleSettingRow[]>(ROLE_SETTINGS_SQL, [[...roles]]),
  ]);
  const relations = new Map<string, Relation>();
  for (const row of relationRows) {
    relations.set(qualified(row.schema, row.name), {
      schema: row.schema, name: row.name, kind: RELKIND[row.kind] ?? "table",
      columns: new Map(row.columns.map((c) => [c.name, c])), primaryKey: row.primary_key,
    });
  }
  const routines = new Map<string, Routine[]>();
  for (const row of routineRows) {
    const key = qualified(row.schema, row.name);
    routines.set(key, [...(routines.get(key) ?? []), toRoutine(row)]);
  }
  const roleSettings = new Map<string, [string, string][]>();
  for (const row of settingRows) {
    const pairs = row.settings.flatMap((s): [string, string][] => {
      const eq = s.indexOf("=");
      return eq > 0 ? [[s.slice(0, eq), s.slice(eq + 1)]] : [];
    });
    // Database-specific settings come last and win, as in PostgreSQL.
    roleSettings.set(row.role, [...(roleSettings.get(row.role) ?? []), ...pairs]);
  }
  const foreignKeys = fkRows.map((r) => ({
    constraint: r.constraint, schema: r.schema, table: r.table, columns: r.columns,
    refSchema: r.ref_schema, refTable: r.ref_table, refColumns: r.ref_columns,
  }));
  return { relations, foreignKeys, routines, roleSettings };
}

export interface SchemaCacheHolder {
  current(): SchemaCache;
  /** Reloads now; resolves when the new cache is in place. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Loads the cache and keeps it fresh: LISTEN pgrst, reload on 'reload schema' or an empty payload.
 * The listener reloads after every (re)connect too, so a notification missed while disconnected
 * delays a reload, never loses it. Reloads are serialised; a reload failure keeps the old cache.
 */
export async function startSchemaCache(sql: Sql, schemas: readonly string[], roles: readonly string[], log: Logger): Promise<SchemaCacheHolder> {
  let cache: SchemaCache | undefined;
  let running: Promise<void> = Promise.resolve();
  const reload = () => {
    running = running.then(async () => {
      try {
        cache = await loadSchemaCache(sql, schemas, roles);
        log.info("schema cache loaded", { relations: cache.relations.size, routines: cache.routines.size });
      } catch (error) {
        log.error("schema cache reload failed", { error: String(error) });
      }
    });
    return running;
  };
  // Listen first, then load: a change between the two is then never missed.
  const listener = await sql.listen("pgrst", (payload) => {
    if (payload === "" || payload === "reload schema") void reload();
  }, () => {
    if (cache) void reload();
  });
  let loaded: SchemaCache;
  try {
    loaded = await loadSchemaCache(sql, schemas, roles);
  } catch (error) {
    await listener.unlisten().catch(() => {});
    throw error;
  }
  cache ??= loaded;
  return {
    current: () => cache ?? loaded,
    reload,
    async close() {
      await listener.unlisten().catch(() => {});
      await running;
    },
  };
}
