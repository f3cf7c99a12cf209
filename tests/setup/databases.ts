import { randomBytes } from "node:crypto";
import postgres, { type Sql } from "postgres";
import { stackConfigFromEnv } from "../../local/config/stack-config.ts";
import { bootstrapPlatform } from "../../local/platform/bootstrap.ts";
import { pushMigrations } from "../../local/postgres/db-push.ts";
import { stack } from "./clients.ts";

/**
 * A fresh database of the test stack for one test file: the platform layer and every migration
 * applied (with the real Supabase CLI), nothing else. `drop()` removes it; call it in afterAll.
 * pg_cron is not available in it (it lives in `postgres` only), so scheduled jobs are not created.
 */
export interface TestDatabase {
  name: string;
  url: string;
  /** Connected as `postgres`. */
  sql: Sql;
  /** Connect as another login role (authenticator, supabase_admin). */
  connectAs(user: string): Sql;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrations?: boolean } = {}): Promise<TestDatabase> {
  const s = stack();
  const name = `test_${randomBytes(6).toString("hex")}`;
  const config = stackConfigFromEnv({ LOCAL_STATE_DIR: s.stateDir, LOCAL_DB_PORT: String(s.dbPort), LOCAL_API_PORT: String(s.apiPort) }, s.projectRoot);
  const admin = postgres({ host: "127.0.0.1", port: s.dbPort, user: "supabase_admin", password: "postgres", database: "postgres", max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  await bootstrapPlatform(config, name);
  const url = `postgresql://postgres:postgres@127.0.0.1:${s.dbPort}/${name}`;
  if (options.migrations !== false) await pushMigrations(s.projectRoot, url, { seed: false });
  const opened: Sql[] = [];
  const connectAs = (user: string) => {
    const sql = postgres({ host: "127.0.0.1", port: s.dbPort, user, password: "postgres", database: name, max: 4, onnotice: () => {} });
    opened.push(sql);
    return sql;
  };
  return {
    name,
    url,
    sql: connectAs("postgres"),
    connectAs,
    async drop() {
      await Promise.all(opened.map((sql) => sql.end({ timeout: 5 })));
      const a = postgres({ host: "127.0.0.1", port: s.dbPort, user: "supabase_admin", password: "postgres", database: "postgres", max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
