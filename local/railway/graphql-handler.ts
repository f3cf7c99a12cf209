/**
 * The GraphQL endpoint of the local Railway, Request → Response: injected latency and faults first (they
 * stand for Railway's edge), then the token, then parse, validate against the SDL and execute (and an
 * `after` fault, which loses the answer of a call that ran). Errors use
 * Railway's shape, `{ errors: [{ message, locations?, path?, extensions? }], data }`: HTTP 400 for a body,
 * document or variables Railway would not run, HTTP 200 with `data: null` for "Not Authorized" and for
 * errors raised while running.
 */
import { execute, type GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, validate } from "graphql";
import { z } from "zod";
import type { Handler } from "./endpoints.ts";
import { type Faults, faultResponse } from "./faults.ts";

export interface RequestLogEntry {
  at: string;
  operationName: string | null;
  /** Root fields the document selects, e.g. ["serviceCreate"]. */
  fields: string[];
  status: number;
  /** ok | error (errors[] in the answer) | fault (injected) | unauthorized | invalid. */
  outcome: "ok" | "error" | "fault" | "unauthorized" | "invalid";
}

export interface RequestLog {
  entries: RequestLogEntry[];
}

const MAX_LOG_ENTRIES = 5_000;

const bodySchema = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const errorBody = (message: string, code?: string) => ({
  errors: [{ message, ...(code ? { extensions: { code } } : {}) }],
  data: null,
});

const formatted = (errors: readonly GraphQLError[], code?: string) =>
  errors.map((error) => {
    const json = error.toJSON();
    return code ? { ...json, extensions: { ...json.extensions, code } } : json;
  });

export function createGraphQLHandler(options: {
  schema: GraphQLSchema;
  rootValue: object;
  token: string;
  faults: Faults;
  requestLog: RequestLog;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}): Handler {
  const { schema, rootValue, token, faults, requestLog, sleep, now } = options;

  function record(entry: Omit<RequestLogEntry, "at">): void {
    requestLog.entries.push({ at: new Date(now()).toISOString(), ...entry });
    if (requestLog.entries.length > MAX_LOG_ENTRIES) requestLog.entries.shift();
  }

  function authorized(request: Request): boolean {
    return request.headers.get("authorization") === `Bearer ${token}` || request.headers.get("project-access-token") === token;
  }

  return async (request) => {
    const delay = faults.takeLatency();
    if (delay > 0) await sleep(delay);

    const body = bodySchema.safeParse(request.method === "POST" ? await request.json().catch(() => undefined) : undefined);
    const operationName = body.success ? body.data.operationName ?? null : null;

    const fault = faults.takeFault(operationName, "before");
    if (fault) {
      record({ operationName, fields: [], status: fault.status, outcome: "fault" });
      return faultResponse(fault);
    }
    if (request.method !== "POST") {
      record({ operationName, fields: [], status: 405, outcome: "invalid" });
      return answer(405, errorBody("Only POST is supported"));
    }
    if (!authorized(request)) {
      record({ operationName, fields: [], status: 200, outcome: "unauthorized" });
      return answer(200, errorBody("Not Authorized"));
    }
    if (!body.success) {
      record({ operationName, fields: [], status: 400, outcome: "invalid" });
      return answer(400, errorBody("Request body must be JSON with a `query` string", "BAD_REQUEST"));
    }

    let document;
    try {
      document = parse(body.data.query);
    } catch (error) {
      record({ operationName, fields: [], status: 400, outcome: "invalid" });
      return answer(400, { errors: formatted([error as GraphQLError], "GRAPHQL_PARSE_FAILED") });
    }
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
    );
    const fields = operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) {
      record({ operationName, fields, status: 400, outcome: "invalid" });
      return answer(400, { errors: formatted(validationErrors, "GRAPHQL_VALIDATION_FAILED") });
    }

    const result = await execute({
      schema,
      document,
      rootValue,
      variableValues: body.data.variables ?? {},
      operationName,
    });
    if (result.data === undefined) {
      // Variables that do not fit the operation: nothing ran.
      record({ operationName, fields, status: 400, outcome: "invalid" });
      return answer(400, { errors: formatted(result.errors ?? [], "BAD_USER_INPUT") });
    }
    const lost = faults.takeFault(operationName, "after");
    if (lost) {
      record({ operationName, fields, status: lost.status, outcome: "fault" });
      return faultResponse(lost);
    }
    const outcome = result.errors?.length ? "error" : "ok";
    record({ operationName, fields, status: 200, outcome });
    return answer(200, result.errors?.length ? { errors: formatted(result.errors), data: result.data } : { data: result.data });
  };
}
