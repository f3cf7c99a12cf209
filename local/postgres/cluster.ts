import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chmod, chown, mkdir, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { StackError } from "../cli/stack-error.ts";
import type { StackConfig } from "../config/stack-config.ts";
import { PG_BIN, isRoot } from "./system-packages.ts";

/**
 * The project's own PostgreSQL 15 cluster: data in <stateDir>/pgdata, socket in <stateDir>/run,
 * log in <stateDir>/postgres.log. The server runs as a child of the stack (as the `postgres` OS user
 * when we are root, since PostgreSQL refuses to run as root), so stopping the stack stops it.
 */
export interface ClusterPaths {
  dataDir: string;
  socketDir: string;
  logFile: string;
  /** Written once initdb and the platform bootstrap have both finished. */
  readyMarker: string;
}

export function clusterPaths(config: StackConfig): ClusterPaths {
  return {
    dataDir: path.join(config.stateDir, "pgdata"),
    socketDir: path.join(config.stateDir, "run"),
    logFile: path.join(config.stateDir, "postgres.log"),
    readyMarker: path.join(config.stateDir, "pgdata.ready"),
  };
}

interface OsUser {
  uid: number;
  gid: number;
}

function postgresOsUser(): OsUser | undefined {
  if (!isRoot()) return undefined;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0 || gid.status !== 0) {
    throw new StackError("postgres_user_missing", "the OS user 'postgres' is missing; reinstall postgresql-15");
  }
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** PostgreSQL runs as the postgres OS user: every folder above its data must let that user through. */
async function assertReachable(dir: string, user: OsUser): Promise<void> {
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    const info = await stat(current);
    const searchable = info.uid === user.uid ? (info.mode & 0o100) !== 0 : (info.mode & 0o001) !== 0;
    if (!searchable) {
      throw new StackError(
        "state_dir_unreachable",
        `PostgreSQL runs as the OS user 'postgres', which cannot enter ${current}. ` +
          `Allow it (chmod o+x ${current}) or set LOCAL_STATE_DIR to a folder it can reach.`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

async function ownedDir(dir: string, user: OsUser | undefined, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, mode);
  if (user) await chown(dir, user.uid, user.gid);
}

/** The settings the stack needs; appended to postgresql.conf at initdb. */
function serverSettings(config: StackConfig, paths: ClusterPaths): string {
  return [
    "# --- hosting-orchestrator local stack ---",
    `listen_addresses = '${config.host}'`,
    `unix_socket_directories = '${paths.socketDir}'`,
    "shared_preload_libraries = 'pg_cron'",
    "cron.database_name = 'postgres'",
    "cron.use_background_workers = on",
    "max_worker_processes = 40",
    "max_connections = 300",
    "wal_level = logical",
    "max_replication_slots = 20",
    "max_wal_senders = 20",
    "timezone = 'UTC'",
    "log_timezone = 'UTC'",
    "",
  ].join("\n");
}

export type ClusterState = "absent" | "ready" | "half_initialised";

export function clusterState(paths: ClusterPaths): ClusterState {
  const hasData = existsSync(paths.dataDir);
  if (!hasData) return "absent";
  if (!existsSync(path.join(paths.dataDir, "PG_VERSION")) || !existsSync(paths.readyMarker)) {
    return "half_initialised";
  }
  return "ready";
}

/** initdb with supabase_admin as bootstrap superuser, scram on TCP, trust on the private socket. */
export async function initCluster(config: StackConfig, paths: ClusterPaths): Promise<void> {
  const user = postgresOsUser();
  await mkdir(config.stateDir, { recursive: true });
  if (user) {
    await chmod(config.stateDir, 0o755); // the postgres OS user must reach pgdata
    await assertReachable(config.stateDir, user);
  }
  await ownedDir(paths.dataDir, user, 0o700);
  await ownedDir(paths.socketDir, user, 0o755);
  const pwfile = path.join(os.tmpdir(), `ho-pw-${process.pid}-${Date.now()}`);
  await writeFile(pwfile, config.dbPassword + "\n", { mode: 0o644 });
  try {
    const result = spawnSync(
      path.join(PG_BIN, "initdb"),
      ["-D", paths.dataDir, "-U", "supabase_admin", `--pwfile=${pwfile}`, "--auth-host=scram-sha-256",
       "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
      { encoding: "utf8", ...(user ?? {}) },
    );
    if (result.status !== 0) {
      throw new StackError("initdb_failed", `initdb failed: ${(result.stderr || result.stdout).trim()}`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
  await appendFile(path.join(paths.dataDir, "postgresql.conf"), serverSettings(config, paths));
}

export async function markClusterReady(paths: ClusterPaths): Promise<void> {
  await writeFile(paths.readyMarker, new Date().toISOString() + "\n");
}

export interface RunningCluster {
  process: ChildProcess;
  stop(): Promise<void>;
}

async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** Starts the server as a child process and resolves once it accepts connections. */
export async function startCluster(config: StackConfig, paths: ClusterPaths): Promise<RunningCluster> {
  const user = postgresOsUser();
  await ownedDir(paths.socketDir, user, 0o755);
  const log = await open(paths.logFile, "a");
  if (user) await chown(paths.logFile, user.uid, user.gid);
  const child = spawn(path.join(PG_BIN, "postgres"), ["-D", paths.dataDir, "-p", String(config.dbPort)], {
    stdio: ["ignore", log.fd, log.fd],
    ...(user ?? {}),
  });
  await log.close();
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? (signal ? -1 : 0);
      resolve();
    }),
  );
  child.once("error", () => child.emit("exit", 1, null)); // could not be started: reported like an early exit

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      const tail = await logTail(paths.logFile);
      throw new StackError(
        "postgres_start_failed",
        `PostgreSQL exited while starting (log ${paths.logFile}):\n${tail}\n` +
          "If the data folder is damaged, wipe it with: npm run reset",
      );
    }
    if (await canConnect(config)) break;
    if (Date.now() > deadline) {
      child.kill("SIGQUIT");
      throw new StackError("postgres_start_timeout", `PostgreSQL did not accept connections within 60 s (log ${paths.logFile})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    process: child,
    async stop() {
      if (exited !== undefined) return;
      child.kill("SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill("SIGQUIT"), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function canConnect(config: StackConfig): Promise<boolean> {
  const sql = postgres({
    host: config.host, port: config.dbPort, user: "supabase_admin", password: config.dbPassword,
    database: "postgres", max: 1, connect_timeout: 2, onnotice: () => {},
  });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
