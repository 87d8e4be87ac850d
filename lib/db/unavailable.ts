/**
 * Whether an error means the database cannot be used right now (down, restarting, unreachable,
 * out of connections, or the pool's wait for a connection ran out: lib/db/client.ts), rather than a
 * fault in the request or in Keyward. Such a request is answered 503 with Retry-After, never 500:
 * the caller did nothing wrong and may try again, and a balancer or client retry policy can tell.
 *
 * The error arrives in several shapes: Prisma's known-request errors (codes P1xxx, P2024) carrying
 * the driver adapter's error kind, pg's own errors (SQLSTATE class 08 connection exceptions, 57P0x
 * shutdown and start-up, 53300 too many connections), Node socket errors, and pg-pool's plain
 * errors for a connection timeout or a connection that ended under a query.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);
const MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  // A short walk: the error, its cause chain and Prisma's adapter error with its own cause.
  while (pending.length > 0 && seen.size < 8) {
    const current = pending.shift();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const fields = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    const code = typeof fields.code === "string" ? fields.code : "";
    if (PRISMA_CODES.has(code) || SQLSTATES.has(code) || SOCKET_CODES.has(code) || code.startsWith("08"))
      return true;
    if (typeof fields.kind === "string" && ADAPTER_KINDS.has(fields.kind)) return true;
    if (fields.kind === "postgres" && typeof fields.code === "string" && SQLSTATES.has(fields.code))
      return true;
    if (typeof fields.message === "string" && MESSAGES.test(fields.message)) return true;
    pending.push(fields.cause, fields.meta?.driverAdapterError);
  }
  return false;
}
