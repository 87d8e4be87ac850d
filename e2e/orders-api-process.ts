import { getConfig } from "../lib/config/env.ts";
import { startExample, type ExampleProcess } from "./example-process";

/** The example resource server (examples/orders-api), running; `stop` ends it. */
export type OrdersApiProcess = ExampleProcess;

/**
 * Starts examples/orders-api/server.mjs against the Keyward under test, as an API's operator would
 * run it: on a free port, for this audience, introspecting with this resource-server credential.
 * The introspection cache is off, so a revocation or a lost role shows at the next request.
 */
export async function startOrdersApi(options: {
  audience: string;
  clientId: string;
  clientSecret: string;
  /** RFC 9470: placing an order needs a user's sign-in at most this old (seconds). */
  stepUpMaxAge?: number;
  /** RFC 9449: only DPoP-bound tokens, each with a proof. */
  requireDpop?: boolean;
}): Promise<OrdersApiProcess> {
  const base = String(process.env.E2E_BASE_URL).replace(/\/+$/, "");
  return startExample("orders-api", {
    ISSUER: getConfig().issuer,
    JWKS_URL: `${base}/api/oauth/jwks`,
    AUDIENCE: options.audience,
    INTROSPECTION_URL: `${base}/api/oauth/introspect`,
    RS_CLIENT_ID: options.clientId,
    RS_CLIENT_SECRET: options.clientSecret,
    INTROSPECTION_CACHE_SECONDS: "0",
    ...(options.stepUpMaxAge === undefined ? {} : { STEP_UP_MAX_AGE: String(options.stepUpMaxAge) }),
    ...(options.requireDpop ? { REQUIRE_DPOP: "1" } : {}),
  });
}

/**
 * A call to the Orders API's one resource, as its client would make it: Bearer, or DPoP with the
 * proof given (RFC 9449 §7.1).
 */
export async function callOrders(url: string, method: "GET" | "POST", token?: string, dpopProof?: string) {
  const response = await fetch(`${url}/orders`, {
    method,
    headers: token
      ? dpopProof
        ? { authorization: `DPoP ${token}`, dpop: dpopProof }
        : { authorization: `Bearer ${token}` }
      : {},
  });
  return { status: response.status, challenge: response.headers.get("www-authenticate") ?? "" };
}
