/** Removes secrets (the token, variable values) from text that came back from Railway before we keep it. */

export const REDACTED = "[redacted]";

/** Values shorter than this are not worth hiding and would mangle ordinary words ("1", "on"). */
const MIN_SECRET_LENGTH = 3;

export type Redactor = (text: string) => string;

export function createRedactor(secrets: Iterable<string>): Redactor {
  const distinct = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  // Longest first, so a secret that contains another is replaced whole.
  distinct.sort((a, b) => b.length - a.length);
  return (text) => distinct.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
