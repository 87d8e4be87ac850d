import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { heldAmong } from "../apis/holdings.ts";
import { dbPool } from "../db/client.ts";

/**
 * A credential's stored scopes at APIs other than Keyward's own (issue 14, "say why"): a personal
 * token's or an API client's permission rows, each with whether it is usable now and, when it is
 * not, which rule removed it. The credential pages, the REST views and the token endpoint's
 * error_description all word those rules the same way, from here.
 */

/** Why a stored scope is not usable now; absent when it is. */
export type ScopeReason = "owner_lacks" | "no_owner" | "deprecated" | "api_disabled" | "no_personal_tokens";

export type ApiScopeView = {
  id: string;
  api: { id: string; name: string; identifier: string };
  name: string;
  deprecated: boolean;
  effective: boolean;
  /** In plain words, when not effective: which rule removed it. */
  reason?: string;
};

/** The plain words of each rule, as a clause after the permission's name. */
export function reasonText(reason: ScopeReason, apiName: string): string {
  switch (reason) {
    case "owner_lacks":
      return "its owner does not hold it now (no role of theirs grants it: their roles changed, or owning the API is not holding it)";
    case "no_owner":
      return "it has no active owner to act for";
    case "deprecated":
      return "deprecated: it takes no new grants and is not issued";
    case "api_disabled":
      return `the API "${apiName}" is disabled`;
    case "no_personal_tokens":
      return `the API "${apiName}" no longer allows personal tokens`;
  }
}

/** One stored scope row with what the rules need about it. */
export type StoredApiScope = {
  id: string;
  apiId: string;
  apiName: string;
  identifier: string;
  name: string;
  deprecated: boolean;
  apiDisabled: boolean;
  allowPersonalTokens: boolean;
};

type Row = {
  holder: string;
  id: string;
  api_id: string;
  api_name: string;
  identifier: string;
  name: string;
  deprecated: boolean;
  api_disabled: boolean;
  allow_personal_tokens: boolean;
};

const JOIN_TABLES = {
  token: { table: "ApiTokenPermission", key: "tokenId" },
  client: { table: "ApiClientPermission", key: "clientId" },
} as const;

/**
 * The stored scopes outside Keyward's own API of these tokens or clients, by holder id, ordered by
 * API then name. One query for a whole page of credentials.
 */
export async function storedApiScopes(
  kind: keyof typeof JOIN_TABLES,
  holderIds: readonly string[],
): Promise<Map<string, StoredApiScope[]>> {
  const out = new Map<string, StoredApiScope[]>();
  if (holderIds.length === 0) return out;
  const { table, key } = JOIN_TABLES[kind];
  const { rows } = await dbPool().query<Row>(
    `SELECT g."${key}" AS holder, p.id, p."apiId" AS api_id, a.name AS api_name, a.identifier, p.name,
            p."deprecatedAt" IS NOT NULL AS deprecated, a."disabledAt" IS NOT NULL AS api_disabled,
            a."allowPersonalTokens" AS allow_personal_tokens
     FROM "${table}" g JOIN "ApiPermission" p ON p.id = g."permissionId" JOIN "Api" a ON a.id = p."apiId"
     WHERE g."${key}" = ANY($1::text[]) AND p."apiId" <> $2
     ORDER BY a.name, p.name`,
    [[...new Set(holderIds)], BUILT_IN_API_ID],
  );
  for (const row of rows) {
    const list = out.get(row.holder) ?? [];
    list.push(toStored(row));
    out.set(row.holder, list);
  }
  return out;
}

/** The permission rows with these ids (any API, Keyward's own included); unknown ids are absent. */
export async function apiPermissionsByIds(ids: readonly string[]): Promise<StoredApiScope[]> {
  if (ids.length === 0) return [];
  const { rows } = await dbPool().query<Omit<Row, "holder">>(
    `SELECT p.id, p."apiId" AS api_id, a.name AS api_name, a.identifier, p.name,
            p."deprecatedAt" IS NOT NULL AS deprecated, a."disabledAt" IS NOT NULL AS api_disabled,
            a."allowPersonalTokens" AS allow_personal_tokens
     FROM "ApiPermission" p JOIN "Api" a ON a.id = p."apiId"
     WHERE p.id = ANY($1::text[])
     ORDER BY a.name, p.name`,
    [[...new Set(ids)]],
  );
  return rows.map(toStored);
}

function toStored(row: Omit<Row, "holder">): StoredApiScope {
  return {
    id: row.id,
    apiId: row.api_id,
    apiName: row.api_name,
    identifier: row.identifier,
    name: row.name,
    deprecated: row.deprecated,
    apiDisabled: row.api_disabled,
    allowPersonalTokens: row.allow_personal_tokens,
  };
}

/**
 * The first rule that removes a stored scope, in the order a reader checks them: the API, then the
 * permission, then the owner. `held`: whether the owner holds it now (null: no active owner).
 */
export function scopeReason(
  scope: StoredApiScope,
  kind: "token" | "client",
  held: boolean | null,
): ScopeReason | undefined {
  if (scope.apiDisabled) return "api_disabled";
  if (kind === "token" && !scope.allowPersonalTokens) return "no_personal_tokens";
  if (scope.deprecated) return "deprecated";
  if (held === null) return "no_owner";
  if (!held) return "owner_lacks";
  return undefined;
}

/** A credential whose stored scopes are shown: its id and its owner (null: none). */
export type ScopeHolder = { id: string; owner: { id: string; active: boolean } | null };

/**
 * The stored scopes outside Keyward's own API of these tokens or clients, each with whether it is
 * usable now: within what the owner holds (roles or Administrator; owning the API does not count,
 * a credential acts for its owner), and not removed by the API or the permission. An inactive or
 * missing owner makes nothing usable. One query for the scopes and one per distinct owner.
 */
export async function apiScopeViews(
  kind: "token" | "client",
  holders: readonly ScopeHolder[],
): Promise<Map<string, ApiScopeView[]>> {
  const stored = await storedApiScopes(
    kind,
    holders.map((holder) => holder.id),
  );
  const idsByOwner = new Map<string, Set<string>>();
  for (const holder of holders) {
    if (!holder.owner?.active) continue;
    const ids = idsByOwner.get(holder.owner.id) ?? new Set<string>();
    for (const scope of stored.get(holder.id) ?? []) ids.add(scope.id);
    idsByOwner.set(holder.owner.id, ids);
  }
  const heldByOwner = new Map<string, Set<string>>();
  for (const [ownerId, ids] of idsByOwner) {
    heldByOwner.set(ownerId, ids.size > 0 ? await heldAmong(ownerId, [...ids]) : new Set());
  }
  const out = new Map<string, ApiScopeView[]>();
  for (const holder of holders) {
    const held = holder.owner?.active ? heldByOwner.get(holder.owner.id) : undefined;
    out.set(
      holder.id,
      (stored.get(holder.id) ?? []).map((scope) =>
        toView(scope, scopeReason(scope, kind, held ? held.has(scope.id) : null)),
      ),
    );
  }
  return out;
}

function toView(scope: StoredApiScope, reason: ScopeReason | undefined): ApiScopeView {
  return {
    id: scope.id,
    api: { id: scope.apiId, name: scope.apiName, identifier: scope.identifier },
    name: scope.name,
    deprecated: scope.deprecated,
    effective: reason === undefined,
    ...(reason ? { reason: reasonText(reason, scope.apiName) } : {}),
  };
}
