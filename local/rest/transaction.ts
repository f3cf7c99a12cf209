import type { Sql } from "postgres";
import type { BuiltQuery } from "./sql-builder.ts";

/**
 * One request = one transaction, as PostgREST runs it (contracts §6.1):
 *   BEGIN [READ ONLY];
 *   select set_config('search_path', …, true), <role settings>, set_config('role', …, true),
 *          set_config('request.jwt.claims', …), request.method/path/headers/cookies;
 *   <main statement>;
 *   COMMIT | ROLLBACK
 * The statements are pipelined on one reserved connection: a read costs one round trip; a write
 * whose outcome decides commit or rollback (e.g. a singular response that got 2 rows) costs two.
 * Every setting is a bound parameter; both statements are prepared once per connection.
 */
export interface RequestSettings {
  readOnly: boolean;
  role: string;
  claimsJson: string;
  method: string;
  path: string;
  headersJson: string;
  cookiesJson: string;
  /** Already quoted list, e.g. `"public", "extensions"`. */
  searchPath: string;
  /** pg_db_role_setting of the role (statement_timeout …). */
  roleSettings: readonly [string, string][];
}

/** The one row every main statement returns (see sql-builder.ts). */
export interface MainRow {
  total: string | null;
  page_count: string;
  body: string | null;
}

const setupTexts = new Map<number, string>();

function setupText(pairs: number): string {
  let text = setupTexts.get(pairs);
  if (!text) {
    const calls = Array.from({ length: pairs }, (_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
    text = `select ${calls.join(", ")}`;
    setupTexts.set(pairs, text);
  }
  return text;
}

export function setupParams(s: RequestSettings): string[] {
  const pairs: [string, string][] = [
    ["search_path", s.searchPath],
    ...s.roleSettings,
    ["role", s.role],
    ["request.jwt.claims", s.claimsJson],
    ["request.method", s.method],
    ["request.path", s.path],
    ["request.headers", s.headersJson],
    ["request.cookies", s.cookiesJson],
  ];
  return pairs.flat();
}

/** Decides, from the main row, whether to commit; omitted ⇒ always commit (and pipeline the COMMIT too). */
export type CommitDecision = (row: MainRow) => boolean;

function firstRejection(results: PromiseSettledResult<unknown>[]): unknown {
  for (const r of results) if (r.status === "rejected") return r.reason;
  return undefined;
}

/** PostgreSQL's `unknown` type: a parameter declared so is typed by PostgreSQL from its use, exactly as
 * an untyped literal (PostgREST's behaviour), and postgres.js sends its text without any serializer. */
const UNKNOWN_OID = 705;

export async function runInTransaction(sql: Sql, settings: RequestSettings, query: BuiltQuery, decide?: CommitDecision): Promise<MainRow> {
  const params = setupParams(settings);
  const conn = await sql.reserve();
  try {
    const begin = conn.unsafe(settings.readOnly ? "begin read only" : "begin").execute();
    const untyped = (values: readonly string[]) => values.map((v) => conn.typed(v, UNKNOWN_OID));
    const setup = conn.unsafe(setupText(params.length / 2), untyped(params), { prepare: true }).execute();
    const main = conn.unsafe<MainRow[]>(query.text, untyped(query.params), { prepare: true }).execute();
    if (!decide) {
      const commit = conn.unsafe("commit").execute();
      const results = await Promise.allSettled([begin, setup, main, commit]);
      const error = firstRejection(results);
      if (error !== undefined) throw error;
      return rowOf(await main);
    }
    const results = await Promise.allSettled([begin, setup, main]);
    const error = firstRejection(results);
    if (error !== undefined) {
      await conn.unsafe("rollback").catch(() => {});
      throw error;
    }
    const row = rowOf(await main);
    await conn.unsafe(decide(row) ? "commit" : "rollback");
    return row;
  } finally {
    conn.release();
  }
}

function rowOf(rows: MainRow[]): MainRow {
  return rows[0] ?? { total: null, page_count: "0", body: null };
}
