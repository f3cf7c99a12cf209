import type { createClient as CreateClient, SupabaseClient } from "@supabase/supabase-js";

/**
 * The operator dashboard (read-only). Every value comes from the Supabase REST API (`/rest/v1`) through
 * supabase-js, with the operator token of `/config.json`; RLS lets that token read every container,
 * message, deployment, health check and roll-up (and device, where the edge migrations are applied).
 *
 * Live by polling: one round of queries every 2 s (the next starts 2 s after the last one ended; none
 * while the tab is hidden). Realtime would also work for operators (private channels `agent:*`), but
 * polling is the truth anyway and keeps the page simple.
 *
 * Safety: data reaches the page only through textContent and DOM attributes, never as HTML; links are
 * made only from http(s) URLs.
 */
declare global {
  interface Window {
    supabase?: { createClient: typeof CreateClient };
  }
}

const POLL_MS = 2000;
const REQUEST_TIMEOUT_MS = 10_000;

interface Config { apiUrl: string; anonKey: string; operatorToken: string }
interface Container {
  id: string; agent_id: string; customer_id: string; target_type: string; target_id: string | null; region: string | null;
  status: string; health_state: string; healthy_since: string | null; uptime: number; address: string | null;
  cpu_usage: number | null; memory_usage: number | null; resources: Record<string, unknown> | null;
  needs_attention: boolean; attention_reason: string | null; health_last_error: string | null;
}
interface Message { id: string; created_at: string; type: string; sender: string; to: string[]; intent: string; status: string }
interface MessageDetail { id: string; payload: unknown; last_error: string | null; attempts: number; conversation_id: string; in_reply_to: string | null }
interface Deployment {
  id: string; container_id: string; kind: string; status: string; image: string; error: string | null;
  requested_by: string; created_at: string; finished_at: string | null;
}
interface Check { id: string; status: string; response_time: number | null; error_message: string | null; checked_at: string }
interface Rollup { hour: string; checks: number; failures: number; degraded: number; p50_ms: number | null; p95_ms: number | null; max_ms: number | null }
interface Device {
  id: string; name: string; status: string; architecture: string | null; address: string | null; cpu_capacity: number;
  memory_mb: number; last_heartbeat_at: string | null; agent_version: string | null; labels: Record<string, unknown>;
}

/** A query's outcome as the page needs it: rows, or an error with the HTTP status (0: unreachable). */
type Result<T> = { ok: true; rows: T[] } | { ok: false; status: number; code: string; message: string };

const state = {
  client: undefined as SupabaseClient | undefined,
  selected: undefined as string | undefined,
  filter: "",
  includeRemoved: false,
  containers: [] as Container[],
  containersLoaded: false,
  devices: new Map<string, Device>(),
  expanded: new Map<string, MessageDetail | undefined>(),
  rendered: new Map<string, string>(),
};

// ---------------------------------------------------------------------------------------------
// DOM helpers: text only, never HTML.

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

type Child = Node | string | null | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const td = (...children: Child[]) => el("td", {}, ...children);
const dash = "—";

function badge(text: string, tone: string): HTMLElement {
  return el("span", { class: `badge ${tone}` }, text);
}

function showError(id: string, message: string | undefined): void {
  const node = byId(id);
  node.hidden = message === undefined;
  node.textContent = message ?? "";
}

/** Renders a section only when its data changed, so focus, selection and scroll survive the polling. */
function renderIfChanged(key: string, data: unknown, render: () => void): void {
  const fingerprint = JSON.stringify(data);
  if (state.rendered.get(key) === fingerprint) return;
  state.rendered.set(key, fingerprint);
  render();
}

// ---------------------------------------------------------------------------------------------
// Formatting

function time(iso: string | null): Node | string {
  if (!iso) return dash;
  const at = new Date(iso);
  const today = at.toDateString() === new Date().toDateString();
  const text = today ? at.toLocaleTimeString([], { hour12: false }) : at.toLocaleString([], { hour12: false });
  return el("time", { datetime: iso, title: iso }, text);
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

function uptimeSeconds(c: Container): number | undefined {
  if (c.healthy_since) return (Date.now() - Date.parse(c.healthy_since)) / 1000;
  return c.uptime > 0 ? c.uptime : undefined;
}

const STATUS_TONE: Record<string, string> = {
  running: "good", succeeded: "good", online: "good", done: "good", delivered: "neutral",
  deploying: "info", queued: "info", dispatched: "info",
  failed: "bad", crashed: "bad", revoked: "bad", offline: "warn",
};
const HEALTH_TONE: Record<string, string> = { healthy: "good", degraded: "warn", unhealthy: "bad", unknown: "neutral" };
const FAILED_TYPES = new Set(["failure", "refuse", "not_understood"]);

function link(address: string | null): Node | string {
  if (!address) return dash;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return address;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return address;
  return el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, address);
}

