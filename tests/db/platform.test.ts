import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { one } from "../setup/clients.ts";
import { createTestDatabase, type TestDatabase } from "../setup/databases.ts";

/** The Supabase platform layer in a fresh database: auth helpers, Vault, roles, extensions. */
describe("platform layer", () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase({ migrations: false }); });
  afterAll(async () => { await db.drop(); });

  it("auth.jwt(), auth.uid() and auth.role() reflect the request's claims", async () => {
    const sub = "8f7a3c1e-0d2b-4d59-9b7e-1c2d3e4f5a6b";
    const claims = { role: "authenticated", sub, agent_id: "agent.test.one", email: "a@example.com" };
    const [row] = await db.sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`;
      return tx`select auth.uid()::text as uid, auth.role() as role, auth.email() as email,
                       auth.jwt() ->> 'agent_id' as agent_id, current_user as current_user`;
    });
    expect(row).toEqual({ uid: sub, role: "authenticated", email: "a@example.com", agent_id: "agent.test.one", current_user: "authenticated" });

    const [none] = await db.sql`select auth.uid() as uid, auth.jwt() as jwt`;
    expect(none).toEqual({ uid: null, jwt: null });
  });

  it("Vault stores a secret encrypted and gives it back decrypted", async () => {
    const { id } = await one(db.sql<{ id: string }[]>`select vault.create_secret('s3cr3t-value', 'test_secret', 'a test') as id`);
    const [stored] = await db.sql`select secret from vault.secrets where id = ${id}`;
    expect(stored!.secret).not.toContain("s3cr3t-value");
    const [plain] = await db.sql`select name, description, decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    expect(plain).toEqual({ name: "test_secret", description: "a test", decrypted_secret: "s3cr3t-value" });

    await db.sql`select vault.update_secret(${id}, 'rotated')`;
    const [rotated] = await db.sql`select name, decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    expect(rotated).toEqual({ name: "test_secret", decrypted_secret: "rotated" });

    await expect(db.sql`select vault.create_secret('x', 'test_secret')`).rejects.toMatchObject({ code: "23505" });
  });

  it("keeps Vault away from anon and authenticated", async () => {
    for (const role of ["anon", "authenticated"]) {
      await expect(db.sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`);
        return tx`select decrypted_secret from vault.decrypted_secrets`;
      })).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("has hosted Supabase's roles and extensions", async () => {
    const roles = await db.sql`select rolname, rolsuper, rolbypassrls, rolcanlogin from pg_roles
                                where rolname in ('postgres','anon','authenticated','service_role','authenticator') order by rolname`;
    expect(roles).toEqual([
      { rolname: "anon", rolsuper: false, rolbypassrls: false, rolcanlogin: false },
      { rolname: "authenticated", rolsuper: false, rolbypassrls: false, rolcanlogin: false },
      { rolname: "authenticator", rolsuper: false, rolbypassrls: false, rolcanlogin: true },
      { rolname: "postgres", rolsuper: false, rolbypassrls: true, rolcanlogin: true },
      { rolname: "service_role", rolsuper: false, rolbypassrls: true, rolcanlogin: false },
    ]);
    const exts = await db.sql`select extname, extnamespace::regnamespace::text as schema from pg_extension order by extname`;
    expect(exts).toEqual(expect.arrayContaining([
      { extname: "pg_net", schema: "extensions" },
      { extname: "pgcrypto", schema: "extensions" },
      { extname: "supabase_vault", schema: "vault" },
    ]));
    // a migration's `create extension if not exists pg_net` works as on hosted Supabase
    await expect(db.sql`create extension if not exists pg_net`).resolves.toBeDefined();
  });

  it("realtime.send inserts a private broadcast row and never raises", async () => {
    const admin = db.connectAs("supabase_admin");
    const { maintainMessagePartitions } = await import("../../local/realtime/partitions.ts");
    await maintainMessagePartitions(admin);
    await db.sql`select realtime.send('{"hello":"world"}'::jsonb, 'greeting', 'agent:agent.test.one')`;
    const [row] = await admin`select topic, event, private, extension, payload ? 'id' as has_id from realtime.messages`;
    expect(row).toEqual({ topic: "agent:agent.test.one", event: "greeting", private: true, extension: "broadcast", has_id: true });
  });
});
