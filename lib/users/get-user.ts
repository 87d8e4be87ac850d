import { BUILT_IN_API_ID, GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize, can } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";
import { emailVerified } from "./email-verification.ts";

export type UserDetail = Awaited<ReturnType<typeof getUser>>;

/** A user's page: profile, roles, effective permissions with the roles that give each, recent events. */
export async function getUser(actor: Principal, userId: string) {
  authorize(actor, "users.read");
  const user = await db.user.findUnique({
    where: { id: userId },
    include: {
      roles: { include: { role: { include: { grants: GRANT_SELECT } } }, orderBy: { role: { name: "asc" } } },
      totpFactors: {
        where: { activatedAt: { not: null } },
        select: { id: true, name: true, createdAt: true, lastUsedAt: true },
      },
      webauthnCreds: { select: { id: true, name: true, createdAt: true, lastUsedAt: true, backedUp: true } },
      oneTimeCodes: {
        where: { purpose: "invitation", usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        select: { expiresAt: true, createdAt: true },
        orderBy: { createdAt: "desc" },
        take: 1,
      },
      _count: { select: { sessions: { where: { revokedAt: null, expiresAt: { gt: new Date() } } } } },
    },
  });
  if (!user) throw NotFound("user");

  const grantedBy = new Map<Permission, string[]>();
  for (const { role } of user.roles) {
    for (const permission of splitGrants(role.grants).permissions) {
      grantedBy.set(permission, [...(grantedBy.get(permission) ?? []), role.name]);
    }
  }
  const apiPermissions = await otherApiPermissions(user.id);
  const admin = user.roles.find(({ role }) => role.builtInKey === "admin");
  const recentEvents = can(actor, "audit.read")
    ? await db.auditEvent.findMany({
        where: { OR: [{ targetId: user.id }, { actorId: user.id }] },
        orderBy: { id: "desc" },
        take: 10,
      })
    : null;

  return {
    id: user.id,
    email: user.email,
    /** Proven by a link mailed to it (issue 15); false again once the address changes. */
    emailVerified: emailVerified(user),
    name: user.name,
    status: user.status,
    createdAt: user.createdAt,
    lastSignInAt: user.lastSignInAt,
    roles: user.roles.map(({ role, createdAt }) => ({
      id: role.id,
      name: role.name,
      builtInKey: role.builtInKey,
      permissions: splitGrants(role.grants).permissions,
      assignedAt: createdAt,
    })),
    effectivePermissions: [...grantedBy.entries()]
      .map(([permission, roles]) => ({ permission, roles }))
      .sort((a, b) => a.permission.localeCompare(b.permission)),
    /** Other APIs' permissions, grouped by API, each with the roles that give it. */
    apiPermissions,
    /** The role (Administrator) through which they hold every permission of every API, if any. */
    everyApiPermissionVia: admin ? admin.role.name : null,
    factors: [
      ...user.totpFactors.map((f) => ({ kind: "Authenticator app", ...f, backedUp: false })),
      ...user.webauthnCreds.map((f) => ({ kind: "Passkey or security key", ...f })),
    ],
    pendingInvitation: user.oneTimeCodes[0] ?? null,
    activeSessions: user._count.sessions,
    recentEvents,
  };
}

/** A user's permissions at other APIs through their roles, grouped by API, with provenance. */
async function otherApiPermissions(userId: string) {
  const grants = await db.rolePermission.findMany({
    where: { role: { assignments: { some: { userId } } }, permission: { apiId: { not: BUILT_IN_API_ID } } },
    select: {
      role: { select: { name: true } },
      permission: {
        select: {
          id: true,
          name: true,
          deprecatedAt: true,
          api: { select: { id: true, name: true, identifier: true } },
        },
      },
    },
  });
  type Entry = { id: string; name: string; deprecated: boolean; roles: string[] };
  const apis = new Map<
    string,
    { api: { id: string; name: string; identifier: string }; byId: Map<string, Entry> }
  >();
  for (const { role, permission } of grants) {
    const group = apis.get(permission.api.id) ?? { api: permission.api, byId: new Map<string, Entry>() };
    const entry = group.byId.get(permission.id) ?? {
      id: permission.id,
      name: permission.name,
      deprecated: permission.deprecatedAt !== null,
      roles: [],
    };
    entry.roles.push(role.name);
    group.byId.set(permission.id, entry);
    apis.set(permission.api.id, group);
  }
  return [...apis.values()]
    .map(({ api, byId }) => ({
      api,
      permissions: [...byId.values()]
        .map((entry) => ({ ...entry, roles: entry.roles.sort() }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.api.name.localeCompare(b.api.name));
}
