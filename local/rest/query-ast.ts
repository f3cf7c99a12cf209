/**
 * The parsed form of a PostgREST request's query string (contracts §6.3). Glossary:
 * - field: a column, optionally followed by a JSON path (`data->a->>b`).
 * - select item: `*`, a field (with `alias:` and `::cast`), or an embedded resource `alias:target!hint!inner(items)`.
 * - filter: a condition `field=[not.]op[(any|all)].value` or a logic tree `or=(…)`/`and=(…)`/`not.or=(…)`.
 * - scope: where a filter/order/limit applies: "" for the requested resource, or the embed path
 *   (`others` in `others.status=eq.x`, `a.b` for a nested embed).
 */
export type JsonArrow = "->" | "->>";

export interface Field {
  name: string;
  path: { arrow: JsonArrow; key: string }[];
}

export interface SelectStar {
  kind: "star";
}

export interface SelectColumn {
  kind: "column";
  field: Field;
  alias?: string;
  cast?: string;
}

export interface SelectEmbed {
  kind: "embed";
  target: string;
  alias?: string;
  hint?: string;
  inner: boolean;
  select: SelectItem[];
}

export type SelectItem = SelectStar | SelectColumn | SelectEmbed;

export const OPERATORS = [
  "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "is", "isdistinct", "in",
  "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj", "fts", "plfts", "phfts", "wfts",
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators that take `(any)`/`(all)` with a `{a,b}` list. */
export const QUANTIFIABLE: ReadonlySet<Operator> = new Set(["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch"]);

export interface Condition {
  kind: "condition";
  field: Field;
  negated: boolean;
  op: Operator;
  quantifier?: "any" | "all";
  /** Text value; for `in`, the list items; for `is`, one of null/not_null/true/false/unknown. */
  value: string | string[];
  /** Text search configuration of `fts(english)`. */
  ftsConfig?: string;
}

export interface Logic {
  kind: "logic";
  op: "and" | "or";
  negated: boolean;
  children: Filter[];
}

export type Filter = Condition | Logic;

export interface OrderTerm {
  field: Field;
  direction?: "asc" | "desc";
  nulls?: "first" | "last";
}

export interface QueryParams {
  select: SelectItem[];
  /** Keyed by scope ("" = the resource itself). */
  filters: Map<string, Filter[]>;
  order: Map<string, OrderTerm[]>;
  limit: Map<string, number>;
  offset: Map<string, number>;
  /** `columns=` of an insert. */
  columns?: string[];
  /** `on_conflict=` of an upsert. */
  onConflict?: string[];
  /** Parameters taken as function arguments (GET/HEAD rpc). */
  args: Map<string, string>;
}
