import type { NextRequest } from "next/server";
import type { z } from "zod";

import { needsStepUp, type Operation } from "../api/operation.ts";
import { builtInPermissionId } from "../apis/built-in-api.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { resolveBearer } from "../auth/resolve-bearer.ts";
import { resolvePrincipal } from "../auth/resolve-principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { notePermissionUse } from "../credentials/permission-use.ts";
import { AppError, EnrollmentRequired, RateLimited, Unauthenticated } from "../errors/app-error.ts";
import { consumeApiRequest, rateLimitHeaders } from "../limits/api-limits.ts";
import { notePrincipal } from "../observability/request-principal.ts";
import { authorize } from "../policy/authorize.ts";
import { assertNoNul } from "./no-nul.ts";
import { readJsonBody } from "./read-body.ts";
import { problemResponse, toAppError } from "./problem.ts";
import { requestContext } from "./request-context.ts";
import { recordDenial } from "./route.ts";
import { getConfig } from "../config/env.ts";
import { withHeardChanges } from "../credentials/change-feed.ts";

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type ApiHandlerArgs<O extends Operation> = {
  req: NextRequest;
  principal: O["permission"] extends "public" ? null : Principal;
  params: Out<O["params"]>;
  query: Out<O["query"]>;
  body: Out<O["body"]>;
  context: RequestContext;
};

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** Query strings to plain objects: a repeated key becomes an array. */
function queryObject(url: URL): Record<string, string | string[]> {
  // fromEntries defines own properties: a key named "__proto__" cannot set the object's prototype.
  const out: Record<string, string | string[]> = Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((key) => {
      const values = url.searchParams.getAll(key);
      return [key, values.length > 1 ? values : (values[0] ?? "")];
    }),
  );
  assertNoNul(out, "(query)");
  return out;
}

/**
 * The wrapper of every /api/v1 route, built from its operation: resolve the caller (a bearer
 * credential, or the browser's session), count the credential's request against its limit, check
 * the permission, ask for a fresh sign-in (or refuse a bearer credential) where the operation is
 * declared sensitive, validate path, query and body with the operation's schemas, call the handler,
 * map every error to problem+json. The same domain functions and checks as the UI.
 */
export function apiRoute<O extends Operation>(
  op: O,
  handler: (args: ApiHandlerArgs<O>) => Promise<Response>,
) {
  return async (req: NextRequest, routeContext: RouteContext): Promise<Response> => {
    const context = requestContext(req.headers);
    let principal: Principal | null = null;
    let limitHeaders: Record<string, string> = {};
    try {
      if (op.permission !== "public") {
        const authorization = req.headers.get("authorization");
        if (authorization !== null) {
          principal = await resolveBearer(authorization, context.ip, {
            proof: req.headers.get("dpop"),
            method: req.method,
            // The URL the client called (RFC 9449 §4.3 htu): Keyward's public origin, not the Host.
            url: `${getConfig().publicUrl.origin}${req.nextUrl.pathname}`,
          });
          notePrincipal(context.requestId, principal);
          const key =
            principal.kind === "token" ? `token:${principal.tokenId}` : `client:${principal.clientId}`;
          const limit = await consumeApiRequest(key);
          limitHeaders = rateLimitHeaders(limit);
          if (!limit.allowed)
            throw RateLimited(limit.resetSeconds, "This credential has made too many requests: slow down.");
        } else {
          principal = await resolvePrincipal(req.cookies);
          notePrincipal(context.requestId, principal);
          if (!principal) throw Unauthenticated();
          if (principal.mustEnrollMfa) throw EnrollmentRequired();
        }
        if (op.permission !== "authenticated") authorize(principal, op.permission);
        // The declaration is the check (before any input is read), so an operation cannot be
        // documented as sensitive and be reachable without the proof; the domain checks again.
        if (op.session) await assertFreshSession(principal);
        else if (needsStepUp(op)) await assertRecentAuth(principal);
        // The one permission this request used (least privilege, issue 17), once every check has
        // let it through: counted in memory, written in batches. A person's session is not a
        // credential that could be narrowed.
        if (op.permission !== "authenticated" && principal.kind !== "user") {
          const credentialId = principal.kind === "token" ? principal.tokenId : principal.clientId;
          notePermissionUse(principal.kind, credentialId, [builtInPermissionId(op.permission)]);
        }
      }
      const params = op.params ? op.params.parse((await routeContext?.params) ?? {}) : undefined;
      const query = op.query ? op.query.parse(queryObject(req.nextUrl)) : undefined;
      const body = op.body ? op.body.parse(await readJsonBody(req, op.maxBodyBytes)) : undefined;
      const response = await withHeardChanges(() =>
        handler({ req, principal, params, query, body, context } as ApiHandlerArgs<O>),
      );
      for (const [name, value] of Object.entries(limitHeaders)) response.headers.set(name, value);
      return response;
    } catch (error) {
      const appError = withChallenge(toAppError(error, context.requestId), principal);
      if ((appError.code === "forbidden" || appError.code === "session_required") && principal)
        await recordDenial(principal, req, context, appError);
      const response = problemResponse(appError, context.requestId);
      for (const [name, value] of Object.entries(limitHeaders)) response.headers.set(name, value);
      return response;
    }
  };
}

/** RFC 6750 §3.1: a bearer credential lacking a permission is told `insufficient_scope`. */
function withChallenge(error: AppError, principal: Principal | null): AppError {
  if (error.code !== "forbidden" || !principal || principal.kind === "user" || error.extra.challenge)
    return error;
  return new AppError(error.code, error.message, {
    ...error.extra,
    challenge: 'Bearer realm="keyward", error="insufficient_scope"',
  });
}
