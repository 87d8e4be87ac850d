import { randomBytes } from "node:crypto";

import { BUILT_IN_API_ID } from "../lib/apis/built-in-api.ts";
import { credentialsChanged } from "../lib/credentials/change-feed.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { createResourceServerCredential } from "../lib/resource-servers/manage-credentials.ts";
import { POST as introspectRoute } from "../app/api/oauth/introspect/route.ts";
import { basic } from "./credentials.ts";
import { makePrincipal, TEST_CONTEXT } from "./factories.ts";
import { call } from "./requests.ts";

/**
 * A registered API with these permissions, made as rows (the registry's own domain functions are
 * lib/apis'): ids of its permission rows by name. `identifier` defaults to a unique URI.
 */
export async function makeApi(
  permissions: string[],
  options: { name?: string; ownerId?: string; allowPersonalTokens?: boolean; disabled?: boolean } = {},
) {
  const suffix = randomBytes(4).toString("hex");
  const id = newId("api");
  const api = await db.$transaction(async (tx) => {
    const created = await tx.api.create({
      data: {
        id,
        name: options.name ?? `Test API ${suffix}`,
        identifier: `https://${suffix}.api.example.test/`,
        ownerId: options.ownerId ?? null,
        allowPersonalTokens: options.allowPersonalTokens ?? true,
        disabledAt: options.disabled ? new Date() : null,
        permissions: { create: permissions.map((name) => ({ id: newId("perm"), name })) },
      },
      include: { permissions: true },
    });
    await credentialsChanged(tx, ["apis"]);
    return created;
  });
  const permissionIds = Object.fromEntries(api.permissions.map((p) => [p.name, p.id])) as Record<
    string,
    string
  >;
  return { ...api, permissionIds };
}

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
