import { ZodError } from "zod";

import { AppError, ERROR_STATUS, type ErrorCode, type FieldIssue } from "../errors/app-error.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import { DPOP_CHALLENGE } from "../dpop/proof.ts";

/** RFC 9457 problem details. `type` is a stable URI per error code, the same on every installation. */
export const PROBLEM_TYPE_BASE = "urn:keyward:problem:";

const TITLES: Record<ErrorCode, string> = {
  invalid: "Invalid request",
  unauthenticated: "Authentication required",
  step_up_required: "Re-authentication required",
  forbidden: "Forbidden",
  session_required: "A signed-in session is required",
  not_found: "Not found",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  unprocessable: "Unprocessable content",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldIssue[];
  holders?: Record<string, unknown>;
};

export function zodToAppError(error: ZodError): AppError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.join(".") || "(body)",
    message: issue.message,
  }));
  return new AppError("invalid", fields[0]?.message ?? "The request is not valid.", { fields });
}

/** Anything that is not an AppError becomes a generic 500: no message, no stack, only the request id. */
/**
 * Prisma's codes for a write that lost a race: a unique key another write took meanwhile (two
 * registrations with one name checked at the same moment), a foreign key whose row was removed
 * meanwhile (a permission deleted while a role editor granted it), a serialization failure or
 * deadlock. The transaction rolled back whole; the person retries with what is there now.
 */
const CONCURRENT_CHANGE_CODES = new Set(["P2002", "P2003", "P2034"]);

function isConcurrentChange(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "PrismaClientKnownRequestError" &&
    "code" in error &&
    typeof error.code === "string" &&
    CONCURRENT_CHANGE_CODES.has(error.code)
  );
}

export function toAppError(error: unknown, requestId: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return zodToAppError(error);
  if (isConcurrentChange(error)) {
    return new AppError(
      "conflict",
      "Something this change refers to was changed or removed at the same moment. Reload and try again.",
    );
  }
  if (isDatabaseUnavailable(error)) {
    // Not a fault of Keyward's: one line, no stack, while the database is down or restarting.
    console.error(`[${requestId}] the database is unavailable: answered 503`);
    return new AppError("unavailable", "The database is unavailable right now. Try again in a few seconds.", {
      retryAfterSeconds: 5,
    });
  }
  console.error(`[${requestId}] unhandled error:`, error);
  return new AppError("internal", `Something went wrong. Quote request id ${requestId} when reporting it.`);
}

export function problemResponse(error: AppError, requestId: string): Response {
  const status = ERROR_STATUS[error.code];
  const body: Problem = {
    type: PROBLEM_TYPE_BASE + error.code,
    title: TITLES[error.code],
    status,
    detail: error.message,
    instance: `urn:request:${requestId}`,
    ...(error.extra.fields ? { errors: error.extra.fields } : {}),
    ...(error.extra.holders ? { holders: error.extra.holders } : {}),
  };
  const headers = new Headers({ "content-type": "application/problem+json", "cache-control": "no-store" });
  if (error.extra.retryAfterSeconds) headers.set("retry-after", String(error.extra.retryAfterSeconds));
  // RFC 9449 §7.1: both schemes Keyward's API takes, as two challenges.
  if (error.code === "unauthenticated")
    headers.set("www-authenticate", `Bearer realm="keyward", ${DPOP_CHALLENGE}`);
  if (error.extra.challenge) headers.set("www-authenticate", error.extra.challenge);
  // RFC 9470 (OAuth step-up): the caller must authenticate again, recently.
  if (error.code === "step_up_required")
    headers.set("www-authenticate", 'Bearer realm="keyward", error="insufficient_user_authentication"');
  return new Response(JSON.stringify(body), { status, headers });
}
