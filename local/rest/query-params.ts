import { malformedParam } from "./errors.ts";
import {
  OPERATORS, QUANTIFIABLE,
  type Condition, type Field, type Filter, type JsonArrow, type Operator, type OrderTerm, type QueryParams, type SelectItem,
} from "./query-ast.ts";

/**
 * Parses PostgREST's query grammar into the AST of query-ast.ts. Every malformed part is a
 * 400 PGRST100 (a thrown RestError), never anything else: this runs on untrusted input.
 * Names are not checked here; the SQL builder checks every name against the schema cache.
 */
const MAX_DEPTH = 8;
const MAX_ITEMS = 1000;
const RESERVED = new Set(["select", "order", "limit", "offset", "columns", "on_conflict", "or", "and", "not.or", "not.and"]);
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);

/** Splits on `sep` at nesting depth 0 (parentheses and braces), honouring double-quoted strings. */
export function splitTopLevel(text: string, sep = ","): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "(" || ch === "{") depth++;
    else if (ch === ")" || ch === "}") {
      depth--;
      if (depth < 0) throw malformedParam(`Unbalanced parentheses in "${text}"`);
    } else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw malformedParam(`Unterminated quoted string in "${text}"`);
  if (depth !== 0) throw malformedParam(`Unbalanced parentheses in "${text}"`);
  parts.push(text.slice(start));
  if (parts.length > MAX_ITEMS) throw malformedParam(`Too many items in "${text.slice(0, 40)}…"`);
  return parts;
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(.)/g, "$1");
  return text;
}

/** `name`, `"quoted name"`, `data->a->>b`, `data->0`. */
export function parseField(text: string): Field {
  const segments = text.split(/(->>|->)/);
  const name = unquote(segments[0] ?? "");
  if (name === "" || (/[(),:!.]/.test(name) && !text.startsWith('"'))) throw malformedParam(`Invalid field name "${text}"`);
  const path: Field["path"] = [];
  for (let i = 1; i < segments.length; i += 2) {
    const arrow = segments[i] as JsonArrow;
    const key = unquote(segments[i + 1] ?? "");
    if (key === "") throw malformedParam(`Invalid JSON path in "${text}"`);
    path.push({ arrow, key });
  }
  return { name, path };
}

// ---- select ----

function parseSelectItem(text: string, depth: number): SelectItem {
  const item = text.trim();
  if (item === "") throw malformedParam("Empty item in select");
  if (item === "*") return { kind: "star" };
  if (item.startsWith("...")) throw malformedParam("Spread embedding (...) is not supported", item);
  const open = item.indexOf("(");
  const colon = findAliasColon(item);
  const alias = colon >= 0 ? unquote(item.slice(0, colon).trim()) : undefined;
  if (alias === "") throw malformedParam(`Empty alias in "${item}"`);
  const body = colon >= 0 ? item.slice(colon + 1) : item;
  if (open >= 0 && (colon < 0 || open > colon)) {
    if (!body.endsWith(")")) throw malformedParam(`Invalid embedding "${item}"`);
    if (depth >= MAX_DEPTH) throw malformedParam("Embedding is nested too deeply");
    const paren = body.indexOf("(");
    const head = body.slice(0, paren);
    const inner = body.slice(paren + 1, -1);
    const [target, ...hints] = head.split("!");
    if (!target) throw malformedParam(`Invalid embedding "${item}"`);
    let isInner = false;
    let hint: string | undefined;
    for (const h of hints) {
      if (h === "inner") isInner = true;
      else if (h === "left") isInner = false;
      else if (h !== "" && hint === undefined) hint = h;
      else throw malformedParam(`Invalid embedding hint in "${item}"`);
    }
    const select = inner.trim() === "" ? [] : splitTopLevel(inner).map((p) => parseSelectItem(p, depth + 1));
    return { kind: "embed", target: unquote(target), ...(alias ? { alias } : {}), ...(hint ? { hint } : {}), inner: isInner, select };
  }
  const castAt = body.lastIndexOf("::");
  const fieldText = castAt >= 0 ? body.slice(0, castAt) : body;
  const cast = castAt >= 0 ? body.slice(castAt + 2).trim() : undefined;
  if (cast !== undefined && !/^[A-Za-z_][A-Za-z0-9_ ]*$/.test(cast)) throw malformedParam(`Invalid cast "${cast}"`);
  return { kind: "column", field: parseField(fieldText.trim()), ...(alias ? { alias } : {}), ...(cast ? { cast } : {}) };
}

