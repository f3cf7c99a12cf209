/**
 * SSRF guard for health checks: the orchestrator only calls http(s) URLs it assigned or a device
 * reported, and never link-local or metadata addresses; private ranges only where allowed, loopback
 * only in local mode. Host names are checked as written here; the probe (probe.ts) also checks the
 * addresses a name resolves to, where the runtime can resolve.
 */
export interface AddressPolicy {
  /** Local development: allow 127.0.0.0/8, ::1 and localhost. */
  allowLoopback: boolean;
  /** Allow RFC 1918 / ULA addresses (edge devices on a customer's LAN). */
  allowPrivate: boolean;
}

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"]);

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** Why a URL may not be called, or undefined when it may. */
export function refuseAddress(raw: string, policy: AddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${url.protocol} is not allowed`;
  if (url.username || url.password) return "credentials in the URL are not allowed";
  // a fully qualified name ("localhost.") is the same host as without its trailing dot
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (METADATA_HOSTS.has(host)) return "metadata address";
  if (host === "localhost" || host.endsWith(".localhost")) return policy.allowLoopback ? undefined : "loopback address";
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    if (a === 169 && b === 254) return "link-local or metadata address";
    if (a === 100 && b === 100) return "metadata address";
    if (a === 127) return policy.allowLoopback ? undefined : "loopback address";
    if (a === 0) return "unspecified address";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) {
      return policy.allowPrivate ? undefined : "private address";
    }
    if (a >= 224) return "multicast or reserved address";
    return undefined;
  }
  if (host.includes(":")) {
    if (host === "::1") return policy.allowLoopback ? undefined : "loopback address";
    if (host === "::") return "unspecified address";
    if (host === "fd00:ec2::254") return "metadata address";
    if (/^fe[89ab]/.test(host)) return "link-local address";
    if (/^f[cd]/.test(host)) return policy.allowPrivate ? undefined : "private address";
    if (/^ff/.test(host)) return "multicast address";
    // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, which URL writes as ::ffff:XXXX:XXXX, or NAT64 64:ff9b::/96):
    // judged by the IPv4 address it carries
    const embedded = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (embedded) {
      const hi = parseInt(embedded[1]!, 16);
      const lo = parseInt(embedded[2]!, 16);
      return refuseAddress(`http://${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}/`, policy);
    }
    const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (dotted) return refuseAddress(`http://${dotted[1]}/`, policy);
  }
  return undefined;
}
