/**
 * Entry point of the edge agent under Deno: the only file using `Deno.*`. Reads the config (env over an
 * optional JSON file given as `--config <path>` or `AGENTIFY_CONFIG_FILE`), talks to the engine over its
 * unix socket, keeps the credential in a file with mode 0600, stops on SIGINT/SIGTERM (containers keep
 * running), logs JSON lines to stderr.
 *
 *   deno run --allow-env --allow-net --allow-read --allow-write edge-agent/main.ts [--config agent.json]
 */
import { createAgent } from "./agent.ts";
import { systemClock } from "./clock.ts";
import { loadConfig, type AgentConfig } from "./config.ts";
import type { CredentialStore, StoredCredential } from "./credentials.ts";
import type { EngineFetch } from "./docker-api.ts";
import { isAgentError } from "./errors.ts";
import { createLogger } from "../functions/_shared/log.ts";
import { AGENT_VERSION } from "./version.ts";

/** sysexits.h EX_CONFIG: systemd should not restart-loop on a bad config. */
const EXIT_CONFIG = 78;

const encoder = new TextEncoder();
const log = createLogger({ component: "edge-agent" }, (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")));

function configPath(): string | undefined {
  const index = Deno.args.indexOf("--config");
  if (index >= 0) return Deno.args[index + 1];
  return Deno.env.get("AGENTIFY_CONFIG_FILE") || undefined;
}

async function readConfig(): Promise<AgentConfig> {
  const path = configPath();
  const file = path === undefined ? undefined : JSON.parse(await Deno.readTextFile(path));
  return loadConfig(Deno.env.toObject(), file);
}

function unixSocketFetch(socketPath: string): EngineFetch {
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } });
  return (url, init) => fetch(url, { ...init, client });
}

function fileCredentialStore(path: string): CredentialStore {
  return {
    async load() {
      try {
        return JSON.parse(await Deno.readTextFile(path));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        log.warn("credential file unreadable; ignoring it", { path, error: (error as Error).message });
        return undefined;
      }
    },
    async save(credential: StoredCredential) {
      const dir = path.slice(0, Math.max(path.lastIndexOf("/"), 0)) || ".";
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${path}.tmp`;
      await Deno.writeTextFile(temporary, JSON.stringify(credential), { mode: 0o600 });
      await Deno.rename(temporary, path);
    },
  };
}

async function main(): Promise<number> {
  let config: AgentConfig;
  try {
    config = await readConfig();
  } catch (error) {
    log.error("cannot start", { error: isAgentError(error) ? error.toJSON() : { message: (error as Error).message } });
    return EXIT_CONFIG;
  }
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      log.info("stopping", { signal });
      controller.abort();
    });
  }
  const agent = createAgent({
    config,
    engineFetch: unixSocketFetch(config.docker_socket),
    httpFetch: (input, init) => fetch(input, init),
    credentialStore: fileCredentialStore(config.credential_file),
    clock: systemClock,
    random: Math.random,
    log,
    agentVersion: AGENT_VERSION,
  });
  await agent.run(controller.signal);
  return 0;
}

Deno.exit(await main());
