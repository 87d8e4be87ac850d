import type { NextRequest } from "next/server";
import type { z } from "zod";

import { recordAuditFailure } from "../audit/record-failure.ts";
import type { Principal, RequestContext, UserPrincipal } from "../auth/principal.ts";
import { auditActor } from "../audit/actor.ts";
import { resolvePrincipal } from "../auth/resolve-principal.ts";
import { AppError, EnrollmentRequired, Unauthenticated } from "../errors/app-error.ts";
import { notePrincipal } from "../observability/request-principal.ts";
import { authorize } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";
import { readJsonBody } from "./read-body.ts";
import { problemResponse, toAppError } from "./problem.ts";
import { requestContext } from "./request-context.ts";
import { withHeardChanges } from "../credentials/change-feed.ts";

/**
 * The one wrapper around every route handler: resolve the principal, check the permission, parse
 * the body with its schema, call the handler, and map every error to problem+json. Default deny:
 * a route is public only when it says so.
 */
type Access = { public: true } | { permission: Permission | "authenticated" };

type RouteOptions<S extends z.ZodType | undefined> = Access & {
  body?: S;
  maxBodyBytes?: number;
  /** Reachable by a user who must still enroll a second factor (the enrollment endpoints). */
  duringEnrollment?: boolean;
};

type Params = Record<string, string | string[] | undefined>;

type HandlerArgs<S, P> = {
  req: NextRequest;
  body: S extends z.ZodType ? z.output<S> : undefined;
  principal: P;
  context: RequestContext;
  params: Params;
};

type RouteContext = { params: Promise<Params> };

export function publicRoute<S extends z.ZodType | undefined = undefined>(
  options: { body?: S; maxBodyBytes?: number },
  handler: (args: HandlerArgs<S, null>) => Promise<Response>,
) {
  return build<S, null>({ ...options, public: true }, handler);
}

export function route<S extends z.ZodType | undefined = undefined>(
  options: {
    permission: Permission | "authenticated";
    body?: S;
    maxBodyBytes?: number;
    duringEnrollment?: boolean;
  },
  handler: (args: HandlerArgs<S, UserPrincipal>) => Promise<Response>,
) {
  return build<S, UserPrincipal>(options, handler);
}

function build<S extends z.ZodType | undefined, P extends UserPrincipal | null>(
  options: RouteOptions<S>,
  handler: (args: HandlerArgs<S, P>) => Promise<Response>,
) {
  return async (req: NextRequest, routeContext: RouteContext): Promise<Response> => {
    const context = requestContext(req.headers);
    let principal: UserPrincipal | null = null;
    try {
      // Public routes never touch the session store: health must answer when the database cannot.
      if ("permission" in options) {
        principal = await resolvePrincipal(req.cookies);
        notePrincipal(context.requestId, principal);
        if (!principal) throw Unauthenticated();
        if (principal.mustEnrollMfa && !options.duringEnrollment) throw EnrollmentRequired();
        if (options.permission !== "authenticated") authorize(principal, options.permission);
      }
      const body = (
        options.body ? options.body.parse(await readJsonBody(req, options.maxBodyBytes)) : undefined
      ) as HandlerArgs<S, P>["body"];
      const params = (await routeContext?.params) ?? {};
      return await withHeardChanges(() => handler({ req, body, principal: principal as P, context, params }));
    } catch (error) {
      const appError = toAppError(error, context.requestId);
      if (appError.code === "forbidden" && principal) await recordDenial(principal, req, context, appError);
      return problemResponse(appError, context.requestId);
    }
  };
}

export async function recordDenial(
  principal: Principal,
  req: NextRequest,
  context: RequestContext,
  error: AppError,
) {
  await recordAuditFailure({
    action: "access.denied",
    outcome: "denied",
    actor: auditActor(principal),
    context,
    details: { method: req.method, path: req.nextUrl.pathname, reason: error.message },
  }).catch((failure: unknown) => console.error(`[${context.requestId}] could not record a denial:`, failure));
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { ...init, headers });
}
