/**
 * The one error type of the domain. Codes form a closed table (below) mapped to HTTP in one place
 * (lib/http/problem.ts). Messages are shown to the caller: never put a secret or an internal detail in one.
 */
export const ERROR_STATUS = {
  invalid: 400,
  unauthenticated: 401,
  /** Signed in, but not recently enough (or without the second factor) for a sensitive action. */
  step_up_required: 401,
  forbidden: 403,
  /** A bearer credential asked for what only a signed-in person may do: mint a credential, a secret or a link. */
  session_required: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldIssue = { path: string; message: string };

export type AppErrorExtra = {
  fields?: FieldIssue[];
  retryAfterSeconds?: number;
  /** A WWW-Authenticate challenge (RFC 6750 §3) when the default one would not say enough. */
  challenge?: string;
  /** What a removal would take from whom (lib/apis/permission-holders.ts): in the problem as `holders`. */
  holders?: Record<string, unknown>;
};

/** Explicit fields, not parameter properties: scripts/server.js loads lib/ by type stripping (ADR 0012). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extra: AppErrorExtra;
  override name = "AppError";
  constructor(code: ErrorCode, message: string, extra: AppErrorExtra = {}) {
    super(message);
    this.code = code;
    this.extra = extra;
  }
}

export const Invalid = (message: string, fields?: FieldIssue[]) =>
  new AppError("invalid", message, { fields });
export const Unauthenticated = (message = "Sign in to continue.") => new AppError("unauthenticated", message);
export const Forbidden = (message = "You do not have permission to do this.") =>
  new AppError("forbidden", message);
export const NotFound = (what = "resource") => new AppError("not_found", `The ${what} was not found.`);
export const Conflict = (message: string) => new AppError("conflict", message);
export const RateLimited = (retryAfterSeconds: number, message = "Too many attempts. Try again later.") =>
  new AppError("rate_limited", message, { retryAfterSeconds });

export const EnrollmentRequired = () =>
  new AppError(
    "forbidden",
    "Your roles require a second factor: set one up under My account → Security first.",
  );

export const StepUpRequired = () =>
  new AppError("step_up_required", "Confirm it is you: this action needs a recent sign-in.");

/**
 * A bearer credential (personal token, client token) never creates a credential, a secret or a
 * one-time link, and never receives one (DESIGN.md, "Sensitive operations"; ADR 0010).
 */
export const SessionRequired = (
  message = "Only a signed-in person can do this, after confirming it is them: not an API credential. Automation uses the operator CLI (npm run admin).",
) => new AppError("session_required", message);

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