/** The `:` of `alias:col`, not the `::` of a cast and not inside quotes or parentheses. */
function findAliasColon(item: string): number {
  let quoted = false;
  for (let i = 0; i < item.length; i++) {
    const ch = item[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "(") return -1;
    else if (!quoted && ch === ":") return item[i + 1] === ":" ? -1 : i;
  }
  return -1;
}

export function parseSelect(text: string): SelectItem[] {
  if (text.trim() === "") return [{ kind: "star" }];
  return splitTopLevel(text).map((p) => parseSelectItem(p, 0));
}

// ---- filters ----

function parseList(text: string, what: string): string[] {
  if (!text.startsWith("(") || !text.endsWith(")")) throw malformedParam(`Invalid list for ${what}: expected (a,b,…)`);
  const inner = text.slice(1, -1);
  if (inner.trim() === "") return [];
  return splitTopLevel(inner).map((v) => unquote(v.trim()));
}

/** `[not.]op[(any|all)|(config)].value` → the operator part of a condition. */
export function parseOperation(text: string, field: Field, inLogicTree: boolean): Condition {
  let rest = text;
  let negated = false;
  if (rest.startsWith("not.")) {
    negated = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf(".");
  if (dot < 0) throw malformedParam(`Invalid filter "${text}": expected operator.value`);
  const opText = rest.slice(0, dot);
  let value = rest.slice(dot + 1);
  const opMatch = /^([a-z]+)(?:\(([^()]*)\))?$/.exec(opText);
  const opName = opMatch?.[1];
  if (!opMatch || !opName || !OPERATOR_SET.has(opName)) throw malformedParam(`Unknown operator "${opText}" in filter "${text}"`);
  const op = opName as Operator;
  const modifier = opMatch[2];
  const condition: Condition = { kind: "condition", field, negated, op, value };
  if (modifier !== undefined) {
    if (op === "fts" || op === "plfts" || op === "phfts" || op === "wfts") {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(modifier)) throw malformedParam(`Invalid text search configuration "${modifier}"`);
      condition.ftsConfig = modifier;
    } else if ((modifier === "any" || modifier === "all") && QUANTIFIABLE.has(op)) {
      condition.quantifier = modifier;
      if (!value.startsWith("{") || !value.endsWith("}")) throw malformedParam(`Invalid list for ${op}(${modifier}): expected {a,b,…}`);
    } else {
      throw malformedParam(`Invalid operator modifier "${opText}"`);
    }
  }
  if (inLogicTree) value = unquote(value);
  if (op === "in") {
    condition.value = parseList(value, "in");
  } else if (op === "is") {
    const v = value.toLowerCase();
    if (!["null", "not_null", "true", "false", "unknown"].includes(v)) throw malformedParam(`Invalid value for is: "${value}" (expected null, not_null, true, false or unknown)`);
    condition.value = v;
  } else {
    condition.value = value;
  }
  return condition;
}

