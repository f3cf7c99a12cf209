/**
 * PostgREST RPC calls to the orchestrator (`POST <url>/rest/v1/rpc/<name>`) over an injected `fetch`.
 * Maps failures to agent errors: network, 5xx, 408 and 429 → `orchestrator_unavailable` (retry later);
 * a refusal of the credential itself → `credential_refused` (401, or 403 with SQLSTATE 28000 or a
 * PostgREST JWT error); any other 401/403 (a missing grant, say) and other 4xx → `orchestrator_rejected`,
 * so a good credential is never thrown away for the orchestrator's own mistake. PostgREST's error
 * `message` is kept; bodies and tokens never go into an error.
 */
import { deviceRpcPath, type DeviceRpcName } from "../functions/_shared/edge/device-api.ts";
import { AgentError } from "./errors.ts";

export type HttpFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface RpcClient {
  /** Calls `name` with `args`, authorised by `bearer` (a device JWT) or, when undefined, the anon key. */
  call(name: DeviceRpcName, args: Record<string, unknown>, bearer?: string): Promise<unknown>;
}

export interface RpcClientOptions {
  supabaseUrl: string;
  anonKey: string;
  fetch: HttpFetch;
  /** Per-request timeout, ms. Default 15 s. */
  timeoutMs?: number;
}

const TRANSIENT_STATUSES = new Set([408, 429]);

export function createRpcClient(options: RpcClientOptions): RpcClient {
  return {
    async call(name, args, bearer) {
      let response: Response;
      try {
        response = await options.fetch(`${options.supabaseUrl}${deviceRpcPath(name)}`, {
          method: "POST",
          headers: {
            apikey: options.anonKey,
            authorization: `Bearer ${bearer ?? options.anonKey}`,
            "content-type": "application/json",
            accept: "application/json",
          },
          body: JSON.stringify(args),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        throw new AgentError("orchestrator_unavailable", `orchestrator unreachable: ${(error as Error).message ?? String(error)}`, { operation: name }, { cause: error });
      }
      const text = await response.text();
      if (!response.ok) {
        const details = { operation: name, status: response.status };
        const message = `${name} answered HTTP ${response.status}: ${postgrestMessage(text)}`;
        if (refusesCredential(response.status, text)) throw new AgentError("credential_refused", message, details);
        if (response.status >= 500 || TRANSIENT_STATUSES.has(response.status)) throw new AgentError("orchestrator_unavailable", message, details);
        throw new AgentError("orchestrator_rejected", message, details);
      }
      if (text.trim() === "") return null;
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new AgentError("invalid_response", `${name} answered something that is not JSON`, { operation: name }, { cause: error });
      }
    },
  };
}

/** PostgREST's JWT errors (PGRST301–303) and the device functions' SQLSTATE 28000 refuse the credential. */
const CREDENTIAL_CODES = new Set(["28000", "PGRST301", "PGRST302", "PGRST303"]);

function refusesCredential(status: number, text: string): boolean {
  if (status === 401) return true;
  if (status !== 403) return false;
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === "string" && CREDENTIAL_CODES.has(code);
  } catch {
    return false;
  }
}

function postgrestMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === "string") return typeof parsed.code === "string" ? `${parsed.message} (${parsed.code})` : parsed.message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 300) || "(empty body)";
}
