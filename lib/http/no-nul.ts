import { Invalid } from "../errors/app-error.ts";

/**
 * Text Keyward accepts is well-formed Unicode without NUL, refused where input enters (JSON bodies,
 * forms, query strings) so that it meets a clear 400 naming the field, never a database error:
 * - NUL: no field has a use for it, and PostgreSQL text cannot store it.
 * - Lone UTF-16 surrogates ("\ud800", reachable through JSON's \u escapes): PostgreSQL stores
 *   U+FFFD in their place, so the value read back is not the value received, and what was hashed
 *   for the audit chain was not what was stored (String.prototype.isWellFormed).
 * The file keeps its old name and exports (withoutNul, assertNoNul, NUL_MESSAGE) for their callers.
 */
export const CLEAN_TEXT_MESSAGE =
  "Text may not contain NUL characters or ill-formed Unicode (unpaired surrogates).";

/** The same message under its old name: it covers ill-formed Unicode too. */
export const NUL_MESSAGE = CLEAN_TEXT_MESSAGE;

export const isCleanText = (text: string): boolean => !text.includes("\u0000") && text.isWellFormed();

/** The old name of isCleanText (a zod refinement in schemas): it refuses ill-formed Unicode too. */
export const withoutNul = isCleanText;

/**
 * The path ("name", "items.0.label") of the first string or object key inside a parsed value that
 * is not clean text, "" for the value itself, or null when all is clean. A bad key is reported at
 * the object holding it: the path never repeats the bad text. Iterative: JSON may be deep.
 */
export function uncleanTextPath(value: unknown): string | null {
  // Paths as parent links, joined only when reported: copying them per level would be quadratic.
  type Path = { key: string; parent: Path } | null;
  const join = (path: Path): string => {
    const keys: string[] = [];
    for (let at = path; at; at = at.parent) keys.unshift(at.key);
    return keys.join(".");
  };
  const stack: { item: unknown; path: Path }[] = [{ item: value, path: null }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { item, path } = next;
    if (typeof item === "string") {
      if (!isCleanText(item)) return join(path);
    } else if (Array.isArray(item)) {
      // Pushed last first, so that the first bad field in document order is the one reported.
      for (let index = item.length - 1; index >= 0; index--) {
        stack.push({ item: item[index] as unknown, path: { key: String(index), parent: path } });
      }
    } else if (item !== null && typeof item === "object") {
      const entries = Object.entries(item);
      if (entries.some(([key]) => !isCleanText(key))) return join(path);
      for (const [key, child] of entries.reverse()) stack.push({ item: child, path: { key, parent: path } });
    }
  }
  return null;
}

/** Whether any string (or object key) inside a parsed value is not clean text (old name). */
export const containsNul = (value: unknown): boolean => uncleanTextPath(value) !== null;

/**
 * Throws `invalid` (400) naming the offending field, as zod's errors do ("name", "items.0"); `where`
 * names the value itself when it is the bad string or holds a bad top-level key ("(body)", "(form)").
 */
export function assertCleanText(value: unknown, where = "(body)"): void {
  const path = uncleanTextPath(value);
  if (path !== null) {
    throw Invalid(CLEAN_TEXT_MESSAGE, [{ path: path || where, message: CLEAN_TEXT_MESSAGE }]);
  }
}

/** The old name of assertCleanText: the API's query reader and the server actions' form reader call it. */
export const assertNoNul = assertCleanText;
