import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";

import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { resolvePrincipal } from "../auth/resolve-principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { EnrollmentRequired, Unauthenticated } from "../errors/app-error.ts";
import { notePrincipal } from "../observability/request-principal.ts";
import { authorize } from "../policy/authorize.ts";
import type { ErrorCode } from "../errors/app-error.ts";
import type { Permission } from "../policy/permissions.ts";
import { assertNoNul } from "./no-nul.ts";
import { toAppError } from "./problem.ts";
import { requestContext } from "./request-context.ts";
import { withHeardChanges } from "../credentials/change-feed.ts";

/**
 * The one wrapper around every server action, the counterpart of lib/http/route.ts: resolve the
 * principal, check the permission, parse the form with the same zod schema as the API, call the
 * domain, and turn every error into a message for the form (never a 500 page). Default deny.
 */
export type ActionState<T = undefined> =
  | { status: "idle" }
  | { status: "ok"; message: string; data?: T; at: number }
  | { status: "error"; code: ErrorCode; message: string; fields: Record<string, string>; at: number };

export const IDLE: ActionState<never> = { status: "idle" };

/** How fields become values: repeated ones as arrays, checkboxes as booleans, a textarea's lines as an array. */
type FormShape = { arrays?: string[]; booleans?: string[]; lines?: string[] };
/**
 * "self": one's own account (profile, factors, sessions) needs no permission.
 * `stepUp`: sensitive (DESIGN.md, "Sensitive operations"): the session must have signed in within
 * the step-up window, with its second factor when it has one, checked here before the input is
 * read (and again in the domain). An action's caller is always a session, so what the API declares
 * `session` is `stepUp` here.
 */
type ActionAccess = {
  permission: Permission | "self";
  duringEnrollment?: boolean;
  stepUp?: boolean;
  /** A read (a picker loading more): nothing changed, so the page is not re-rendered. */
  read?: boolean;
};
type Result<T> = { message: string; data?: T; redirectTo?: string };

/** FormData to a plain object: repeated fields as arrays, checkboxes as booleans, Next's own fields dropped. */
export function formToObject(form: FormData, shape: FormShape = {}): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue;
    if (shape.arrays?.includes(key)) entries.push([key, form.getAll(key).map(String)]);
    else if (shape.booleans?.includes(key))
      entries.push([key, ["on", "true", "1"].includes(String(form.get(key)))]);
    else if (shape.lines?.includes(key))
      entries.push([
        key,
        String(form.get(key) ?? "")
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean),
      ]);
    else entries.push([key, String(form.get(key) ?? "")]);
  }
  // fromEntries defines own properties: a field named "__proto__" cannot set the object's prototype.
  const out: Record<string, unknown> = Object.fromEntries(entries);
  assertNoNul(out, "(form)");
  for (const key of shape.arrays ?? []) if (!Object.hasOwn(out, key)) out[key] = [];
  for (const key of shape.booleans ?? []) if (!Object.hasOwn(out, key)) out[key] = false;
  for (const key of shape.lines ?? []) if (!Object.hasOwn(out, key)) out[key] = [];
  return out;
}

type Handler<S extends z.ZodType, P, T> = (args: {
  principal: P;
  input: z.output<S>;
  context: RequestContext;
}) => Promise<Result<T>>;

export function action<S extends z.ZodType, T = undefined>(
  options: ActionAccess & { schema: S } & FormShape,
  handler: Handler<S, UserPrincipal, T>,
) {
  return build<S, UserPrincipal, T>(options, handler, true);
}

/** For the few signed-out forms (accepting an invitation): still schema-checked, limited in the domain. */
export function publicAction<S extends z.ZodType, T = undefined>(
  options: { schema: S } & FormShape,
  handler: Handler<S, null, T>,
) {
  return build<S, null, T>(options, handler, false);
}

/** What a server action reads from its request: passed in, so tests can run actions in process. */
export type ActionRequest = {
  headers: { get(name: string): string | null };
  cookies: { get(name: string): { value: string } | undefined };
};

/** The checked, parsed and handled action without Next's request plumbing (revalidation, redirect). */
export type ActionRun<T> = (
  request: ActionRequest,
  form: FormData,
) => Promise<{ state: ActionState<T>; redirectTo?: string }>;

export type ServerAction<T> = ((previous: ActionState<T>, form: FormData) => Promise<ActionState<T>>) & {
  run: ActionRun<T>;
  /** The input schema, for tests that generate forms for every action. */
  schema: z.ZodType;
  /** Declared sensitive: for the test that walks every action (app/sensitive-operations.int.test.ts). */
  stepUp: boolean;
};

function build<S extends z.ZodType, P extends UserPrincipal | null, T>(
  options: Partial<ActionAccess> & { schema: S } & FormShape,
  handler: Handler<S, P, T>,
  needsPrincipal: boolean,
): ServerAction<T> {
  const run: ActionRun<T> = async (request, form) => {
    const context = requestContext(request.headers);
    let principal: UserPrincipal | null = null;
    try {
      if (needsPrincipal) {
        principal = await resolvePrincipal(request.cookies);
        notePrincipal(context.requestId, principal);
        if (!principal) throw Unauthenticated("Your session has ended. Sign in again.");
        if (principal.mustEnrollMfa && !options.duringEnrollment) throw EnrollmentRequired();
        if (options.permission && options.permission !== "self") authorize(principal, options.permission);
        if (options.stepUp) await assertRecentAuth(principal);
      }
      const input = options.schema.parse(formToObject(form, options)) as z.output<S>;
      const result = await withHeardChanges(() => handler({ principal: principal as P, input, context }));
      const state: ActionState<T> = {
        status: "ok",
        message: result.message,
        data: result.data,
        at: Date.now(),
      };
      return { state, redirectTo: result.redirectTo };
    } catch (error) {
      const appError = toAppError(error, context.requestId);
      if (appError.code === "forbidden" && principal) {
        await recordAuditFailure({
          action: "access.denied",
          outcome: "denied",
          actor: { kind: "user", id: principal.userId, display: principal.email },
          context,
          details: { action: options.permission ?? "public", reason: appError.message },
        }).catch(() => undefined);
      }
      const fields = Object.fromEntries((appError.extra.fields ?? []).map((f) => [f.path, f.message]));
      return {
        state: { status: "error", code: appError.code, message: appError.message, fields, at: Date.now() },
      };
    }
  };
  const serverAction = async (_previous: ActionState<T>, form: FormData): Promise<ActionState<T>> => {
    const { state, redirectTo } = await run({ headers: await headers(), cookies: await cookies() }, form);
    if (state.status !== "ok") return state;
    if (!options.read) revalidatePath("/", "layout");
    // redirect() throws to unwind: outside run(), whose errors become form messages.
    if (redirectTo) redirect(redirectTo);
    return state;
  };
  return Object.assign(serverAction, { run, schema: options.schema, stepUp: options.stepUp === true });
}
