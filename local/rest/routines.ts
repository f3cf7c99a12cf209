import { functionNotFound } from "./errors.ts";
import { qualified, type Routine, type SchemaCache } from "./schema-cache.ts";

/**
 * Picks the function an rpc call means, as PostgREST does: by schema, name and the argument names
 * given. Every given name must be a parameter and every parameter without a default must be given;
 * among several matches the one with the fewest parameters wins. A function with one unnamed
 * json/jsonb parameter takes the whole JSON body. No match is PGRST202 (404).
 */
export interface ResolvedCall {
  routine: Routine;
  wholeBody: boolean;
}

export function argNamesOf(cache: SchemaCache, schema: string, name: string): Set<string> {
  const names = new Set<string>();
  for (const r of cache.routines.get(qualified(schema, name)) ?? []) for (const a of r.args) if (a.name) names.add(a.name);
  return names;
}

export function resolveRoutine(cache: SchemaCache, schema: string, name: string, given: readonly string[]): ResolvedCall {
  const candidates = cache.routines.get(qualified(schema, name)) ?? [];
  const matches = candidates.filter((r) => {
    const names = new Set(r.args.map((a) => a.name));
    return given.every((g) => names.has(g)) && r.args.every((a) => a.hasDefault || (a.name !== "" && given.includes(a.name)));
  });
  matches.sort((a, b) => a.args.length - b.args.length);
  const best = matches[0];
  if (best) return { routine: best, wholeBody: false };
  const single = candidates.find((r) => r.args.length === 1 && r.args[0]?.name === "" && (r.args[0].type === "json" || r.args[0].type === "jsonb"));
  if (single) return { routine: single, wholeBody: true };
  throw functionNotFound(schema, name, [...given]);
}
