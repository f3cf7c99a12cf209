import { describe, expect, it } from "vitest";
import { fromDatabaseError, isDatabaseError, statusForSqlState } from "../../../local/rest/errors.ts";

describe("SQLSTATE → HTTP status (PostgREST's mapSQLtoHTTP)", () => {
  it.each([
    ["23505", 409], ["23503", 409], ["25006", 405], ["42P01", 404], ["42883", 404], ["42P17", 500], ["P0001", 400], ["P0002", 500],
    ["PT402", 402], ["08006", 503], ["53300", 503], ["53400", 500], ["28000", 403], ["0L000", 403], ["40001", 500], ["57014", 500],
    ["XX000", 500], ["23502", 400], ["23514", 400], ["22P02", 400], ["42703", 400],
  ])("%s → %i", (code, status) => {
    expect(statusForSqlState(code, true)).toBe(status);
  });
  it("42501 is 401 for the anonymous role and 403 for an authenticated one", () => {
    expect(statusForSqlState("42501", false)).toBe(401);
    expect(statusForSqlState("42501", true)).toBe(403);
  });
  it("22023 is 401 only for an unknown role, 21000 is 400 only for safeupdate", () => {
    expect(statusForSqlState("22023", true, 'role "x" does not exist')).toBe(401);
    expect(statusForSqlState("22023", true, "other")).toBe(400);
    expect(statusForSqlState("21000", true, "DELETE requires a WHERE clause")).toBe(400);
  });
});

describe("database errors", () => {
  const pgError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message)), { name: "PostgresError", ...fields });
  it("keeps code, message, detail and hint, and adds WWW-Authenticate to 401s", () => {
    const e = pgError({ code: "42501", message: "new row violates row-level security policy", detail: "d", hint: "h" });
    expect(isDatabaseError(e)).toBe(true);
    const mapped = fromDatabaseError(e as never, false);
    expect(mapped.status).toBe(401);
    expect(mapped.toBody()).toEqual({ code: "42501", message: "new row violates row-level security policy", details: "d", hint: "h" });
    expect(mapped.headers["WWW-Authenticate"]).toBe("Bearer");
  });
  it("honours RAISE SQLSTATE 'PGRST' with a JSON message and status detail", () => {
    const e = pgError({ code: "PGRST", message: '{"code":"123","message":"custom","details":"dd"}', detail: '{"status":418,"headers":{"X-Powered-By":"tea"}}' });
    const mapped = fromDatabaseError(e as never, true);
    expect(mapped.status).toBe(418);
    expect(mapped.toBody()).toEqual({ code: "123", message: "custom", details: "dd", hint: null });
    expect(mapped.headers).toEqual({ "X-Powered-By": "tea" });
  });
  it("does not take arbitrary objects for database errors", () => {
    expect(isDatabaseError(new Error("x"))).toBe(false);
    expect(isDatabaseError({ code: "1" })).toBe(false);
  });
});