function usage(c: Container): string {
  const cpu = c.cpu_usage === null ? dash : `${c.cpu_usage.toFixed(2)} vCPU`;
  const memory = c.memory_usage === null ? dash : `${c.memory_usage.toFixed(2)} GB`;
  return `${cpu} · ${memory}`;
}

function limits(c: Container): string {
  const r = c.resources ?? {};
  const parts = ["cpu", "memory", "memory_mb"].filter((k) => r[k] !== undefined && r[k] !== null).map((k) => `${k} ${String(r[k])}`);
  return parts.length > 0 ? `limits: ${parts.join(", ")}` : "no limits requested";
}

function target(c: Container): string {
  if (c.target_type === "edge") {
    const device = c.target_id ? state.devices.get(c.target_id) : undefined;
    return `edge · ${device?.name ?? c.target_id ?? "unplaced"}`;
  }
  return c.region ? `${c.target_type} · ${c.region}` : c.target_type;
}

function containerLabel(id: string): string {
  const c = state.containers.find((x) => x.id === id);
  return c ? `${c.agent_id} · ${c.customer_id}` : id.slice(0, 8);
}

// ---------------------------------------------------------------------------------------------
// Queries (supabase-js, as any client of the project would)

async function query<T>(build: (sb: SupabaseClient) => PromiseLike<{ data: unknown; error: { code?: string; message: string } | null; status: number }>): Promise<Result<T>> {
  const sb = state.client;
  if (!sb) return { ok: false, status: 0, code: "", message: "not connected" };
  const { data, error, status } = await build(sb);
  if (error) return { ok: false, status, code: error.code ?? "", message: error.message };
  return { ok: true, rows: (data ?? []) as T[] };
}

const CONTAINER_COLUMNS = "id,agent_id,customer_id,target_type,target_id,region,status,health_state,healthy_since,uptime,address," +
  "cpu_usage,memory_usage,resources,needs_attention,attention_reason,health_last_error";

function loadContainers() {
  return query<Container>((sb) => {
    const q = sb.from("containers").select(CONTAINER_COLUMNS).order("created_at", { ascending: false }).limit(500);
    return state.includeRemoved ? q : q.neq("status", "removed");
  });
}

const loadMessages = () => query<Message>((sb) =>
  sb.from("messages").select("id,created_at,type,sender,to,intent,status").order("created_at", { ascending: false }).limit(50));

const loadDetails = (ids: string[]) => query<MessageDetail>((sb) =>
  sb.from("messages").select("id,payload,last_error,attempts,conversation_id,in_reply_to").in("id", ids));

function loadDeployments() {
  return query<Deployment>((sb) => {
    const q = sb.from("deployments").select("id,container_id,kind,status,image,error,requested_by,created_at,finished_at");
    return (state.selected ? q.eq("container_id", state.selected) : q).order("created_at", { ascending: false }).limit(20);
  });
}

const loadChecks = (id: string) => query<Check>((sb) =>
  sb.from("health_checks").select("id,status,response_time,error_message,checked_at").eq("container_id", id)
    .order("checked_at", { ascending: false }).limit(20));

const loadRollups = (id: string) => query<Rollup>((sb) =>
  sb.from("health_check_rollups").select("hour,checks,failures,degraded,p50_ms,p95_ms,max_ms").eq("container_id", id)
    .order("hour", { ascending: false }).limit(24));

const loadDevices = () => query<Device>((sb) =>
  sb.from("devices").select("id,name,status,architecture,address,cpu_capacity,memory_mb,last_heartbeat_at,agent_version,labels")
    .order("name"));

// ---------------------------------------------------------------------------------------------
// Sections

