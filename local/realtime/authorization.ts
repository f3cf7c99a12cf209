import { randomUUID } from "node:crypto";
import type { Sql, TransactionSql } from "postgres";
import type { RealtimeClaims } from "./jwt.ts";

/**
 * Private-channel authorization exactly as Realtime does it in SQL (contracts §2.4): inside a
 * transaction on the admin connection that is always rolled back, the JWT's role, claims and the
 * topic are set locally and RLS on realtime.messages decides.
 * - READ: a probe row is inserted as admin, then selected as the JWT role; visible ⇒ may receive.
 * - WRITE: a row is inserted as the JWT role inside a savepoint; 42501 ⇒ may not send.
 * Rolled-back probe rows are never decoded by logical replication, so they are never broadcast.
 */
export interface AuthorizationContext {
  /** Channel name without the `realtime:` prefix. */
  subTopic: string;
  claims: RealtimeClaims;
  /** The websocket upgrade's (or REST request's) `x-*` headers, for `request.headers`. */
  headers: Record<string, string>;
}

export interface Authorizer {
  canRead(context: AuthorizationContext): Promise<boolean>;
  canWrite(context: AuthorizationContext): Promise<boolean>;
}

/** An error raised by a policy or the check itself (not a refusal): a stable code, the cause attached. */
export class AuthorizationError extends Error {
  readonly code = "rls_policy_error";
}

const INSUFFICIENT_PRIVILEGE = "42501";
const ROLLBACK = Symbol("rollback");

function sqlState(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

export function createAuthorizer(sql: Sql): Authorizer {
  /** Runs `work` in a transaction that is rolled back whatever happens, returning its result. */
  async function rolledBack<T>(work: (tx: TransactionSql) => Promise<T>): Promise<T> {
    let result: { value: T } | undefined;
    try {
      await sql.begin(async (tx) => {
        result = { value: await work(tx) };
        throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw new AuthorizationError(`authorization check failed: ${messageOf(error)}`, { cause: error });
    }
    if (!result) throw new AuthorizationError("authorization check produced no result");
    return result.value;
  }

  async function applySettings(tx: TransactionSql, context: AuthorizationContext): Promise<void> {
    const { claims } = context;
    await tx`select
      set_config('role', ${claims.role}, true),
      set_config('realtime.topic', ${context.subTopic}, true),
      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('request.jwt.claim.sub', ${typeof claims.sub === "string" ? claims.sub : ""}, true),
      set_config('request.jwt.claim.role', ${claims.role}, true),
      set_config('request.headers', ${JSON.stringify(context.headers)}, true)`;
  }

  return {
    canRead: (context) =>
      rolledBack(async (tx) => {
        const probe = randomUUID();
        await tx`insert into realtime.messages (id, topic, extension) values (${probe}, ${context.subTopic}, 'broadcast')`;
        await applySettings(tx, context);
        const rows = await tx`select id from realtime.messages where id = ${probe}`;
        return rows.length > 0;
      }),
    canWrite: (context) =>
      rolledBack(async (tx) => {
        await applySettings(tx, context);
        try {
          await tx.savepoint((sp) => sp`insert into realtime.messages (topic, extension) values (${context.subTopic}, 'broadcast')`);
          return true;
        } catch (error) {
          if (sqlState(error) === INSUFFICIENT_PRIVILEGE) return false;
          throw error;
        }
      }),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
