import type { StackInfo } from "../stack/state-file.ts";

/** The `supabase start`-style banner. */
export function banner(info: StackInfo): string {
  const rows: [string, string][] = [
    ["API URL", info.apiUrl],
    ["REST URL", `${info.apiUrl}/rest/v1`],
    ["Functions URL", `${info.apiUrl}/functions/v1`],
    ["Realtime URL", `${info.apiUrl.replace(/^http/, "ws")}/realtime/v1`],
    ["DB URL", info.dbUrl],
    ["Dashboard URL", info.dashboardUrl],
    ...(info.railwayUrl ? ([["Railway API (local)", info.railwayUrl]] as [string, string][]) : []),
    ["JWT secret", info.jwtSecret],
    ["anon key", info.anonKey],
    ["service_role key", info.serviceRoleKey],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ["", "Hosting Orchestrator local stack is running.", "", ...rows.map(([k, v]) => `${k.padStart(width)}: ${v}`), ""].join("\n");
}

/** `status -o env`: the names `supabase status -o env` uses. */
export function envLines(info: StackInfo): string {
  return [
    `API_URL=${info.apiUrl}`,
    `REST_URL=${info.apiUrl}/rest/v1`,
    `FUNCTIONS_URL=${info.apiUrl}/functions/v1`,
    `DB_URL=${info.dbUrl}`,
    `DASHBOARD_URL=${info.dashboardUrl}`,
    `ANON_KEY=${info.anonKey}`,
    `SERVICE_ROLE_KEY=${info.serviceRoleKey}`,
    `JWT_SECRET=${info.jwtSecret}`,
    ...(info.railwayUrl ? [`RAILWAY_API_URL=${info.railwayUrl}`] : []),
    "",
  ].join("\n");
}
