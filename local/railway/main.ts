/**
 * Runs the local Railway standalone: `npx tsx local/railway/main.ts [--port 54330] [--host 127.0.0.1]
 * [--step-ms 500] [--token …]`. Prints the settings a client needs as one JSON line, logs as JSON lines,
 * and stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startLocalRailway } from "./server.ts";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "54330" },
    "step-ms": { type: "string", default: "500" },
    token: { type: "string" },
  },
});

const port = Number(values.port);
const stepMs = Number(values["step-ms"]);
if (!Number.isInteger(port) || port < 0 || !Number.isInteger(stepMs) || stepMs < 0) {
  console.error("usage: main.ts [--host 127.0.0.1] [--port 54330] [--step-ms 500] [--token TOKEN]");
  process.exit(2);
}

const railway = await startLocalRailway({
  host: values.host,
  port,
  deploymentStepMs: stepMs,
  ...(values.token ? { token: values.token } : {}),
  log: (line) => console.log(JSON.stringify(line)),
});

console.log(JSON.stringify({
  component: "local-railway",
  event: "ready",
  RAILWAY_API_URL: railway.url,
  RAILWAY_API_KEY: railway.token,
  RAILWAY_PROJECT_ID: railway.projectId,
  RAILWAY_ENVIRONMENT_ID: railway.environmentId,
  control: railway.controlUrl,
}));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void railway.stop().then(() => process.exit(0));
  });
}
