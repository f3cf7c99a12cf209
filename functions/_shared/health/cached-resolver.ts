/**
 * A host-name resolver that remembers answers for `ttlMs`, so a sweep of thousands of containers does
 * not make thousands of DNS queries. Failed look-ups are not remembered.
 */
export function cachedResolver(
  resolve: (host: string) => Promise<string[]>,
  options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {},
): (host: string) => Promise<string[]> {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? (() => Date.now());
  const maxEntries = options.maxEntries ?? 50_000;
  const cache = new Map<string, { addresses: string[]; until: number }>();
  return async (host) => {
    const hit = cache.get(host);
    if (hit && hit.until > now()) return hit.addresses;
    const addresses = await resolve(host);
    if (cache.size >= maxEntries) cache.clear();
    cache.set(host, { addresses, until: now() + ttlMs });
    return addresses;
  };
}
