import type { Principal } from "../auth/principal.ts";
import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import type { Db, Tx } from "../db/client.ts";
import { Forbidden, NotFound } from "../errors/app-error.ts";
import { can } from "../policy/authorize.ts";

export type CredentialApi = { id: string; name: string; identifier: string; ownerId: string | null };

/** Whether the actor may create, rotate and revoke this API's credentials (the rule below). */
export function mayManageResourceServerCredentials(
  actor: Principal,
  api: { id: string; ownerId: string | null },
): boolean {
  const owner = actor.kind === "user" && api.id !== BUILT_IN_API_ID && api.ownerId === actor.userId;
  return owner || can(actor, "apis.write");
}

/**
 * Who may see and manage an API's resource-server credentials: `apis.read` (see) or `apis.write`
 * (manage) for every API, and an API's owner for their own, in a signed-in session (a bearer
 * credential acts by its scopes alone, as for grants: lib/apis/holdings.ts). Keyward's own API has
 * no owner: only `apis.write` makes credentials that can introspect its tokens.
 */
export async function credentialApi(
  tx: Db | Tx,
  actor: Principal,
  apiId: string,
  mode: "read" | "write",
): Promise<CredentialApi> {
  const api = await tx.api.findUnique({
    where: { id: apiId },
    select: { id: true, name: true, identifier: true, ownerId: true },
  });
  if (!api) throw NotFound("API");
  if (mayManageResourceServerCredentials(actor, api)) return api;
  if (mode === "read" && can(actor, "apis.read")) return api;
  throw Forbidden(
    mode === "read"
      ? "Seeing an API's resource-server credentials needs apis.read, or owning the API."
      : api.id === BUILT_IN_API_ID
        ? "Only apis.write manages the resource-server credentials of Keyward's own API."
        : "Managing an API's resource-server credentials needs apis.write, or owning the API.",
  );
}