function renderContainers(): void {
  const needle = state.filter.trim().toLowerCase();
  const shown = state.containers.filter((c) => needle === "" ||
    [c.agent_id, c.customer_id, target(c), c.status, c.health_state, c.address ?? "", c.needs_attention ? "attention" : ""]
      .some((v) => v.toLowerCase().includes(needle)));
  byId("containers-count").textContent = needle ? `(${shown.length} of ${state.containers.length})` : `(${state.containers.length})`;
  byId("containers-empty").hidden = shown.length > 0;
  const rows = shown.map((c) => {
    const selected = c.id === state.selected;
    const choose = el("button", { type: "button", class: "link", "aria-pressed": String(selected), title: `container ${c.id}` }, c.agent_id);
    choose.addEventListener("click", () => select(selected ? undefined : c.id));
    const up = uptimeSeconds(c);
    const attention = c.needs_attention
      ? el("span", { class: "attention" }, badge("needs attention", "bad"), " ", c.attention_reason ?? "")
      : c.health_last_error ? el("span", { class: "muted", title: c.health_last_error }, "last check failed") : dash;
    return el("tr", { "data-container-id": c.id, class: selected ? "selected" : "", ...(selected ? { "aria-current": "true" } : {}) },
      td(choose), td(c.customer_id), td(target(c)), td(badge(c.status, STATUS_TONE[c.status] ?? "neutral")),
      td(badge(c.health_state, HEALTH_TONE[c.health_state] ?? "neutral")),
      el("td", c.healthy_since ? { "data-since": c.healthy_since } : {}, up === undefined ? dash : duration(up)),
      td(link(c.address)), el("td", { title: limits(c) }, usage(c)), td(attention));
  });
  byId("containers").querySelector("tbody")?.replaceChildren(...rows);
}

function renderDeployments(rows: Deployment[]): void {
  byId("deployments-scope").textContent = state.selected ? `of ${containerLabel(state.selected)} (last 20)` : "(last 20, all containers)";
  byId("clear-selection").hidden = !state.selected;
  byId("deployments-empty").hidden = rows.length > 0;
  byId("deployments").querySelector("tbody")?.replaceChildren(...rows.map((d) =>
    el("tr", { class: d.status === "failed" ? "failed" : "" },
      td(time(d.created_at)), td(containerLabel(d.container_id)), td(d.kind),
      td(badge(d.status, STATUS_TONE[d.status] ?? "neutral"), d.error ? el("div", { class: "detail" }, d.error) : null),
      el("td", { class: "mono" }, d.image), td(d.requested_by), td(time(d.finished_at)))));
}

function renderHealth(checks: Check[], rollups: Rollup[]): void {
  byId("checks").querySelector("tbody")?.replaceChildren(...checks.map((c) =>
    el("tr", { class: c.status === "unhealthy" ? "failed" : "" },
      td(time(c.checked_at)), td(badge(c.status, HEALTH_TONE[c.status] ?? "neutral")),
      td(c.response_time === null ? dash : `${c.response_time} ms`), td(c.error_message ?? ""))));
  const ms = (v: number | null) => (v === null ? dash : `${Math.round(v)} ms`);
  byId("rollups-empty").hidden = rollups.length > 0;
  byId("rollups").querySelector("tbody")?.replaceChildren(...rollups.map((r) =>
    el("tr", { class: r.failures > 0 ? "failed" : "" },
      td(time(r.hour)), td(String(r.checks)), td(String(r.failures)), td(String(r.degraded)), td(ms(r.p50_ms)), td(ms(r.p95_ms)), td(ms(r.max_ms)))));
}

function renderMessages(rows: Message[]): void {
  byId("messages-empty").hidden = rows.length > 0;
  const body: HTMLTableRowElement[] = [];
  for (const m of rows) {
    const failed = FAILED_TYPES.has(m.type) || m.status === "failed";
    const open = state.expanded.has(m.id);
    const toggle = el("button", { type: "button", "aria-expanded": String(open), "aria-controls": `payload-${m.id}` }, open ? "Hide" : "Show");
    toggle.addEventListener("click", () => toggleMessage(m.id));
    body.push(el("tr", { "data-message-id": m.id, class: failed ? "failed" : "" },
      td(time(m.created_at)), td(badge(m.type, failed ? "bad" : m.type === "request" ? "info" : "neutral")),
      el("td", { class: "mono" }, `${m.sender} → ${m.to.join(", ")}`), el("td", { class: "mono" }, m.intent),
      td(badge(m.status, STATUS_TONE[m.status] ?? "neutral")), td(toggle)));
    if (!open) continue;
    const detail = state.expanded.get(m.id);
    const text = detail === undefined ? "Loading…" : JSON.stringify(detail.payload, null, 2);
    const meta = detail ? `attempts ${detail.attempts} · conversation ${detail.conversation_id}` +
      (detail.in_reply_to ? ` · in reply to ${detail.in_reply_to}` : "") + (detail.last_error ? ` · last error: ${detail.last_error}` : "") : "";
    body.push(el("tr", { id: `payload-${m.id}`, class: "payload" },
      el("td", { colspan: "6" }, el("div", { class: "detail" }, meta), el("pre", {}, text))));
  }
  byId("messages").querySelector("tbody")?.replaceChildren(...body);
}

