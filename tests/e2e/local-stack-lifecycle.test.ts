import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, mkdir, open, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { stack } from "../setup/clients.ts";

/**
 * The CLI's own life cycle, on a second stack in its own empty folder and ports
 * (the shared test stack's ports + 200), driven only through the npm-script entry points.
 */
const s = stack();
const root = s.projectRoot;
const base = s.apiPort + 200;
const cliEnv = (stateDir: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  LOCAL_STATE_DIR: stateDir,
  LOCAL_API_PORT: String(base),
  LOCAL_DB_PORT: String(base + 1),
  LOCAL_DASHBOARD_PORT: String(base + 2),
  LOCAL_RAILWAY_PORT: String(base + 9),
  ...extra,
});

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(root, "local/cli/main.ts"), ...args], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
}

/** Starts `npm start`'s command in the background; resolves once `status` says it runs. */
async function startInBackground(env: NodeJS.ProcessEnv) {
  // Output goes to a file, not a pipe: this test blocks in spawnSync while the stack runs, and a
  // full pipe would stall the stack's (synchronous) writes.
  const logFile = path.join(path.dirname(env.LOCAL_STATE_DIR!), `start-${Date.now()}.log`);
  const log = await open(logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "local/cli/main.ts"), "start"], { cwd: root, env, stdio: ["ignore", log.fd, log.fd] });
  await log.close();
  const out = () => readFileSync(logFile, "utf8");
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (let i = 0; i < 600; i++) {
    if (cli(["status"], env).status === 0) return { child, exit, output: out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`the stack did not start:\n${out()}`);
}

function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ho-lifecycle-"));
  await chmod(dir, 0o755); // PostgreSQL runs as the postgres OS user and must reach the state folder
  dirs.push(dir);
  return path.join(dir, "state");
}

describe("local stack life cycle (npm start / status / stop)", () => {
  it("initialises in an empty folder, starts, stops cleanly, and reuses its data on the next start", async () => {
    const env = cliEnv(await emptyDir());
    expect(cli(["status", "-o", "env"], env).status).toBe(1);

    const first = await startInBackground(env);
    const status = cli(["status", "-o", "env"], env);
    expect(status.status).toBe(0);
    const vars = envOf(status.stdout);
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(["API_URL", "DB_URL", "ANON_KEY", "SERVICE_ROLE_KEY", "JWT_SECRET"]));
    expect(vars.API_URL).toBe(`http://127.0.0.1:${base}`);

    // A second start while it runs says so and exits 0.
    const again = cli(["start"], env);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/already running/);

    const sql = postgres(vars.DB_URL!, { max: 1, onnotice: () => {} });
    await sql`create table public.lifecycle_probe (id int primary key)`;
    await sql`insert into public.lifecycle_probe values (42)`;
    await sql.end();

    const stopped = cli(["stop"], env);
    expect(stopped.status, `${stopped.stderr}\n${first.output()}`).toBe(0);
    expect(await first.exit).toBe(0);
    expect(cli(["status"], env).status).toBe(1);
    // No process of that stack is left: its database port is free again.
    await expect(canListen(base + 1)).resolves.toBe(true);

    const second = await startInBackground(env);
    const vars2 = envOf(cli(["status", "-o", "env"], env).stdout);
    expect(vars2.ANON_KEY).toBe(vars.ANON_KEY); // keys are generated once per install
    const sql2 = postgres(vars2.DB_URL!, { max: 1, onnotice: () => {} });
    expect(await sql2`select id from public.lifecycle_probe`).toEqual([{ id: 42 }]);
    await sql2.end();
    second.child.kill("SIGINT"); // Ctrl-C
    expect(await second.exit).toBe(0);
    await expect(canListen(base + 1)).resolves.toBe(true);
  }, 240_000);

  it("names the port and the process when a port is taken", async () => {
    const env = cliEnv(await emptyDir());
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(base, "127.0.0.1", () => r()));
    try {
      const result = cli(["start"], env);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`port ${base} (API) is already in use by pid ${process.pid}`);
    } finally {
      blocker.close();
    }
  });

  it("suggests npm run reset for a damaged data folder, and reset rebuilds it", async () => {
    const stateDir = await emptyDir();
    await mkdir(path.join(stateDir, "pgdata"), { recursive: true });
    await writeFile(path.join(stateDir, "pgdata", "garbage"), "not a cluster");
    const env = cliEnv(stateDir);
    const result = cli(["start"], env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("npm run reset");

    const reset = cli(["reset"], env);
    expect(reset.status, reset.stderr).toBe(0);
    const started = await startInBackground(env);
    expect(cli(["status"], env).status).toBe(0);
    started.child.kill("SIGTERM");
    expect(await started.exit).toBe(0);
  }, 240_000);
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
