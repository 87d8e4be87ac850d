import { randomBytes } from "node:crypto";

import { BUILT_IN_API_ID } from "../lib/apis/built-in-api.ts";
import { createResourceServerCredential } from "../lib/resource-servers/manage-credentials.ts";
import { POST as introspectRoute } from "../app/api/oauth/introspect/route.ts";
import { basic } from "./credentials.ts";
import { makePrincipal, TEST_CONTEXT } from "./factories.ts";
import { call } from "./requests.ts";

/** A resource-server credential of the API (Keyward's own by default), made by an administrator. */
export async function makeResourceServer(apiId: string = BUILT_IN_API_ID) {
  const { principal } = await makePrincipal(["admin"]);
  const made = await createResourceServerCredential({
    actor: principal,
    apiId,
    name: `rs ${randomBytes(3).toString("hex")}`,
    context: TEST_CONTEXT,
  });
  return { ...made, authorization: basic(made.clientId, made.clientSecret) };
}

/** Calls the real introspection endpoint with HTTP Basic authentication. */
export async function introspectAs(authorization: string | undefined, token: string) {
  return call(introspectRoute, {
    method: "POST",
    path: "/api/oauth/introspect",
    headers: {
      ...(authorization ? { authorization } : {}),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token }).toString(),
  });
}
