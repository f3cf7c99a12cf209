import { describe, expect, it } from "vitest";
import { RestError } from "../../../local/rest/errors.ts";
import { parseQueryParams } from "../../../local/rest/query-params.ts";
import { buildRead } from "../../../local/rest/sql-builder.ts";
import { fakeCache } from "./fake-cache.ts";

/**
 * Malformed query strings never throw anything but a RestError (a PostgREST-shaped 4xx), and a
 * statement that does get built never contains a request value in its text.
 */
const ALPHABET = ["(", ")", ",", ".", ":", "::", "!", '"', "\\", "{", "}", "*", "->", "->>", "'", ";", "--", " ", "%", "not", "eq", "in", "is",
  "or", "and", "null", "name", "tier", "id", "customers", "containers", "order", "limit", "select", "inner", "asc", "nullslast", "1", "x"];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("fuzz: malformed query strings", () => {
  it("only ever produce RestErrors, with values kept out of the SQL text", () => {
    const random = rng(42);
    const cache = fakeCache();
    const relation = cache.relations.get("public.customers");
    if (!relation) throw new Error("fixture");
    const pick = () => ALPHABET[Math.floor(random() * ALPHABET.length)] ?? "";
    const word = () => Array.from({ length: 1 + Math.floor(random() * 8) }, pick).join("");
    let built = 0;
    for (let i = 0; i < 5000; i++) {
      const params = new URLSearchParams();
      const n = 1 + Math.floor(random() * 3);
      for (let k = 0; k < n; k++) {
        // Half the values start like a valid filter, so the builder is reached as well as the parser.
        const key = random() < 0.5 ? (["name", "tier", "id", "select", "order", "or", "not.and", "limit"][Math.floor(random() * 8)] ?? "name") : word();
        const value = random() < 0.5 ? `${["eq.", "in.(", "not.like.", "is.", "(name.eq.", "name,", "name.desc"][Math.floor(random() * 7)]}${word()}` : word();
        params.append(key, value);
      }
      try {
        const query = buildRead(cache, relation, parseQueryParams(params), { offset: 0, limit: 10 }, { shape: "array", stripNulls: false, count: true });
        built++;
        // Aliases are request text too, but only ever as quoted identifiers: look outside those.
        expect(query.text.replace(/"(?:[^"]|"")*"/g, '""').replaceAll("'[]'", "")).not.toMatch(/;|--|'/);
      } catch (error) {
        if (!(error instanceof RestError)) throw new Error(`non-RestError for ${params.toString()}: ${String(error)}`);
        expect(error.status).toBeGreaterThanOrEqual(300);
        expect(error.status).toBeLessThan(500);
      }
    }
    expect(built).toBeGreaterThan(0);
  });
});
