/**
 * Logs a background failure without what it might carry: a connection string's password (the SMTP
 * and database URLs appear in some drivers' messages), or a stack with arguments. Only the error's
 * name and its message, with any URL's credentials removed.
 */
export function safeErrorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1***@").slice(0, 500);
}

export function logSafe(what: string, error: unknown): void {
  console.error(`${what}: ${safeErrorText(error)}`);
}
