import type { Principal } from "../auth/principal.ts";
import { EPOCH_MS } from "../credentials/owner-permissions-sql.ts";
import { db, dbPool } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import type { ListApiCredentialsInput } from "./api-schemas.ts";
import { maySeeApi } from "./list-apis.ts";

/**
 * The API inventory (issue 14 §7): which credentials hold an API's permissions, and when each was
 * last seen there. "Seen" is what Keyward can see: a client getting a token for the API (the API
 * verifies its JWTs alone) or having one introspected by it, a personal token introspected by the
 * API, a request to Keyward's own API. Read from the batched per-API last-use rows
 * (lib/credentials/last-used.ts), so it can lag a few seconds and notes a use at most once a minute.
 */
export type ApiCredentialView = {
  kind: "token" | "client";
  id: string;
  name: string;
  /** A token's owner, a client's accountable owner; null once the owner is deleted. */
  owner: { id: string; name: string; email: string } | null;
  /** The names of this API's permissions it holds (as stored: its owner may hold fewer now). */
  permissions: string[];
  /** A client that is switched off (tokens listed are live: revoked and expired ones hold nothing). */
  disabled: boolean;
  expiresAt: Date | null;
  /** Its last use at this API; null when never seen there. */
  lastUsedAt: Date | null;
};

/** Keyward's clock in SQL, as Prisma stores time: UTC `timestamp(3)`. */
const NOW = "(to_timestamp($2 / 1000.0) AT TIME ZONE 'UTC')";
const LIVE_TOKEN = `t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > ${NOW})`;

/** Live tokens and all clients holding at least one permission of API $1. */
const HELD_SQL = `
  SELECT 'token'::text AS kind, t.id, t.name, t."userId" AS owner_id,
         ${EPOCH_MS('t."expiresAt"')} AS expires_ms, NULL::float8 AS disabled_ms,
         array_agg(p.name ORDER BY p.name) AS permissions, ${EPOCH_MS('u."lastUsedAt"')} AS used_ms
  FROM "ApiToken" t
  JOIN "ApiTokenPermission" g ON g."tokenId" = t.id
  JOIN "ApiPermission" p ON p.id = g."permissionId" AND p."apiId" = $1
  LEFT JOIN "ApiTokenUse" u ON u."tokenId" = t.id AND u."apiId" = $1
  WHERE ${LIVE_TOKEN}
  GROUP BY t.id, u."lastUsedAt"
  UNION ALL
  SELECT 'client', c.id, c.name, c."ownerId", NULL, ${EPOCH_MS('c."disabledAt"')},
         array_agg(p.name ORDER BY p.name), ${EPOCH_MS('u."lastUsedAt"')}
  FROM "ApiClient" c
  JOIN "ApiClientPermission" g ON g."clientId" = c.id
  JOIN "ApiPermission" p ON p.id = g."permissionId" AND p."apiId" = $1
  LEFT JOIN "ApiClientUse" u ON u."clientId" = c.id AND u."apiId" = $1
  GROUP BY c.id, u."lastUsedAt"`;

// Never seen, then the longest idle first: the ones to look at come first.
const PAGE_SQL = `
  SELECT h.*, o.name AS owner_name, o.email AS owner_email, count(*) OVER ()::int AS total
  FROM (${HELD_SQL}) h LEFT JOIN "User" o ON o.id = h.owner_id
  ORDER BY h.used_ms ASC NULLS FIRST, h.kind, h.name, h.id
  LIMIT $3 OFFSET $4`;

type Row = {
  kind: "token" | "client";
  id: string;
  name: string;
  owner_id: string | null;
  owner_name: string | null;
  owner_email: string | null;
  expires_ms: number | null;
  disabled_ms: number | null;
  permissions: string[];
  used_ms: number | null;
  total: number;
};

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * One page of the credentials holding the API's permissions (apis.read, or the API's owner; others
 * are told it does not exist). The cursor is the offset of the next page: the order follows last
 * use, which moves, so a keyset would not be stable either.
 */
export async function listApiCredentials(
  actor: Principal,
  apiId: string,
  input: ListApiCredentialsInput,
  now: number = Date.now(),
): Promise<{ items: ApiCredentialView[]; nextCursor: string | null; total: number }> {
  const api = await db.api.findUnique({ where: { id: apiId }, select: { id: true, ownerId: true } });
  if (!api || !maySeeApi(actor, api.ownerId)) throw NotFound("API");
  const offset = input.after ? Number(input.after) : 0;
  const { rows } = await dbPool().query<Row>(PAGE_SQL, [api.id, now, input.limit, offset]);
  const total = rows[0]?.total ?? (offset === 0 ? 0 : await countHeld(api.id, now));
  const next = offset + rows.length;
  return {
    items: rows.map((row) => ({
      kind: row.kind,
      id: row.id,
      name: row.name,
      owner:
        row.owner_id && row.owner_name !== null && row.owner_email !== null
          ? { id: row.owner_id, name: row.owner_name, email: row.owner_email }
          : null,
      permissions: row.permissions,
      disabled: row.disabled_ms !== null,
      expiresAt: date(row.expires_ms),
      lastUsedAt: date(row.used_ms),
    })),
    nextCursor: rows.length === input.limit && next < total ? String(next) : null,
    total,
  };
}

async function countHeld(apiId: string, now: number): Promise<number> {
  const { rows } = await dbPool().query<{ total: number }>(
    `SELECT count(*)::int AS total FROM (${HELD_SQL}) h`,
    [apiId, now],
  );
  return rows[0]?.total ?? 0;
}

/** For the APIs list: how many live tokens and clients hold a permission of each API. */
export async function credentialCounts(
  apiIds: readonly string[],
  now: number = Date.now(),
): Promise<Map<string, number>> {
  if (apiIds.length === 0) return new Map();
  const { rows } = await dbPool().query<{ id: string; held: number }>(
    `SELECT a.id,
       (SELECT count(DISTINCT g."tokenId") FROM "ApiTokenPermission" g
          JOIN "ApiPermission" p ON p.id = g."permissionId" JOIN "ApiToken" t ON t.id = g."tokenId"
          WHERE p."apiId" = a.id AND ${LIVE_TOKEN})::int
     + (SELECT count(DISTINCT g."clientId") FROM "ApiClientPermission" g
          JOIN "ApiPermission" p ON p.id = g."permissionId" WHERE p."apiId" = a.id)::int AS held
     FROM "Api" a WHERE a.id = ANY($1::text[])`,
    [[...apiIds], now],
  );
  return new Map(rows.map((row) => [row.id, row.held]));
}
