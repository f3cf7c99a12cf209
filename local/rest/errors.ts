/**
 * PostgREST's error contract (contracts §6.5): every failure is a JSON body
 * `{code, message, details, hint}` with the status PostgREST would give. A `RestError` carries its
 * own status and headers; `fromDatabaseError` maps a PostgreSQL error (SQLSTATE) the way
 * PostgREST's `mapSQLtoHTTP` does. Responses are built from errors in one place: `errorResponse`.
 */
export interface RestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: string | null;
  readonly hint: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, body: { code: string; message: string; details?: string | null; hint?: string | null }, headers: Record<string, string> = {}) {
    super(body.message);
    this.name = "RestError";
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? null;
    this.hint = body.hint ?? null;
    this.headers = headers;
  }

  toBody(): RestErrorBody {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/** SQLSTATEs the mapping names (PostgreSQL appendix A). */
export const SqlState = {
  insufficientPrivilege: "42501",
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  readOnlyTransaction: "25006",
  undefinedTable: "42P01",
  undefinedFunction: "42883",
  infiniteRecursion: "42P17",
  raiseException: "P0001",
  invalidParameterValue: "22023",
  cardinalityViolation: "21000",
} as const;

/** The shape of a postgres.js `PostgresError` we rely on (a type guard, not a class check). */
export interface DatabaseError {
  code: string;
  message: string;
  detail?: string | undefined;
  hint?: string | undefined;
}

export function isDatabaseError(error: unknown): error is DatabaseError {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<string, unknown>;
  return e.name === "PostgresError" && typeof e.code === "string" && typeof e.message === "string";
}

/** HTTP status for a SQLSTATE; `authed` = the request's role is not the anonymous role. */
export function statusForSqlState(code: string, authed: boolean, message = ""): number {
  if (code === SqlState.insufficientPrivilege) return authed ? 403 : 401;
  if (code === SqlState.uniqueViolation || code === SqlState.foreignKeyViolation) return 409;
  if (code === SqlState.readOnlyTransaction) return 405;
  if (code === SqlState.undefinedTable || code === SqlState.undefinedFunction) return 404;
  if (code === SqlState.infiniteRecursion) return 500;
  if (code === SqlState.raiseException) return 400;
  if (code === SqlState.invalidParameterValue && /^role ".*" does not exist$/.test(message)) return 401;
  if (code === SqlState.cardinalityViolation && message.includes("requires a WHERE clause")) return 400;
  const custom = /^PT(\d{3})$/.exec(code);
  if (custom?.[1]) return Number(custom[1]);
  if (code === "53400") return 500;
  const prefix = code.slice(0, 2);
  if (prefix === "08") return 503;
  if (prefix === "53") return 503;
  if (prefix === "P0") return 500;
  if (["0L", "0P", "28"].includes(prefix)) return 403;
  if (["09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "XX"].includes(prefix)) return 500;
  return 400;
}

/** `RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{"status":…,"headers":…}'`. */
function fromRaisedPgrst(error: DatabaseError): RestError | undefined {
  try {
    const body = JSON.parse(error.message) as Partial<RestErrorBody>;
    const meta = JSON.parse(error.detail ?? "{}") as { status?: unknown; headers?: unknown };
    if (typeof meta.status !== "number" || meta.status < 100 || meta.status > 599) return undefined;
    const headers: Record<string, string> = {};
    if (typeof meta.headers === "object" && meta.headers !== null) {
      for (const [k, v] of Object.entries(meta.headers)) if (typeof v === "string") headers[k] = v;
    }
    return new RestError(meta.status, {
      code: typeof body.code === "string" ? body.code : "PGRST",
      message: typeof body.message === "string" ? body.message : "",
      details: typeof body.details === "string" ? body.details : null,
      hint: typeof body.hint === "string" ? body.hint : null,
    }, headers);
  } catch {
    return undefined;
  }
}

export function fromDatabaseError(error: DatabaseError, authed: boolean): RestError {
  if (error.code === "PGRST") {
    const raised = fromRaisedPgrst(error);
    if (raised) return raised;
  }
  const status = statusForSqlState(error.code, authed, error.message);
  const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": "Bearer" } : {};
  return new RestError(status, { code: error.code, message: error.message, details: error.detail ?? null, hint: error.hint ?? null }, headers);
}

// ---- PostgREST-generated errors (codes and wording of PostgREST v13) ----

export const malformedParam = (message: string, details: string | null = null) =>
  new RestError(400, { code: "PGRST100", message, details });

export const invalidBody = (message = "Empty or invalid json", details: string | null = null) =>
  new RestError(400, { code: "PGRST102", message, details });

export const rangeNotSatisfiable = (offset: number, total: number) =>
  new RestError(416, {
    code: "PGRST103",
    message: "Requested range not satisfiable",
    details: `An offset of ${offset} was requested, but there are only ${total} rows.`,
  });

export const schemaNotExposed = (schema: string, exposed: readonly string[]) =>
  new RestError(406, { code: "PGRST106", message: `Invalid schema: ${schema}`, hint: `Only the following schemas are exposed: ${exposed.join(", ")}` });

export const notAcceptable = (accept: string) =>
  new RestError(406, { code: "PGRST107", message: "None of these media types are available: " + accept });

export const unsupportedMediaType = (contentType: string) =>
  new RestError(415, { code: "PGRST107", message: `None of these media types are available: ${contentType}` });

export const singularViolation = (rows: number) =>
  new RestError(406, { code: "PGRST116", message: "Cannot coerce the result to a single JSON object", details: `The result contains ${rows} rows` });

export const noRelationship = (parent: string, child: string, schema: string) =>
  new RestError(400, {
    code: "PGRST200",
    message: `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
    details: `Searched for a foreign key relationship between '${parent}' and '${child}' in the schema '${schema}', but no matches were found.`,
    hint: null,
  });

export const ambiguousRelationship = (parent: string, child: string, candidates: string[]) =>
  new RestError(300, {
    code: "PGRST201",
    message: `Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
    details: candidates.join("; "),
    hint: `Try changing '${child}' to one of the following: ${candidates.map((c) => `'${child}!${c}'`).join(", ")}. Find the desired relationship in the 'details' key.`,
  });

export const functionNotFound = (schema: string, name: string, args: string[]) =>
  new RestError(404, {
    code: "PGRST202",
    message: `Could not find the function ${schema}.${name}${args.length ? `(${[...args].sort().join(", ")})` : " without parameters"} in the schema cache`,
    details: `Searched for the function ${schema}.${name}${args.length ? ` with parameters ${[...args].sort().join(", ")}` : " without parameters"} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
  });

export const columnNotFound = (column: string, table: string) =>
  new RestError(400, { code: "PGRST204", message: `Could not find the '${column}' column of '${table}' in the schema cache` });

export const tableNotFound = (schema: string, table: string) =>
  new RestError(404, { code: "PGRST205", message: `Could not find the table '${schema}.${table}' in the schema cache` });

/** A column named in a filter/order/select that the relation does not have (PostgreSQL's own wording). */
export const undefinedColumn = (table: string, column: string) =>
  new RestError(400, { code: "42703", message: `column ${table}.${column} does not exist` });

export const payloadTooLarge = (limit: number) =>
  new RestError(413, {
    code: "PGRST413",
    message: "Request body too large",
    details: `The request body is larger than the limit of ${limit} bytes`,
    hint: "Send fewer rows per request, or call an RPC function",
  });

export const methodNotAllowed = (method: string) =>
  new RestError(405, { code: "PGRST117", message: `Unsupported HTTP method: ${method}` });

export const jwtInvalid = (message: string) =>
  new RestError(401, { code: "PGRST301", message }, { "WWW-Authenticate": 'Bearer error="invalid_token"' });

export const jwtClaimsInvalid = (message: string) =>
  new RestError(401, { code: "PGRST303", message }, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
