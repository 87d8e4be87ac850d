/**
 * OAuth endpoints answer RFC 6749 §5.2 error JSON, not problem+json: clients and libraries expect
 * these names. 400 unless stated; invalid_client is 401 with a WWW-Authenticate challenge.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  /** RFC 8707 §2: a `resource` that is not an absolute URI, or not allowed. */
  | "invalid_target"
  /** RFC 7009 §2.2.1 */
  | "unsupported_token_type"
  /** RFC 9449 §5: the DPoP proof is missing where required, or invalid. */
  | "invalid_dpop_proof"
  /** RFC 9449 §8: the proof must carry the nonce in this response's DPoP-Nonce header. */
  | "use_dpop_nonce";

/** What a token-endpoint refusal was about, for its audit event (never sent to the caller). */
export type OAuthErrorSubject = { id: string; name: string };

/** Explicit fields, not parameter properties: scripts/server.js loads lib/ by type stripping (ADR 0012). */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  readonly retryAfterSeconds?: number;
  override name = "OAuthError";
  /** The API the request was refused at, once known: the event shows on that API's page. */
  api?: OAuthErrorSubject;
  /** The authenticated client that was refused: the event's actor. */
  client?: OAuthErrorSubject;
  /** Response headers the error needs (RFC 9449 §8: `DPoP-Nonce`). */
  headers: Record<string, string> = {};
  constructor(
    error: OAuthErrorCode,
    description: string,
    status = error === "invalid_client" ? 401 : 400,
    retryAfterSeconds?: number,
  ) {
    super(description);
    this.error = error;
    this.description = description;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Marks the refusal as one at this API (chainable at the throw). */
  at(api: OAuthErrorSubject): this {
    this.api ??= { id: api.id, name: api.name };
    return this;
  }
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

export function oauthJson(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...NO_STORE, ...extra },
  });
}

export function oauthErrorResponse(error: OAuthError): Response {
  const headers: Record<string, string> = { ...error.headers };
  if (error.error === "invalid_client")
    headers["www-authenticate"] = 'Basic realm="keyward", charset="UTF-8"';
  if (error.retryAfterSeconds) headers["retry-after"] = String(error.retryAfterSeconds);
  return oauthJson({ error: error.error, error_description: error.description }, error.status, headers);
}
