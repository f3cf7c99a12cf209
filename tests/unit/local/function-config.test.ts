import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadFunctionSpecs } from "../../../local/functions/function-config.ts";
import { verifyBearer } from "../../../local/functions/verify-bearer.ts";
import { signJwt } from "../../../local/keys/keys.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("function discovery from functions/ and supabase/config.toml", () => {
  it("finds function folders, skips _shared and folders without an entrypoint, and reads verify_jwt", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "ho-fn-"));
    dirs.push(root);
    for (const f of ["a", "b", "_shared", "empty"]) await mkdir(path.join(root, "functions", f), { recursive: true });
    await writeFile(path.join(root, "functions", "a", "index.ts"), "");
    await writeFile(path.join(root, "functions", "b", "main.ts"), "");
    await writeFile(path.join(root, "functions", "_shared", "index.ts"), "");
    await mkdir(path.join(root, "supabase"));
    await writeFile(path.join(root, "supabase", "config.toml"),
      '[functions.b]\nverify_jwt = false\nentrypoint = "../functions/b/main.ts"\n');
    const specs = await loadFunctionSpecs(root);
    expect([...specs.keys()].sort()).toEqual(["a", "b"]);
    expect(specs.get("a")).toEqual({ name: "a", entrypoint: path.join(root, "functions/a/index.ts"), verifyJwt: true });
    expect(specs.get("b")).toEqual({ name: "b", entrypoint: path.join(root, "functions/b/main.ts"), verifyJwt: false });
  });
});

describe("verify_jwt", () => {
  const secret = "a-local-secret-of-enough-length-000";
  it("accepts a token signed with the project secret and refuses the rest with the gateway's messages", async () => {
    const good = await signJwt(secret, { role: "anon" }, 60);
    expect(await verifyBearer(`Bearer ${good}`, secret)).toBeUndefined();
    expect(await verifyBearer(null, secret)).toBe("Error: Missing authorization header");
    expect(await verifyBearer(`Token ${good}`, secret)).toBe("Error: Auth header is not 'Bearer {token}'");
    expect(await verifyBearer(`Bearer ${good}`, secret + "x")).toBe("Invalid JWT");
    expect(await verifyBearer(`Bearer ${await signJwt(secret, { role: "anon" }, -10)}`, secret)).toBe("Invalid JWT");
    expect(await verifyBearer("Bearer not.a.jwt", secret)).toBe("Invalid JWT");
  });
});