function renderDevices(rows: Device[]): void {
  byId("devices-count").textContent = `(${rows.length})`;
  byId("devices-empty").hidden = rows.length > 0;
  byId("devices").querySelector("tbody")?.replaceChildren(...rows.map((d) =>
    el("tr", { "data-device-id": d.id },
      td(d.name), td(badge(d.status, STATUS_TONE[d.status] ?? "neutral")), td(d.architecture ?? dash), td(d.address ?? dash),
      td(`${d.cpu_capacity} vCPU · ${d.memory_mb} MiB`), td(time(d.last_heartbeat_at)), td(d.agent_version ?? dash),
      el("td", { class: "mono" }, Object.entries(d.labels).map(([k, v]) => `${k}=${String(v)}`).join(" ") || dash))));
}

// ---------------------------------------------------------------------------------------------
// The refresh round

/** A section's error; undefined when the API is unreachable (the header says so once, and stale rows stay). */
function describe(result: { status: number; code: string; message: string }): string | undefined {
  if (result.status === 0) return undefined;
  return result.code ? `${result.message} (${result.code})` : result.message;
}

async function refreshDevices(): Promise<Result<Device>> {
  const result = await loadDevices();
  const absent = !result.ok && (result.code === "PGRST205" || result.code === "42P01");
  byId("devices-absent").hidden = !absent;
  byId("devices").hidden = absent;
  showError("devices-error", result.ok || absent ? undefined : describe(result));
  if (result.ok) {
    state.devices = new Map(result.rows.map((d) => [d.id, d]));
    renderIfChanged("devices", result.rows, () => renderDevices(result.rows));
  } else if (absent) {
    byId("devices-empty").hidden = true;
    byId("devices-count").textContent = "";
  }
  return result;
}

async function refreshContainers(): Promise<Result<Container>> {
  const result = await loadContainers();
  showError("containers-error", result.ok ? undefined : describe(result));
  if (!result.ok && !state.containersLoaded) return result; // nothing to show yet: no "No containers."
  if (result.ok) {
    state.containers = result.rows;
    state.containersLoaded = true;
  }
  renderContainersIfChanged();
  return result;
}

function renderContainersIfChanged(): void {
  const devices = [...state.devices.values()].map((d) => [d.id, d.name]);
  renderIfChanged("containers", [state.containers, state.filter, state.selected, devices], renderContainers);
}

async function refreshDetails(): Promise<Result<unknown>[]> {
  const selected = state.selected;
  const deployments = loadDeployments();
  const checks = selected ? loadChecks(selected) : undefined;
  const rollups = selected ? loadRollups(selected) : undefined;
  const ids = [...state.expanded.keys()];
  const details = ids.length > 0 ? loadDetails(ids) : undefined;
  const [d, c, r, m] = await Promise.all([deployments, checks, rollups, details]);
  showError("deployments-error", d.ok ? undefined : describe(d));
  if (d.ok) renderIfChanged("deployments", [d.rows, selected, state.containers.length], () => renderDeployments(d.rows));
  byId("health-hint").hidden = selected !== undefined;
  byId("health-detail").hidden = selected === undefined;
  byId("health-scope").textContent = selected ? `of ${containerLabel(selected)}` : "";
  const failed = [c, r].find((x) => x && !x.ok);
  showError("health-error", failed && !failed.ok ? describe(failed) : undefined);
  if (selected && c?.ok && r?.ok) renderIfChanged("health", [selected, c.rows, r.rows], () => renderHealth(c.rows, r.rows));
  if (m?.ok) for (const detail of m.rows) if (state.expanded.has(detail.id)) state.expanded.set(detail.id, detail);
  const outcomes: (Result<unknown> | undefined)[] = [d, c, r, m];
  return outcomes.filter((x): x is Result<unknown> => x !== undefined);
}

