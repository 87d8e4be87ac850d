import { cachedCredential } from "../credentials/credential-cache.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { dbPool } from "../db/client.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";

/** A registered API as token issuance sees it: the audience of a token, and its lifetime. */
export type ApiAudience = {
  id: string;
  name: string;
  identifier: string;
  builtIn: boolean;
  disabled: boolean;
  accessTokenTtlSeconds: number;
  /** RFC 9449: only DPoP-bound tokens are issued for it (and active at its introspection). */
  requireDpop: boolean;
};

type Row = {
  id: string;
  name: string;
  identifier: string;
  disabled: boolean;
  access_token_ttl_seconds: number;
  require_dpop: boolean;
};

const BY_IDENTIFIER_SQL = `
  SELECT id, name, identifier, "disabledAt" IS NOT NULL AS disabled,
         "accessTokenTtlSeconds" AS access_token_ttl_seconds, "requireDpop" AS require_dpop
  FROM "Api" WHERE identifier = $1`;

/**
 * The registered API whose identifier is exactly `identifier` (RFC 8707: the resource indicator is
 * compared as a string), or null. Cached like credentials, forgotten on any change to the registry
 * (tag `apis`): issuance asks this on every token request.
 */
export async function apiByIdentifier(identifier: string): Promise<ApiAudience | null> {
  return cachedCredential(`api:${sha256Hex(identifier)}`, async () => {
    const { rows } = await dbPool().query<Row>(BY_IDENTIFIER_SQL, [identifier]);
    const row = rows[0];
    if (!row) return null;
    return {
      value: {
        id: row.id,
        name: row.name,
        identifier: row.identifier,
        builtIn: row.id === BUILT_IN_API_ID,
        disabled: row.disabled,
        accessTokenTtlSeconds: row.access_token_ttl_seconds,
        requireDpop: row.require_dpop,
      },
      tags: ["apis"],
    };
  });
}
