/**
 * Names and addresses on Railway. A service is `<last segment of agent_id>-<customer_id>`, made DNS-safe
 * (lowercase a-z, 0-9 and "-", at most 63 characters). A name that would be longer is cut and given a short
 * hash of the full name, so two long names never collide by truncation.
 */
import { RailwayError } from "./errors.ts";

export const MAX_SERVICE_NAME_LENGTH = 63;
const HASH_LENGTH = 7;

function dnsSafe(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** FNV-1a, 32 bit, base 36: synchronous and stable across runtimes (not for security). */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(HASH_LENGTH, "0").slice(-HASH_LENGTH);
}

export function serviceName(agentId: string, customerId: string): string {
  const agent = dnsSafe(agentId.split(".").at(-1) ?? "");
  const customer = dnsSafe(customerId);
  if (agent === "" || customer === "") {
    throw new RailwayError("invalid_input", "agent_id and customer_id must each contain a letter or digit", {
      field: agent === "" ? "agent_id" : "customer_id",
    });
  }
  const full = `${agent}-${customer}`;
  if (full.length <= MAX_SERVICE_NAME_LENGTH) return full;
  const keep = MAX_SERVICE_NAME_LENGTH - HASH_LENGTH - 1;
  return `${full.slice(0, keep).replace(/-+$/, "")}-${shortHash(`${agentId}\n${customerId}`)}`;
}

const loopbackHost = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?$/i;

/**
 * The address of a service's domain: `https://<name>.up.railway.app` on Railway. The local Railway hands out
 * `127.0.0.1:<port>` domains served over plain HTTP, so loopback domains get `http://`.
 */
export function addressOf(domain: string): string {
  return `${loopbackHost.test(domain) ? "http" : "https"}://${domain}`;
}

/** `address + path`, with exactly one "/" between them. Default path `/health`. */
export function healthUrlOf(address: string, path = "/health"): string {
  return `${address.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
