import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { heldAmong } from "../apis/holdings.ts";
import { cachedCredential, type CredentialTag } from "../credentials/credential-cache.ts";
import { dbPool } from "../db/client.ts";
import { clientTags, type ClientState } from "./verify-client-secret.ts";

/**
 * What a client may be granted at each API other than Keyward's own, as the token endpoint needs it
 * on every request: the APIs it is allowed permissions of, and for each allowed permission whether
 * it is deprecated and whether the client's owner holds it now (roles or Administrator; owning the
 * API does not count, the client acts for its owner). Keyward's own scopes are on the client's
 * state already (ClientState.effectiveScopes).
 *
 * Cached like the client itself and forgotten when any of it changes: the client (`client:<id>`:
 * edited, disabled, deleted, reassigned), its owner (`user:<id>`: roles assigned or removed,
 * disabled; a role edit forgets everything), or the registry (`apis`: an API or permission added,
 * edited, deprecated, disabled or removed).
 */
export type ClientApiGrant = {
  api: {
    id: string;
    name: string;
    identifier: string;
    disabled: boolean;
    accessTokenTtlSeconds: number;
    requireDpop: boolean;
  };
  /** Sorted by name. */
  permissions: { id: string; name: string; deprecated: boolean; held: boolean }[];
};

type Row = {
  id: string;
  name: string;
  deprecated: boolean;
  api_id: string;
  api_name: string;
  identifier: string;
  api_disabled: boolean;
  ttl: number;
  require_dpop: boolean;
};

/** The client's allowed permissions outside Keyward's own API, with their APIs: one index walk. */
const GRANTS_SQL = `
  SELECT p.id, p.name, p."deprecatedAt" IS NOT NULL AS deprecated, a.id AS api_id, a.name AS api_name,
         a.identifier, a."disabledAt" IS NOT NULL AS api_disabled, a."accessTokenTtlSeconds" AS ttl,
         a."requireDpop" AS require_dpop
  FROM "ApiClientPermission" g JOIN "ApiPermission" p ON p.id = g."permissionId" JOIN "Api" a ON a.id = p."apiId"
  WHERE g."clientId" = $1 AND p."apiId" <> $2
  ORDER BY a.identifier, p.name`;

async function load(client: ClientState): Promise<ClientApiGrant[]> {
  const { rows } = await dbPool().query<Row>(GRANTS_SQL, [client.clientId, BUILT_IN_API_ID]);
  const held =
    client.ownerId && client.ownerActive && rows.length > 0
      ? await heldAmong(
          client.ownerId,
          rows.map((row) => row.id),
        )
      : new Set<string>();
  const byApi = new Map<string, ClientApiGrant>();
  for (const row of rows) {
    let grant = byApi.get(row.api_id);
    if (!grant) {
      grant = {
        api: {
          id: row.api_id,
          name: row.api_name,
          identifier: row.identifier,
          disabled: row.api_disabled,
          accessTokenTtlSeconds: row.ttl,
          requireDpop: row.require_dpop,
        },
        permissions: [],
      };
      byApi.set(row.api_id, grant);
    }
    grant.permissions.push({
      id: row.id,
      name: row.name,
      deprecated: row.deprecated,
      held: held.has(row.id),
    });
  }
  return [...byApi.values()];
}

/** The client's grants at every API other than Keyward's own (cached; see above). */
export async function clientApiGrants(client: ClientState): Promise<ClientApiGrant[]> {
  const tags: CredentialTag[] = [...clientTags(client), "apis"];
  const grants = await cachedCredential(
    `client-apis:${client.clientId}:${client.ownerId ?? ""}:${client.ownerActive ? 1 : 0}`,
    async () => ({ value: await load(client), tags }),
  );
  return grants ?? [];
}

const DEFINED_SQL = `SELECT name FROM "ApiPermission" WHERE "apiId" = $1 AND name = ANY($2::text[])`;

/** Which of these names API `apiId` defines (only asked when a request names a scope it may not have). */
export async function definedAt(apiId: string, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const { rows } = await dbPool().query<{ name: string }>(DEFINED_SQL, [apiId, [...new Set(names)]]);
  return new Set(rows.map((row) => row.name));
}
