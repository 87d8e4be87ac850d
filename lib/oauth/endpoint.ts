import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext } from "../auth/principal.ts";
import { requestContext } from "../http/request-context.ts";
import { OAuthError, oauthErrorResponse, oauthJson } from "./oauth-error.ts";

type Handler = (args: { req: Request; context: RequestContext }) => Promise<Response>;

/**
 * The wrapper of the OAuth endpoints (token, introspection, revocation): they authenticate the
 * client themselves (RFC 6749 §2.3) and answer RFC 6749 error JSON. Failures of the token endpoint
 * are audited (throttled); an unexpected error is a bare 500 with the request id in the log only.
 */
export function oauthEndpoint(endpoint: "token" | "introspect" | "revoke", handler: Handler) {
  return async (req: Request): Promise<Response> => {
    const context = requestContext(req.headers);
    try {
      return await handler({ req, context });
    } catch (error) {
      if (error instanceof OAuthError) {
        // A nonce handed out is the protocol's first round trip (RFC 9449 §8), not a failure.
        if (endpoint === "token" && error.error !== "use_dpop_nonce") await auditFailure(error, context);
        return oauthErrorResponse(error);
      }
      console.error(`[${context.requestId}] ${endpoint} endpoint failed:`, error);
      return oauthJson(
        { error: "server_error", error_description: `Quote request id ${context.requestId}.` },
        500,
      );
    }
  };
}

async function auditFailure(error: OAuthError, context: RequestContext): Promise<void> {
  await recordAuditFailure({
    action: "oauth.token_failed",
    actor: error.client
      ? { kind: "client", id: error.client.id, display: error.client.name }
      : { kind: "anonymous" },
    ...(error.api ? { target: { kind: "api", id: error.api.id, display: error.api.name } } : {}),
    context,
    details: { error: error.error, description: error.description },
  }).catch((failure: unknown) =>
    console.error(`[${context.requestId}] could not audit a token failure:`, failure),
  );
}
