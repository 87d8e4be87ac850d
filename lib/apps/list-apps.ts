import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import type { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import type { AppKind, ListAppsInput } from "./app-schemas.ts";

/** Reading the applications registry (issue 15): apps.read (apps.write holders have it too). */
export type AppListItem = {
  id: string;
  name: string;
  kind: AppKind;
  owner: { id: string; name: string; email: string } | null;
  disabled: boolean;
  firstParty: boolean;
  redirectUriCount: number;
  createdAt: Date;
};

export type AppDetail = AppListItem & {
  clientId: string;
  description: string;
  homepageUrl: string | null;
  logoUrl: string | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  restrictedToRoles: boolean;
  signInRoles: { id: string; name: string }[];
  refreshTokens: boolean;
  /** RFC 9449: token requests must carry a DPoP proof. */
  requireDpop: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenIdleSeconds: number;
  refreshTokenAbsoluteSeconds: number;
  /** The Protected APIs' permissions it may ask for, with their API. */
  permissions: { id: string; name: string; apiId: string; apiName: string; deprecated: boolean }[];
  /** A web app's secrets that work now (two during a rotation overlap), newest first; none for public apps. */
  secrets: { id: string; fragment: string; createdAt: Date; expiresAt: Date | null }[];
  updatedAt: Date;
};

const OWNER = { select: { id: true, name: true, email: true } } as const;

export async function listApps(
  actor: Principal,
  input: ListAppsInput,
): Promise<{ items: AppListItem[]; nextCursor: string | null }> {
  authorize(actor, "apps.read");
  const q = input.q?.trim();
  const where: Prisma.ApplicationWhereInput = q
    ? { name: { contains: likeLiteral(q), mode: "insensitive" } }
    : {};
  const rows = await db.application.findMany({
    where,
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: input.limit + 1,
    ...(input.after ? { cursor: { id: input.after }, skip: 1 } : {}),
    include: { owner: OWNER },
  });
  return cursorPage(rows, input.limit, (row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind as AppKind,
    owner: row.owner,
    disabled: row.disabledAt !== null,
    firstParty: row.firstParty,
    redirectUriCount: row.redirectUris.length,
    createdAt: row.createdAt,
  }));
}

export async function getApp(actor: Principal, id: string): Promise<AppDetail> {
  authorize(actor, "apps.read");
  const now = new Date();
  const row = await db.application.findUnique({
    where: { id },
    include: {
      owner: OWNER,
      signInRoles: {
        select: { role: { select: { id: true, name: true } } },
        orderBy: { role: { name: "asc" } },
      },
      permissions: {
        select: {
          permission: {
            select: { id: true, name: true, deprecatedAt: true, api: { select: { id: true, name: true } } },
          },
        },
      },
      secrets: {
        where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        orderBy: { createdAt: "desc" },
        select: { id: true, fragment: true, createdAt: true, expiresAt: true },
      },
    },
  });
  if (!row) throw NotFound("application");
  return {
    id: row.id,
    clientId: row.id,
    name: row.name,
    kind: row.kind as AppKind,
    description: row.description,
    owner: row.owner,
    disabled: row.disabledAt !== null,
    firstParty: row.firstParty,
    redirectUriCount: row.redirectUris.length,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    homepageUrl: row.homepageUrl,
    logoUrl: row.logoUrl,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    backchannelLogoutUri: row.backchannelLogoutUri,
    restrictedToRoles: row.restrictedToRoles,
    signInRoles: row.signInRoles.map(({ role }) => role),
    refreshTokens: row.refreshTokens,
    requireDpop: row.requireDpop,
    accessTokenTtlSeconds: row.accessTokenTtlSeconds,
    refreshTokenIdleSeconds: row.refreshTokenIdleSeconds,
    refreshTokenAbsoluteSeconds: row.refreshTokenAbsoluteSeconds,
    permissions: row.permissions
      .map(({ permission }) => ({
        id: permission.id,
        name: permission.name,
        apiId: permission.api.id,
        apiName: permission.api.name,
        deprecated: permission.deprecatedAt !== null,
      }))
      .sort((a, b) => a.apiName.localeCompare(b.apiName) || a.name.localeCompare(b.name)),
    secrets: row.secrets,
  };
}
