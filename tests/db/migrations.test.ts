import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushMigrations } from "../../local/postgres/db-push.ts";
import { stack } from "../setup/clients.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";

/** The migrations apply, with the real Supabase CLI, to an empty database with only the platform layer. */
describe("migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase({ migrations: false }); });
  afterAll(async () => { await db.drop(); });

  it("supabase db push --db-url applies every migration to a fresh database, twice in a row", async () => {
    const s = stack();
    await pushMigrations(s.projectRoot, db.url, { seed: false });
    const applied = await db.sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations order by version`;
    const { readdir } = await import("node:fs/promises");
    const files = (await readdir(`${s.projectRoot}/migrations`)).filter((f) => f.endsWith(".sql")).map((f) => f.split("_")[0]).sort();
    expect(applied.map((r) => r.version)).toEqual(files);

    const second = await pushMigrations(s.projectRoot, db.url, { seed: false });
    expect(second).toMatch(/up to date/i);
    const again = await db.sql`select count(*)::int as n from supabase_migrations.schema_migrations`;
    expect(again[0]!.n).toBe(files.length);
  });

  it("enables row level security on every table the migrations create", async () => {
    const open = await db.sql`
      select n.nspname || '.' || c.relname as table
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and not c.relrowsecurity and not c.relispartition
         and n.nspname not in ('pg_catalog', 'information_schema', 'extensions', 'net', 'vault', 'cron', 'supabase_migrations', 'realtime')`;
    expect(open).toEqual([]);
  });
});
