/**
 * Safe SQL text: identifiers are always double-quoted (names come from the schema cache), and every
 * value from a request is a bound parameter collected in `Params`. Nothing else is ever spliced in.
 */
export class Params {
  readonly values: string[] = [];

  /** Binds a text value (its type is inferred by PostgreSQL from where it is used) and returns `$n`. */
  add(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedIdent(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/** A PostgreSQL array literal of text items (each quoted and escaped), bound as one parameter. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}
