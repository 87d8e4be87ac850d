import type { UserPrincipal } from "../lib/auth/principal.ts";
import { createClient } from "../lib/clients/manage-clients.ts";
import type { Permission } from "../lib/policy/permissions.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { POST as tokenEndpoint } from "../app/api/oauth/token/route.ts";
import { call } from "./requests.ts";
import { makePrincipal, makeRole, TEST_CONTEXT } from "./factories.ts";
import type { BuiltInRoleKey } from "../lib/policy/built-in-roles.ts";

/** A signed-in user holding exactly these permissions (through a custom role) plus tokens.create. */
export async function developerWith(permissions: Permission[], roles: BuiltInRoleKey[] = []) {
  const role = await makeRole([...new Set<Permission>(["tokens.create", "clients.write", ...permissions])]);
  const made = await makePrincipal(roles, [role.id]);
  return { ...made, role };
}

export async function mintTestToken(
  principal: UserPrincipal,
  scopes: Permission[],
  expiration: "7" | "30" | "60" | "90" = "30",
) {
  return mintToken({
    actor: principal,
    name: `token ${Math.random()}`,
    scopes,
    expiration,
    context: TEST_CONTEXT,
  });
}

export async function makeTestClient(principal: UserPrincipal, scopes: Permission[]) {
  return createClient({
    actor: principal,
    name: `client ${Math.random()}`,
    description: "",
    scopes,
    context: TEST_CONTEXT,
  });
}

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** Calls the real token endpoint with HTTP Basic client authentication. */
export async function requestClientToken(
  clientId: string,
  secret: string,
  params: Record<string, string> = {},
) {
  return call(tokenEndpoint, {
    method: "POST",
    path: "/api/oauth/token",
    headers: { authorization: basic(clientId, secret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", ...params }).toString(),
  });
}

export async function clientAccessToken(
  clientId: string,
  secret: string,
  params: Record<string, string> = {},
) {
  const response = await requestClientToken(clientId, secret, params);
  if (response.status !== 200)
    throw new Error(`token endpoint said ${response.status}: ${JSON.stringify(response.body)}`);
  return String(response.body.access_token);
}
