/**
 * A user's search text as a literal inside Prisma's `contains` (SQL LIKE / ILIKE). Prisma passes
 * the text into the pattern unescaped, so `%` and `_` would match anything and a trailing `\` would
 * escape the closing wildcard. PostgreSQL's default LIKE escape character is the backslash.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
