import { Invalid } from "../errors/app-error.ts";

/**
 * No field Keyward accepts has a use for NUL, and PostgreSQL text cannot store it: refused where
 * input enters (JSON bodies, forms, query strings), so it meets a clear 400, never a database error.
 */
export const NUL_MESSAGE = "Text may not contain NUL characters.";

export const withoutNul = (text: string) => !text.includes("\u0000");

/** Whether any string (or object key) inside a parsed value holds a NUL. Iterative: JSON may be deep. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (item.includes("\u0000")) return true;
    } else if (Array.isArray(item)) {
      stack.push(...item);
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes("\u0000")) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

export function assertNoNul(value: unknown, path = "(body)"): void {
  if (containsNul(value)) throw Invalid(NUL_MESSAGE, [{ path, message: NUL_MESSAGE }]);
}
