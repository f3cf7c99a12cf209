import path from "node:path";
import { z } from "zod";
import { createLogger } from "../log/logger.ts";
import { startDashboard } from "./dashboard-server.ts";

/**
 * The dashboard on its own, against any Supabase project (hosted included), with an operator token
 * an operator minted (docs/dashboard.md):
 *
 *   SUPABASE_URL=https://<ref>.supabase.co SUPABASE_ANON_KEY=… DASHBOARD_OPERATOR_TOKEN=… \
 *     node --import tsx local/dashboard/main.ts
 *
 * Serves on 127.0.0.1:<LOCAL_DASHBOARD_PORT, default 54323> until Ctrl-C.
 */
const Env = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(1),
  DASHBOARD_OPERATOR_TOKEN: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT (three base64url parts)"),
  LOCAL_DASHBOARD_PORT: z.coerce.number().int().min(1).max(65535).default(54323),
});

/** The token's claims, unverified (only the project's secret can verify it): to warn early, never to trust. */
function peekClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`dashboard: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}\n`);
    return 2;
  }
  const env = parsed.data;
  const claims = peekClaims(env.DASHBOARD_OPERATOR_TOKEN);
  if (claims.operator !== true || claims.role !== "authenticated") {
    process.stderr.write("dashboard: DASHBOARD_OPERATOR_TOKEN must carry role \"authenticated\" and operator: true\n");
    return 2;
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
    process.stderr.write("dashboard: DASHBOARD_OPERATOR_TOKEN has expired; ask an operator for a new one\n");
    return 2;
  }
  const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
  const dashboard = await startDashboard({
    host: "127.0.0.1", port: env.LOCAL_DASHBOARD_PORT, apiUrl: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY,
    operatorToken: env.DASHBOARD_OPERATOR_TOKEN, projectRoot, log: createLogger({ component: "dashboard" }),
  });
  process.stdout.write(`Dashboard URL: ${dashboard.url}\nPress Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await dashboard.stop();
  return 0;
}

process.exitCode = await main();
