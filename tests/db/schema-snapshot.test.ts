import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSchema } from "../../local/postgres/schema-dump.ts";
import { stack } from "../setup/clients.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";

/** supabase/schema.sql is the migrated schema: a migration that changes it must come with the new dump. */
describe("schema snapshot", () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase(); });
  afterAll(async () => { await db.drop(); });

  it("matches a fresh database with every migration applied (else: npm run schema:dump, and review the diff)", async () => {
    const committed = await readFile(path.join(stack().projectRoot, "supabase", "schema.sql"), "utf8");
    expect(dumpSchema(db.url)).toBe(committed);
  });
});
