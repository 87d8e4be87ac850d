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
  });
}

/** A call to the Orders API's one resource, as its client would make it. */
export async function callOrders(url: string, method: "GET" | "POST", token?: string) {
  const response = await fetch(`${url}/orders`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, challenge: response.headers.get("www-authenticate") ?? "" };
}