/** The items of `or=(…)`: conditions `field.op.value` and nested `and(…)`, `or(…)`, `not.and(…)`. */
export function parseLogic(op: "and" | "or", negated: boolean, text: string, depth = 0): Filter {
  if (depth > MAX_DEPTH) throw malformedParam("Logic tree is nested too deeply");
  if (!text.startsWith("(") || !text.endsWith(")")) throw malformedParam(`Invalid logic tree "${op}=${text}": expected (…)`);
  const items = splitTopLevel(text.slice(1, -1));
  const children = items.map((raw): Filter => {
    const item = raw.trim();
    const nested = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
    if (nested?.[2] && nested[3]) return parseLogic(nested[2] as "and" | "or", nested[1] !== undefined, nested[3], depth + 1);
    const firstDot = item.search(/\.(?:not\.)?[a-z]+(?:\([^()]*\))?\./);
    if (firstDot <= 0) throw malformedParam(`Invalid item "${item}" in logic tree`);
    return parseOperation(item.slice(firstDot + 1), parseField(item.slice(0, firstDot)), true);
  });
  if (children.length === 0) throw malformedParam(`Empty logic tree "${op}"`);
  return { kind: "logic", op, negated, children };
}

// ---- order, limit, offset ----

export function parseOrder(text: string): OrderTerm[] {
  return splitTopLevel(text).map((raw) => {
    const parts = raw.trim().split(".");
    const modifiers: string[] = [];
    while (parts.length > 1 && ["asc", "desc", "nullsfirst", "nullslast"].includes(parts[parts.length - 1] ?? "")) {
      modifiers.unshift(parts.pop() ?? "");
    }
    const term: OrderTerm = { field: parseField(parts.join(".")) };
    for (const m of modifiers) {
      if (m === "asc" || m === "desc") {
        if (term.direction) throw malformedParam(`Invalid order term "${raw}"`);
        term.direction = m;
      } else {
        if (term.nulls) throw malformedParam(`Invalid order term "${raw}"`);
        term.nulls = m === "nullsfirst" ? "first" : "last";
      }
    }
    return term;
  });
}

function parseNonNegative(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw malformedParam(`Invalid ${what}: "${text}" is not a non-negative integer`);
  return Number(text);
}

function parseColumnList(text: string, what: string): string[] {
  const items = splitTopLevel(text).map((c) => unquote(c.trim()));
  if (items.some((c) => c === "")) throw malformedParam(`Invalid ${what}: "${text}"`);
  return items;
}

/** Splits `a.b.field` into scope "a.b" and the last segment. */
function scopeOf(key: string): [scope: string, last: string] {
  const dot = key.lastIndexOf(".");
  return dot < 0 ? ["", key] : [key.slice(0, dot), key.slice(dot + 1)];
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Parses all parameters. `argNames` (GET rpc) are the function's argument names: a parameter with
 * one of those names is an argument, not a filter.
 */
export function parseQueryParams(search: URLSearchParams, argNames: ReadonlySet<string> = new Set()): QueryParams {
  const params: QueryParams = {
    select: [{ kind: "star" }], filters: new Map(), order: new Map(), limit: new Map(), offset: new Map(), args: new Map(),
  };
  let count = 0;
  for (const [key, value] of search) {
    if (++count > MAX_ITEMS) throw malformedParam("Too many query parameters");
    if (argNames.has(key)) {
      params.args.set(key, value);
      continue;
    }
    if (key === "select") { params.select = parseSelect(value); continue; }
    if (key === "columns") { params.columns = parseColumnList(value, "columns"); continue; }
    if (key === "on_conflict") { params.onConflict = parseColumnList(value, "on_conflict"); continue; }
    const [scope, last] = scopeOf(key);
    if (last === "and" || last === "or") {
      const negated = scope === "not" || scope.endsWith(".not");
      const realScope = negated ? scope.slice(0, Math.max(0, scope.length - 4)) : scope;
      push(params.filters, realScope, parseLogic(last, negated, value));
      continue;
    }
    if (last === "order") { params.order.set(scope, parseOrder(value)); continue; }
    if (last === "limit") { params.limit.set(scope, parseNonNegative(value, "limit")); continue; }
    if (last === "offset") { params.offset.set(scope, parseNonNegative(value, "offset")); continue; }
    if (key === "" || RESERVED.has(key)) throw malformedParam(`Invalid query parameter "${key}"`);
    push(params.filters, scope, parseOperation(value, parseField(last), false));
  }
  return params;
}
