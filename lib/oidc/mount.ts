import { hkdfSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import type Provider from "oidc-provider";

import { getConfig } from "../config/env.ts";
import { serverMetadata } from "../oauth/metadata.ts";
import { providerSigningKeys } from "../oauth/signing-keys.ts";
import { PROVIDER_GRANTS, tokenEndpoint } from "../oauth/token-endpoint.ts";
import { buildProvider, OIDC_ROUTES } from "./provider.ts";
import { countTokenIssued } from "../observability/metrics.ts";
import { dpopNonceSecret } from "../dpop/nonce.ts";

/**
 * The OpenID provider as scripts/server.js serves it (ADR 0012, "Dispatch in server.js"): which
 * requests are its, the one live instance per process (rebuilt when the signing keys change, on
 * any instance, through the change feed), and the token endpoint split by grant type.
 */
type Live = { provider: Provider; version: string; handler: ReturnType<Provider["callback"]> };
const store = globalThis as typeof globalThis & {
  __keywardOidc?: Live;
  __keywardOidcBuilding?: Promise<Live>;
};

/** Signs the provider's cookies: derived from the session secret, so every instance agrees. */
function cookieKeys(): string[] {
  const key = hkdfSync("sha256", getConfig().sessionSecret, "", "keyward oidc cookies", 32);
  return [Buffer.from(key).toString("base64url")];
}

/** The live provider, built on first use and again when the signing keys have changed. */
export async function liveProvider(): Promise<Live> {
  const { keys } = await providerSigningKeys();
  // By value: Next's bundle of lib/ and server.js's own load share this instance through
  // globalThis but not their module caches, so neither may rebuild what the other built.
  const version = keys.map((key) => `${key.kid}:${(key.key_ops ?? []).join("+")}`).join(",");
  const live = store.__keywardOidc;
  if (live && live.version === version) return live;
  const building = store.__keywardOidcBuilding;
  if (building) return building;
  const next = (async () => {
    const provider = buildProvider({
      issuer: getConfig().issuer,
      keys,
      cookieKeys: cookieKeys(),
      dpopNonceSecret: dpopNonceSecret(),
      metadata: serverMetadata,
      backchannelToPrivateNetworks: process.env.KEYWARD_BACKCHANNEL_PRIVATE === "1",
    });
    // Refusals name their reason in the library's `error_detail`, never a secret: for operators.
    provider.on("grant.error", (ctx, error: { error?: string; error_detail?: string; message: string }) => {
      console.warn(
        `[${String(ctx.get("x-request-id"))}] token request refused: ${error.error ?? "error"} (${error.error_detail ?? error.message})`,
      );
    });
    // Code exchanges and refreshes the provider answered (client credentials are Keyward's own).
    provider.on("grant.success", (ctx) => {
      const grant = ctx.oidc.params?.grant_type;
      if (grant === "authorization_code" || grant === "refresh_token") countTokenIssued(grant);
    });
    provider.on("server_error", (ctx, error: Error) => {
      console.error(`[${String(ctx.get("x-request-id"))}] the OpenID provider failed:`, error);
    });
    const built = { provider, version, handler: provider.callback() };
    // Requests already inside the old instance finish there; the next ones see this one.
    store.__keywardOidc = built;
    return built;
  })().finally(() => {
    store.__keywardOidcBuilding = undefined;
  });
  store.__keywardOidcBuilding = next;
  return next;
}

/** The live provider for Keyward's interaction pages (app/interaction), which Next serves. */
export async function currentProvider(): Promise<Provider> {
  return (await liveProvider()).provider;
}

const PROVIDER_PATHS: ReadonlyArray<[RegExp, ReadonlySet<string>]> = [
  // GET only: the library's POST authorization and logout requests (enableHttpPostMethods) are
  // off, since the provider's SameSite=Lax cookies do not come with a cross-site POST.
  [/^\/oidc\/auth$/, new Set(["GET"])],
  // The resume after an interaction: /oidc/auth/<uid>.
  [/^\/oidc\/auth\/[\w-]{1,64}$/, new Set(["GET"])],
  [/^\/oidc\/me$/, new Set(["GET", "POST", "OPTIONS"])],
  [/^\/oidc\/session\/end$/, new Set(["GET"])],
  [/^\/oidc\/session\/end\/confirm$/, new Set(["POST"])],
  [/^\/oidc\/session\/end\/success$/, new Set(["GET"])],
  [/^\/\.well-known\/openid-configuration$/, new Set(["GET", "OPTIONS"])],
  [/^\/\.well-known\/oauth-authorization-server$/, new Set(["GET", "OPTIONS"])],
];

/**
 * Whether a request is the provider's (`provider`), the shared token endpoint's (`token`), or
 * Next's (null). An explicit list: a path the provider would also answer but Keyward does not
 * offer (its own introspection, registration, …) never reaches it.
 */
export function oidcTarget(method: string, path: string): "provider" | "token" | null {
  if (path === OIDC_ROUTES.token) return method === "POST" || method === "OPTIONS" ? "token" : null;
  for (const [pattern, methods] of PROVIDER_PATHS) {
    if (pattern.test(path)) return methods.has(method) ? "provider" : null;
  }
  return null;
}

/** What the token endpoint reads at most (lib/http/read-form.ts MAX_FORM_BYTES, the same bound). */
const MAX_TOKEN_BODY = 16 * 1024;

/** Serves a request oidcTarget() claimed. Never throws: a failure is a bare 500 logged by id. */
export async function serveOidc(
  target: "provider" | "token",
  req: IncomingMessage & { body?: Buffer },
  res: ServerResponse,
): Promise<void> {
  const requestId = String(req.headers["x-request-id"] ?? "");
  try {
    const live = await liveProvider();
    // RFC 8414 and OpenID Discovery say the same (lib/oidc/discovery.ts): one document.
    if (req.url?.startsWith("/.well-known/oauth-authorization-server")) {
      req.url = req.url.replace("oauth-authorization-server", "openid-configuration");
    }
    if (target === "token" && req.method === "POST") {
      const body = await readBody(req);
      if (body === null) return tooLarge(res);
      const grants = new URLSearchParams(body.toString("utf8")).getAll("grant_type");
      if (grants.length !== 1 || !PROVIDER_GRANTS.has(grants[0] ?? "")) {
        return await answer(res, await tokenEndpoint(toRequest(req, body)));
      }
      // The provider parses a consumed stream's `req.body` (lib/shared/selective_body.js).
      req.body = body;
    }
    await live.handler(req, res);
  } catch (error) {
    console.error(`[${requestId}] the OpenID provider failed:`, error);
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ error: "server_error", error_description: `Quote request id ${requestId}.` }));
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TOKEN_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(res: ServerResponse): void {
  res.writeHead(400, {
    "content-type": "application/json",
    "cache-control": "no-store",
    connection: "close",
  });
  res.end(JSON.stringify({ error: "invalid_request", error_description: "The request body is too large." }));
}

function toRequest(req: IncomingMessage, body: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Request(new URL(req.url ?? "/", getConfig().publicUrl), {
    method: "POST",
    headers,
    body: new Uint8Array(body),
  });
}

async function answer(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
