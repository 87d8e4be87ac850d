import { isConfidential } from "../apps/app-schemas.ts";
import { verifyAppSecret } from "../apps/verify-app-secret.ts";
import type { RequestContext } from "../auth/principal.ts";
import { type ClientState, verifyClientSecret } from "../clients/verify-client-secret.ts";
import { db } from "../db/client.ts";
import { limiter } from "../limits/limiter.ts";
import { countLimiterRejection, countVerification } from "../observability/metrics.ts";
import { notePrincipal } from "../observability/request-principal.ts";
import {
  type ResourceServerState,
  verifyResourceServerSecret,
} from "../resource-servers/verify-credential.ts";
import { OAuthError } from "./oauth-error.ts";

// A 131-bit secret cannot be guessed: this limit is against floods, so per instance, in memory (no
// database read on every token request).
const FAILURES = { name: "oauth-client-failures", points: 20, durationSeconds: 60, store: "memory" } as const;

type Form = { get(name: string): string | undefined };

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/** RFC 6749 §2.3.1: client_secret_basic (id and secret form-encoded, then Base64) or client_secret_post. */
function presentedCredentials(req: Request, form: Form): { clientId: string; secret: string } {
  const header = req.headers.get("authorization");
  const formId = form.get("client_id");
  const formSecret = form.get("client_secret");
  if (header !== null) {
    if (formSecret !== undefined) {
      throw new OAuthError(
        "invalid_request",
        "Authenticate the client one way only: HTTP Basic or form fields.",
      );
    }
    const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
    if (!match?.[1])
      throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic.");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1)
      throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic.");
    try {
      const clientId = formDecode(decoded.slice(0, colon));
      if (formId !== undefined && formId !== clientId) {
        throw new OAuthError(
          "invalid_request",
          "client_id differs from the one in the Authorization header.",
        );
      }
      return { clientId, secret: formDecode(decoded.slice(colon + 1)) };
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic.");
    }
  }
  if (!formId || !formSecret) {
    throw new OAuthError("invalid_client", "Authenticate the client with its client_id and client_secret.");
  }
  return { clientId: formId, secret: formSecret };
}

/** The authenticated, enabled client making an OAuth request, or an OAuthError saying why not. */
export async function authenticateClient(
  req: Request,
  form: Form,
  context: RequestContext,
): Promise<ClientState> {
  const client = await authenticated(req, form, context, async (clientId, secret) => {
    const client = await verifyClientSecret(clientId, secret);
    countVerification("client_secret", client !== null && !client.disabled);
    if (client?.disabled) throw new OAuthError("invalid_client", "The client is disabled.");
    return client;
  });
  // The token endpoint's caller, for the access log (scripts/server.js).
  notePrincipal(context.requestId, { kind: "client", id: client.clientId });
  return client;
}

/** The client id a request presents (HTTP Basic or the form), unchecked: which kind of client asks. */
export function presentedClientId(req: Request, form: Form): string | undefined {
  try {
    return presentedCredentials(req, form).clientId;
  } catch {
    return form.get("client_id");
  }
}

/**
 * An application of the OpenID provider: a confidential one authenticating with its client secret,
 * checked by Keyward (lib/apps/verify-app-secret.ts); a public one (single-page or native: it has
 * no secret) by its client_id alone, as RFC 7009 §2.1 and RFC 6749 §2.3 have public clients
 * identify themselves. A confidential app presenting no secret, or an unknown id, is invalid_client.
 */
export async function authenticateApp(
  req: Request,
  form: Form,
  context: RequestContext,
): Promise<{ appId: string; appName: string }> {
  const find = (id: string) =>
    db.application.findUnique({ where: { id }, select: { id: true, name: true, kind: true } });
  const publicId =
    req.headers.get("authorization") === null && form.get("client_secret") === undefined
      ? form.get("client_id")
      : undefined;
  if (publicId !== undefined) {
    return authenticated(
      req,
      form,
      context,
      async (clientId) => {
        const app = clientId.length <= 64 ? await find(clientId) : null;
        return app && !isConfidential(app.kind) ? { appId: app.id, appName: app.name } : null;
      },
      { publicClient: true },
    );
  }
  return authenticated(req, form, context, async (clientId, secret) => {
    if (!(await verifyAppSecret(clientId, secret))) return null;
    const app = await find(clientId);
    return app ? { appId: app.id, appName: app.name } : null;
  });
}

/**
 * RFC 7662 §2.1: the resource-server credential making an introspection request (Basic or form
 * fields, as for clients), or invalid_client. An ordinary API client is refused like any unknown
 * credential: introspection answers an API about its own tokens, and only its own credential asks.
 */
export async function authenticateResourceServer(
  req: Request,
  form: Form,
  context: RequestContext,
): Promise<ResourceServerState> {
  return authenticated(req, form, context, (clientId, secret) =>
    verifyResourceServerSecret(clientId, secret),
  );
}

/** The presented id and secret checked by `verify`, with the per-address limit on failures. */
async function authenticated<T>(
  req: Request,
  form: Form,
  context: RequestContext,
  verify: (clientId: string, secret: string) => Promise<T | null>,
  options: { publicClient?: boolean } = {},
): Promise<T> {
  const failures = limiter(FAILURES);
  const key = context.ip || "unknown";
  const blocked = await failures.peek(key);
  if (!blocked.allowed) {
    countLimiterRejection(FAILURES.name);
    throw new OAuthError(
      "invalid_client",
      "Too many failed client authentications from this address: try again later.",
      429,
      blocked.retryAfterSeconds,
    );
  }
  try {
    const { clientId, secret } = options.publicClient
      ? { clientId: form.get("client_id") ?? "", secret: "" }
      : presentedCredentials(req, form);
    const verified = clientId.length <= 64 ? await verify(clientId, secret) : null;
    if (!verified) throw new OAuthError("invalid_client", "Client authentication failed.");
    return verified;
  } catch (error) {
    if (error instanceof OAuthError && error.error === "invalid_client") await failures.consume(key);
    throw error;
  }
}