/** Shows the messages once the expanded ones' details of the same round are in. */
function showMessages(result: Result<Message>): Result<Message> {
  showError("messages-error", result.ok ? undefined : describe(result));
  if (result.ok) renderIfChanged("messages", [result.rows, [...state.expanded]], () => renderMessages(result.rows));
  return result;
}

/** Keeps the uptime cells ticking between data changes. */
function tickUptimes(): void {
  for (const cell of document.querySelectorAll<HTMLElement>("td[data-since]")) {
    cell.textContent = duration((Date.now() - Date.parse(cell.dataset.since ?? "")) / 1000);
  }
}

let running: Promise<void> | undefined;
let again = false;
let timer: ReturnType<typeof setTimeout> | undefined;

async function round(): Promise<void> {
  const devices = await refreshDevices(); // first: container targets show device names
  const containers = await refreshContainers();
  const [loaded, details] = await Promise.all([loadMessages(), refreshDetails()]);
  const messages = showMessages(loaded);
  tickUptimes();
  const results: Result<unknown>[] = [devices, containers, messages, ...details];
  const unreachable = results.find((r) => !r.ok && r.status === 0);
  const expired = results.some((r) => !r.ok && r.status === 401);
  const connection = byId("connection");
  if (expired) await connect(); // the local server re-mints the operator token before it expires
  connection.className = `connection ${unreachable || expired ? "down" : "up"}`;
  connection.textContent = unreachable && !unreachable.ok ? `Cannot reach the API: ${unreachable.message}. Retrying every 2 s.`
    : expired ? "The operator token was refused; fetched a new one." : `Live · updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
}

/** One refresh now (or right after the one running), then every POLL_MS while the tab is visible. */
function refresh(): void {
  if (running) {
    again = true;
    return;
  }
  clearTimeout(timer);
  running = round()
    .catch((error: unknown) => {
      byId("connection").className = "connection down";
      byId("connection").textContent = `Refresh failed: ${String(error)}`;
    })
    .finally(() => {
      running = undefined;
      if (again) {
        again = false;
        refresh();
      } else if (!document.hidden) {
        timer = setTimeout(refresh, POLL_MS);
      }
    });
}

/** The selected container lives in the URL (#container=<id>), so a view can be linked and reloaded. */
function select(id: string | undefined): void {
  state.selected = id;
  history.replaceState(null, "", id ? `#container=${encodeURIComponent(id)}` : location.pathname);
  refresh();
}

function selectedFromUrl(): string | undefined {
  const id = new URLSearchParams(location.hash.slice(1)).get("container");
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id.toLowerCase() : undefined;
}

function toggleMessage(id: string): void {
  if (state.expanded.has(id)) state.expanded.delete(id);
  else state.expanded.set(id, undefined);
  state.rendered.delete("messages");
  refresh();
}

function isConfig(value: unknown): value is Config {
  const v = value as Partial<Config> | null;
  return typeof v?.apiUrl === "string" && typeof v.anonKey === "string" && typeof v.operatorToken === "string";
}

async function connect(): Promise<void> {
  const response = await fetch("/config.json", { cache: "no-store" });
  const config: unknown = await response.json();
  if (!response.ok || !isConfig(config)) throw new Error(`/config.json answered ${response.status}`);
  const lib = window.supabase;
  if (!lib) throw new Error("supabase-js did not load (/vendor/supabase.js)");
  const token = config.operatorToken;
  state.client = lib.createClient(config.apiUrl, config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    accessToken: async () => token,
    // The 2 s poll is the retry: no backoff inside a round, and no round waits on a hung request.
    db: { retry: false, timeout: REQUEST_TIMEOUT_MS },
  });
}

async function main(): Promise<void> {
  const filter = byId<HTMLInputElement>("container-filter");
  filter.addEventListener("input", () => {
    state.filter = filter.value;
    renderContainersIfChanged();
  });
  const removed = byId<HTMLInputElement>("include-removed");
  removed.addEventListener("change", () => {
    state.includeRemoved = removed.checked;
    refresh();
  });
  byId("clear-selection").addEventListener("click", () => select(undefined));
  state.selected = selectedFromUrl();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  try {
    await connect();
  } catch (error) {
    byId("connection").className = "connection down";
    byId("connection").textContent = `Cannot start: ${error instanceof Error ? error.message : String(error)}`;
    return;
  }
  refresh();
}

void main();
