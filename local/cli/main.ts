import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { bootstrapPlatform } from "../platform/bootstrap.ts";
import { dumpSchema } from "../postgres/schema-dump.ts";
import { stackConfigFromEnv, type StackConfig } from "../config/stack-config.ts";
import { loadOrCreateKeys, signJwt } from "../keys/keys.ts";
import { createLogger } from "../log/logger.ts";
import { clusterPaths } from "../postgres/cluster.ts";
import { pushMigrations } from "../postgres/db-push.ts";
import { TEST_REQUIREMENTS, ensureSystemPackages, POSTGRES_REQUIREMENTS } from "../postgres/system-packages.ts";
import { dbUrl } from "../config/stack-config.ts";
import { projectRootFrom, startDatabase, startStack } from "../stack/stack.ts";
import { isAlive, readRunningStack, removeStackInfo, writeStackInfo } from "../stack/state-file.ts";
import { banner, envLines } from "./banner.ts";
import { StackError } from "./stack-error.ts";

const USAGE = `usage: npm run <command>
  start                 bring the local stack up (installs what is missing) and stay in the foreground
  stop                  stop a running stack
  status [-- -o env]    show the running stack (exit 1 when it is not running)
  reset                 wipe the local database and rebuild it from migrations and seed
  token -- <agent_id>   print a JWT for an agent (role authenticated, claim agent_id)
  test [-- <vitest args>]  run the test suites
  bench [-- <name>…]    run the benchmarks (bench/run.ts) and print their tables
  schema:dump           rewrite supabase/schema.sql (the migrated schema, committed for review)`;

const log = createLogger({ component: "cli" });
const say = (message: string) => process.stderr.write(message + "\n");

async function start(config: StackConfig): Promise<number> {
  const running = readRunningStack(config.stateDir);
  if (running) {
    say(`The local stack is already running (pid ${running.pid}).`);
    process.stdout.write(banner(running) + "\n");
    return 0;
  }
  const stack = await startStack(config, createLogger({ component: "stack" }));
  await writeStackInfo(config.stateDir, stack.info);
  process.stdout.write(banner(stack.info) + "\nPress Ctrl-C to stop.\n");

  const reason = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    // A bug must not leave PostgreSQL and the function processes running without their parent:
    // log it, stop everything, exit non-zero.
    process.once("uncaughtException", (error) => {
      log.error("uncaught exception; stopping the stack", { error: error.stack ?? String(error) });
      resolve("crash");
    });
  });
  say(`\n${reason}: stopping the local stack…`);
  await stack.stop();
  await removeStackInfo(config.stateDir);
  say("Stopped.");
  return reason === "crash" ? 1 : 0;
}

async function stop(config: StackConfig): Promise<number> {
  const running = readRunningStack(config.stateDir);
  if (!running) {
    say("The local stack is not running.");
    return 0;
  }
  process.kill(running.pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (isAlive(running.pid)) {
    if (Date.now() > deadline) throw new StackError("stop_timeout", `pid ${running.pid} did not stop within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  say("Stopped.");
  return 0;
}

async function status(config: StackConfig, args: string[]): Promise<number> {
  const running = readRunningStack(config.stateDir);
  const healthy = running ? await fetch(`${running.apiUrl}/health`).then((r) => r.ok, () => false) : false;
  if (!running || !healthy) {
    say("The local stack is not running. Start it with: npm start");
    return 1;
  }
  const format = args[args.indexOf("-o") + 1] ?? args[args.indexOf("--output") + 1];
  if (args.includes("-o") || args.includes("--output")) {
    if (format === "env") process.stdout.write(envLines(running));
    else if (format === "json") process.stdout.write(JSON.stringify(running, null, 2) + "\n");
    else throw new StackError("bad_usage", `unknown output format '${format}' (use env or json)`);
  } else {
    process.stdout.write(banner(running) + "\n");
  }
  return 0;
}

async function reset(config: StackConfig): Promise<number> {
  if (readRunningStack(config.stateDir)) await stop(config);
  const paths = clusterPaths(config);
  say(`Wiping ${paths.dataDir}…`);
  await rm(paths.dataDir, { recursive: true, force: true });
  await rm(paths.readyMarker, { force: true });
  const cluster = await startDatabase(config, createLogger({ component: "stack" }));
  try {
    say("Applying migrations and seed…");
    await pushMigrations(config.projectRoot, dbUrl(config), { seed: true });
  } finally {
    await cluster.stop();
  }
  say("The local database was rebuilt. Start the stack with: npm start");
  return 0;
}

const AGENT_ID = /^agent(\.[a-z0-9_-]+)+$/;

async function token(config: StackConfig, args: string[]): Promise<number> {
  const agentId = args[0];
  if (!agentId || !AGENT_ID.test(agentId)) {
    throw new StackError("bad_usage", "usage: npm run token -- <agent_id>   (an agent id like agent.marketplace.orchestrator)");
  }
  if (agentId === "agent.agentify.hosting-orchestrator") {
    throw new StackError("bad_usage", "the orchestrator's own id is reserved: agents cannot send as it");
  }
  const keys = await loadOrCreateKeys(config.stateDir);
  const days = 30;
  process.stdout.write(await signJwt(keys.jwtSecret, { role: "authenticated", agent_id: agentId, iss: "supabase-demo" }, days * 86400) + "\n");
  return 0;
}

async function test(root: string, args: string[]): Promise<number> {
  ensureSystemPackages([...POSTGRES_REQUIREMENTS, ...TEST_REQUIREMENTS], (m) => say(m));
  const vitest = spawn(`${root}/node_modules/.bin/vitest`, ["run", ...args], { stdio: "inherit", cwd: root });
  return new Promise((resolve) => vitest.once("exit", (code) => resolve(code ?? 1)));
}

async function bench(root: string, args: string[]): Promise<number> {
  ensureSystemPackages(POSTGRES_REQUIREMENTS, (m) => say(m));
  const child = spawn(process.execPath, ["--import", "tsx", `${root}/bench/run.ts`, ...args], { stdio: "inherit", cwd: root });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

/** `npm run schema:dump`: rewrites supabase/schema.sql from a scratch database with every migration applied. */
async function schemaDump(config: StackConfig): Promise<number> {
  const running = readRunningStack(config.stateDir);
  if (!running) throw new StackError("not_running", "start the stack first (npm start): the dump is taken from a scratch database in it");
  const name = `schema_dump_${process.pid}`;
  const admin = postgres(dbUrl(config, "supabase_admin"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
    await bootstrapPlatform(config, name);
    await pushMigrations(config.projectRoot, dbUrl(config, "postgres", name), { seed: false });
    await writeFile(path.join(config.projectRoot, "supabase", "schema.sql"), dumpSchema(dbUrl(config, "postgres", name)));
    say("wrote supabase/schema.sql");
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const root = projectRootFrom(import.meta.url);
  const config = stackConfigFromEnv(process.env, root);
  switch (command) {
    case "start": return start(config);
    case "stop": return stop(config);
    case "status": return status(config, args);
    case "reset": return reset(config);
    case "token": return token(config, args);
    case "test": return test(root, args);
    case "bench": return bench(root, args);
    case "schema:dump": return schemaDump(config);
    default:
      say(USAGE);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StackError) {
      say(`error (${error.code}): ${error.message}`);
    } else {
      log.error("unexpected failure", { error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
    process.exit(1);
  },
);
