import { z } from "zod";

import type { ApiCredentialView } from "../apis/api-inventory.ts";
import type { AppDetail, AppListItem } from "../apps/list-apps.ts";
import type { RegisteredApp } from "../apps/manage-apps.ts";
import type { ApiDetail, ApiListItem, ApiPermissionView } from "../apis/list-apis.ts";
import type { AuditEventView } from "../audit/list-events.ts";
import type { SessionView } from "../auth/manage-sessions.ts";
import type { Principal } from "../auth/principal.ts";
import type { ClientView } from "../clients/list-clients.ts";
import { permissionSchema } from "../policy/permission-schema.ts";
import type { TokenView } from "../tokens/list-tokens.ts";
import type { UserDetail } from "../users/get-user.ts";
import type { UserListItem } from "../users/list-users.ts";
import type { ConnectedApp } from "../oidc/connected-apps.ts";
import type { ResourceServerCredentialView } from "../resource-servers/list-credentials.ts";
import type { IssuedResourceServerSecret } from "../resource-servers/manage-credentials.ts";
import type { NotificationPreferences } from "../account/notification-preferences.ts";
import { riskKeySchema } from "../overview/overview-schemas.ts";
import type { AcceptedRisk, AcceptedRiskItem } from "../remedies/accept-risk.ts";
import type { NarrowResult } from "../remedies/narrow.ts";

/**
 * What the API returns, as zod schemas (for the OpenAPI document) and the functions that build
 * them from domain views: fields are chosen here, so nothing internal leaks by accident.
 */
const when = z.iso.datetime().describe("RFC 3339 date-time");
const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as `after` for the next page; null on the last."),
  });

export const meResource = z.object({
  kind: z.enum(["user", "token", "client"]),
  id: z.string().describe("User id, or the client id for a client."),
  email: z.string().optional(),
  name: z.string(),
  permissions: z.array(permissionSchema),
  tokenId: z.string().optional(),
  expiresAt: when.optional(),
  authTime: when.optional(),
});

export function toMe(principal: Principal): z.input<typeof meResource> {
  const permissions = [...principal.permissions].sort();
  switch (principal.kind) {
    case "user":
      return {
        kind: "user",
        id: principal.userId,
        email: principal.email,
        name: principal.name,
        permissions,
        authTime: iso(principal.authTime),
      };
    case "token":
      return {
        kind: "token",
        id: principal.userId,
        email: principal.email,
        name: principal.name,
        permissions,
        tokenId: principal.tokenId,
      };
    case "client":
      return {
        kind: "client",
        id: principal.clientId,
        name: principal.clientName,
        permissions,
        expiresAt: iso(principal.expiresAt),
      };
  }
}

const EMAIL_VERIFIED = z
  .boolean()
  .describe(
    "Whether the address was proven by using a one-time link Keyward mailed to it; false again once it changes.",
  );

export const userSummaryResource = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.enum(["invited", "active", "disabled"]),
  createdAt: when,
  lastSignInAt: when.nullable(),
  roles: z.array(z.string()).describe("Role names"),
  hasMfa: z.boolean(),
  emailVerified: EMAIL_VERIFIED,
});

export function toUserSummary(user: UserListItem): z.input<typeof userSummaryResource> {
  return { ...user, createdAt: iso(user.createdAt), lastSignInAt: isoOrNull(user.lastSignInAt) };
}

export const userResource = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: EMAIL_VERIFIED,
  name: z.string(),
  status: z.enum(["invited", "active", "disabled"]),
  createdAt: when,
  lastSignInAt: when.nullable(),
  roles: z.array(
    z.object({ id: z.string(), name: z.string(), permissions: z.array(permissionSchema), assignedAt: when }),
  ),
  effectivePermissions: z.array(z.object({ permission: permissionSchema, roles: z.array(z.string()) })),
  factors: z.array(
    z.object({ kind: z.string(), name: z.string(), createdAt: when, lastUsedAt: when.nullable() }),
  ),
  invitationPending: z.boolean(),
  activeSessions: z.number().int(),
  apiPermissions: z
    .array(
      z.object({
        api: z.object({ id: z.string(), name: z.string(), identifier: z.string() }),
        permissions: z.array(
          z.object({ id: z.string(), name: z.string(), deprecated: z.boolean(), roles: z.array(z.string()) }),
        ),
      }),
    )
    .describe(
      "Permissions of other APIs the user holds through roles, grouped by API, with the roles giving each.",
    ),
  everyApiPermissionVia: z
    .string()
    .nullable()
    .describe(
      "The role (Administrator) through which the user holds every permission of every API, or null.",
    ),
});

export function toUser(user: UserDetail): z.input<typeof userResource> {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    name: user.name,
    status: user.status,
    createdAt: iso(user.createdAt),
    lastSignInAt: isoOrNull(user.lastSignInAt),
    roles: user.roles.map((role) => ({
      id: role.id,
      name: role.name,
      permissions: role.permissions,
      assignedAt: iso(role.assignedAt),
    })),
    effectivePermissions: user.effectivePermissions,
    factors: user.factors.map((factor) => ({
      kind: factor.kind,
      name: factor.name,
      createdAt: iso(factor.createdAt),
      lastUsedAt: isoOrNull(factor.lastUsedAt),
    })),
    invitationPending: user.pendingInvitation !== null,
    activeSessions: user.activeSessions,
    apiPermissions: user.apiPermissions,
    everyApiPermissionVia: user.everyApiPermissionVia,
  };
}

export const roleResource = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(permissionSchema),
  unresolvedPermissions: z
    .array(z.string())
    .describe(
      "Stored grants this version of Keyward does not define: they authorize nothing and stay until removed.",
    ),
  requiresMfa: z.boolean(),
  holders: z.number().int(),
  apiPermissions: z
    .array(
      z.object({
        id: z.string(),
        api: z.object({ id: z.string(), name: z.string(), identifier: z.string() }),
        name: z.string(),
        deprecated: z
          .boolean()
          .describe("Deprecated: kept on the role until removed, but it takes no new grants."),
      }),
    )
    .describe("Permissions of other registered APIs this role grants (Keyward's own are `permissions`)."),
  allApiPermissions: z
    .boolean()
    .describe("True for the built-in Administrator: every permission of every API, present and future."),
});

export function toRole(role: z.input<typeof roleResource>): z.input<typeof roleResource> {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    builtIn: role.builtIn,
    permissions: role.permissions,
    unresolvedPermissions: role.unresolvedPermissions,
    requiresMfa: role.requiresMfa,
    holders: role.holders,
    apiPermissions: role.apiPermissions.map((p) => ({
      id: p.id,
      api: { id: p.api.id, name: p.api.name, identifier: p.api.identifier },
      name: p.name,
      deprecated: p.deprecated,
    })),
    allApiPermissions: role.allApiPermissions,
  };
}

/** A credential's permission of another registered API, and whether it is usable now (issue 14: say why). */
export const apiScopeResource = z.object({
  id: z.string().describe("The permission's id."),
  api: z.object({
    id: z.string(),
    name: z.string(),
    identifier: z.string().describe("The API's audience (`aud`)."),
  }),
  name: z.string().describe("The permission's name within its API: a scope on the wire."),
  deprecated: z.boolean(),
  effective: z.boolean().describe("Whether the credential may use it now."),
  reason: z.string().optional().describe("When not effective: which rule removed it, in plain words."),
});

export const tokenResource = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(permissionSchema),
  apiPermissions: z.array(apiScopeResource).describe("Permissions of other registered APIs."),
  status: z.enum(["active", "expired", "revoked"]),
  createdAt: when,
  expiresAt: when.nullable(),
  revokedAt: when.nullable(),
  lastUsedAt: when.nullable(),
  lastUsedIp: z.string().nullable(),
  fragment: z.string().describe("Prefix and last four characters of the current secret."),
  overlapEndsAt: when.nullable().describe("Until when a rotated-out secret still works."),
  owner: z.object({ id: z.string(), email: z.string(), name: z.string() }),
});

export function toToken(token: TokenView): z.input<typeof tokenResource> {
  return {
    ...token,
    apiPermissions: token.apiPermissions,
    createdAt: iso(token.createdAt),
    expiresAt: isoOrNull(token.expiresAt),
    revokedAt: isoOrNull(token.revokedAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    overlapEndsAt: isoOrNull(token.overlapEndsAt),
  };
}

export const mintedTokenResource = z.object({
  id: z.string(),
  token: z.string().describe("The secret: shown this once, stored only as a hash."),
  name: z.string(),
  scopes: z.array(permissionSchema),
  apiPermissions: z.array(apiScopeResource.pick({ id: true, api: true, name: true })),
  expiresAt: when.nullable(),
});

export const rotatedTokenResource = z.object({
  token: z.string().describe("The new secret: shown this once."),
  oldSecretExpiresAt: when.nullable().describe("When the previous secret stops; null: it stopped now."),
});

export const clientResource = z.object({
  id: z.string().describe("Also the OAuth client_id."),
  name: z.string(),
  description: z.string(),
  scopes: z.array(permissionSchema),
  apiPermissions: z
    .array(apiScopeResource)
    .describe("Allowed permissions of other registered APIs; effective: allowed and held by the owner now."),
  requireDpop: z
    .boolean()
    .describe("RFC 9449: it gets tokens only with a DPoP proof, each bound to its key (cnf.jkt)."),
  status: z.enum(["active", "disabled", "orphaned"]),
  owner: z.object({ id: z.string(), email: z.string(), name: z.string(), active: z.boolean() }).nullable(),
  pendingOwner: z
    .object({ id: z.string(), email: z.string(), name: z.string(), since: when.nullable() })
    .nullable()
    .describe("Proposed as the new owner: the owner only once they accept."),
  createdAt: when,
  updatedAt: when,
  lastUsedAt: when.nullable(),
  secrets: z.array(
    z.object({ id: z.string(), fragment: z.string(), createdAt: when, expiresAt: when.nullable() }),
  ),
});

export function toClient(client: ClientView): z.input<typeof clientResource> {
  return {
    ...client,
    apiPermissions: client.apiPermissions,
    requireDpop: client.requireDpop,
    createdAt: iso(client.createdAt),
    updatedAt: iso(client.updatedAt),
    lastUsedAt: isoOrNull(client.lastUsedAt),
    pendingOwner: client.pendingOwner
      ? { ...client.pendingOwner, since: isoOrNull(client.pendingOwner.since) }
      : null,
    secrets: client.secrets.map((secret) => ({
      ...secret,
      createdAt: iso(secret.createdAt),
      expiresAt: isoOrNull(secret.expiresAt),
    })),
  };
}

export const clientSecretResource = z.object({
  clientId: z.string(),
  clientSecret: z.string().describe("Shown this once, stored only as a hash."),
  oldSecretExpiresAt: when.nullable().optional(),
});

export const auditEventResource = z.object({
  id: z.string().describe("Position in the hash chain."),
  occurredAt: when,
  action: z.string(),
  outcome: z.enum(["success", "failure", "denied"]),
  actor: z.object({ kind: z.string(), id: z.string().nullable(), display: z.string().nullable() }),
  target: z.object({ kind: z.string(), id: z.string(), display: z.string().nullable() }).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});

export function toAuditEvent(event: AuditEventView): z.input<typeof auditEventResource> {
  return {
    ...event,
    outcome: event.outcome as "success" | "failure" | "denied",
    occurredAt: iso(event.occurredAt),
    details: (event.details ?? {}) as Record<string, unknown>,
  };
}

export const permissionResource = z.object({ key: permissionSchema, description: z.string() });

export const invitationResource = z.object({
  userId: z.string(),
  invitationLink: z
    .string()
    .describe("One-time link (its secret is in the fragment): pass it to the person."),
  expiresAt: when,
});

export const passwordResetResource = z.object({
  userId: z.string(),
  delivery: z
    .enum(["email", "shown"])
    .describe("email: sent to the user's address; shown: resetLink is here, to pass on."),
  resetLink: z
    .string()
    .optional()
    .describe("One-time link (its secret is in the fragment), only when delivery is shown."),
  expiresAt: when,
});

export const sessionResource = z.object({
  id: z.string(),
  device: z.string().describe("Browser and operating system, from the user agent."),
  ip: z.string(),
  createdAt: when,
  lastSeenAt: when,
  expiresAt: when,
  amr: z.array(z.string()).describe("Authentication methods (RFC 8176)."),
});

export function toSession(session: SessionView): z.input<typeof sessionResource> {
  return {
    id: session.id,
    device: session.device,
    ip: session.ip,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(session.expiresAt),
    amr: session.amr,
  };
}

// My account → Connected apps (issue 15): the apps a user signed in to, and what they allowed each.
export const connectedAppResource = z.object({
  id: z.string().describe("The application's id, also its OAuth client_id."),
  name: z.string(),
  logoUrl: z.string().nullable(),
  homepageUrl: z.string().nullable(),
  firstParty: z.boolean().describe("The organization's own app: its sign-ins ask no consent."),
  disabled: z.boolean(),
  allowedAt: when.describe("When the user first allowed it (the oldest live grant)."),
  lastUsedAt: when
    .nullable()
    .describe(
      "When it last used what it was allowed (a sign-in, a token exchange or refresh, UserInfo, an API introspecting its tokens), to the minute; null if not since this was recorded.",
    ),
  allowed: z.array(z.string()).describe("What it may do, in the consent screen's words."),
  refreshTokens: z
    .boolean()
    .describe("It holds a live refresh token: it can stay signed in while the user is away."),
});

export function toConnectedApp(app: ConnectedApp): z.input<typeof connectedAppResource> {
  return { ...app, allowedAt: iso(app.allowedAt), lastUsedAt: isoOrNull(app.lastUsedAt) };
}

// The API registry (issue 14).
const apiOwnerResource = z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable();

export const apiSummaryResource = z.object({
  id: z.string(),
  name: z.string(),
  identifier: z.string().describe("The audience (aud) of its tokens; the `resource` clients name."),
  description: z.string(),
  builtIn: z.boolean().describe("Keyward's own admin API: read-only."),
  owner: apiOwnerResource,
  disabled: z.boolean(),
  permissionCount: z.number().int(),
  createdAt: when,
});

export function toApiSummary(api: ApiListItem): z.input<typeof apiSummaryResource> {
  return {
    id: api.id,
    name: api.name,
    identifier: api.identifier,
    description: api.description,
    builtIn: api.builtIn,
    owner: api.owner,
    disabled: api.disabled,
    permissionCount: api.permissionCount,
    createdAt: iso(api.createdAt),
  };
}

export const apiPermissionResource = z.object({
  id: z.string(),
  name: z.string().describe("The scope's name on the wire, e.g. orders.read."),
  description: z.string(),
  deprecated: z.boolean().describe("No new grants; existing ones are kept and flagged."),
  roles: z.array(z.object({ id: z.string(), name: z.string() })).describe("Roles granting it."),
  tokenCount: z.number().int().describe("Live personal tokens carrying it."),
  clientCount: z.number().int().describe("API clients allowed it."),
});

export function toApiPermission(permission: ApiPermissionView): z.input<typeof apiPermissionResource> {
  return {
    id: permission.id,
    name: permission.name,
    description: permission.description,
    deprecated: permission.deprecated,
    roles: permission.roles.map((role) => ({ id: role.id, name: role.name })),
    tokenCount: permission.tokenCount,
    clientCount: permission.clientCount,
  };
}

export const apiResource = apiSummaryResource.extend({
  updatedAt: when,
  accessTokenTtlSeconds: z.number().int(),
  allowPersonalTokens: z.boolean(),
  requireDpop: z
    .boolean()
    .describe(
      "RFC 9449: Keyward issues it only DPoP-bound tokens; at its introspection, personal and unbound tokens are inactive.",
    ),
  identifierLocked: z.boolean().describe("Tokens or clients hold its permissions: the identifier is fixed."),
  mayEdit: z.boolean().describe("Whether the caller may change it."),
  permissions: z.array(apiPermissionResource),
});

export function toApi(api: ApiDetail): z.input<typeof apiResource> {
  return {
    ...toApiSummary(api),
    updatedAt: iso(api.updatedAt),
    accessTokenTtlSeconds: api.accessTokenTtlSeconds,
    allowPersonalTokens: api.allowPersonalTokens,
    requireDpop: api.requireDpop,
    identifierLocked: api.identifierLocked,
    mayEdit: api.mayEdit,
    permissions: api.permissions.map(toApiPermission),
  };
}

export const apiCredentialResource = z.object({
  kind: z.enum(["token", "client"]).describe("A personal token or an API client."),
  id: z.string(),
  name: z.string(),
  owner: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  permissions: z.array(z.string()).describe("The API's permissions it holds, by name."),
  disabled: z.boolean().describe("A disabled client (tokens listed are live)."),
  expiresAt: when.nullable(),
  lastUsedAt: when
    .nullable()
    .describe(
      "Its last use at this API that Keyward saw: issuance for a client, introspection for a personal " +
        "token, a request for Keyward's own API. Noted at most once a minute, written in batches.",
    ),
});

export function toApiCredential(credential: ApiCredentialView): z.input<typeof apiCredentialResource> {
  return {
    ...credential,
    expiresAt: isoOrNull(credential.expiresAt),
    lastUsedAt: isoOrNull(credential.lastUsedAt),
  };
}

export const permissionsExportResource = z.object({
  api: z.object({ name: z.string(), identifier: z.string() }),
  permissions: z.array(z.object({ name: z.string(), description: z.string(), deprecated: z.boolean() })),
});

export const permissionsImportResource = z.object({
  added: z.number().int(),
  updated: z.number().int().describe("Existing permissions whose description changed."),
  unchanged: z.number().int(),
});

export const resourceServerCredentialResource = z.object({
  id: z.string(),
  clientId: z.string().describe("The client_id it presents at the introspection endpoint."),
  apiId: z.string(),
  name: z.string(),
  status: z.enum(["active", "revoked"]),
  createdById: z.string().nullable(),
  createdAt: when,
  revokedAt: when.nullable(),
  lastUsedAt: when.nullable().describe("Its last introspection (noted at most once a minute)."),
  secrets: z.array(
    z.object({ id: z.string(), fragment: z.string(), createdAt: when, expiresAt: when.nullable() }),
  ),
});

export function toResourceServerCredential(
  credential: ResourceServerCredentialView,
): z.input<typeof resourceServerCredentialResource> {
  return {
    ...credential,
    createdAt: iso(credential.createdAt),
    revokedAt: isoOrNull(credential.revokedAt),
    lastUsedAt: isoOrNull(credential.lastUsedAt),
    secrets: credential.secrets.map((secret) => ({
      ...secret,
      createdAt: iso(secret.createdAt),
      expiresAt: isoOrNull(secret.expiresAt),
    })),
  };
}

export const resourceServerSecretResource = z.object({
  credentialId: z.string(),
  clientId: z.string(),
  clientSecret: z.string().describe("Shown this once, stored only as a hash."),
  oldSecretExpiresAt: when.nullable(),
});

export function toResourceServerSecret(
  issued: IssuedResourceServerSecret,
): z.input<typeof resourceServerSecretResource> {
  return { ...issued, oldSecretExpiresAt: isoOrNull(issued.oldSecretExpiresAt) };
}

const appOwner = z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable();

export const appSummaryResource = z.object({
  id: z.string().describe("Also its OAuth client_id."),
  name: z.string(),
  kind: z
    .enum(["web", "spa", "native"])
    .describe("web: confidential (a client secret); spa, native: public (PKCE)."),
  owner: appOwner,
  disabled: z.boolean(),
  firstParty: z.boolean(),
  redirectUriCount: z.number().int(),
  createdAt: when,
});

export function toAppSummary(app: AppListItem): z.input<typeof appSummaryResource> {
  return { ...app, createdAt: iso(app.createdAt) };
}

export const appResource = appSummaryResource.extend({
  clientId: z.string(),
  description: z.string(),
  homepageUrl: z.string().nullable(),
  logoUrl: z.string().nullable(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  backchannelLogoutUri: z.string().nullable(),
  restrictedToRoles: z.boolean(),
  signInRoles: z.array(z.object({ id: z.string(), name: z.string() })),
  refreshTokens: z.boolean(),
  requireDpop: z.boolean().describe("RFC 9449: its token requests must carry a DPoP proof."),
  accessTokenTtlSeconds: z.number().int(),
  refreshTokenIdleSeconds: z.number().int(),
  refreshTokenAbsoluteSeconds: z.number().int(),
  permissions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      apiId: z.string(),
      apiName: z.string(),
      deprecated: z.boolean(),
    }),
  ),
  secrets: z.array(
    z.object({ id: z.string(), fragment: z.string(), createdAt: when, expiresAt: when.nullable() }),
  ),
  updatedAt: when,
});

export function toApp(app: AppDetail): z.input<typeof appResource> {
  return {
    ...toAppSummary(app),
    clientId: app.clientId,
    description: app.description,
    homepageUrl: app.homepageUrl,
    logoUrl: app.logoUrl,
    redirectUris: app.redirectUris,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    backchannelLogoutUri: app.backchannelLogoutUri,
    restrictedToRoles: app.restrictedToRoles,
    signInRoles: app.signInRoles,
    refreshTokens: app.refreshTokens,
    requireDpop: app.requireDpop,
    accessTokenTtlSeconds: app.accessTokenTtlSeconds,
    refreshTokenIdleSeconds: app.refreshTokenIdleSeconds,
    refreshTokenAbsoluteSeconds: app.refreshTokenAbsoluteSeconds,
    permissions: app.permissions,
    secrets: app.secrets.map((secret) => ({
      ...secret,
      createdAt: iso(secret.createdAt),
      expiresAt: isoOrNull(secret.expiresAt),
    })),
    updatedAt: iso(app.updatedAt),
  };
}

export const registeredAppResource = z.object({
  id: z.string(),
  clientId: z.string(),
  clientSecret: z
    .string()
    .nullable()
    .describe("A web app's secret, shown this once and stored only as a hash; null for public apps."),
});

export const toRegisteredApp = (app: RegisteredApp): z.input<typeof registeredAppResource> => app;

export const appSecretResource = z.object({
  clientSecret: z.string().describe("Shown this once, stored only as a hash."),
  oldSecretExpiresAt: when.nullable(),
});

// The security overview's one-click remedies (issue 17).
export const narrowResultResource = z.object({
  kept: z
    .array(z.string())
    .describe('The permissions it keeps, as people read them ("users.read", "Orders API: orders.write").'),
  removed: z
    .array(z.string())
    .describe("The permissions it lost; empty when it already held only what it used."),
  since: when.describe("The first instant of the window its use was judged over."),
  changed: z.boolean().describe("False when nothing changed (and nothing was recorded)."),
});

export function toNarrowResult(result: NarrowResult): z.input<typeof narrowResultResource> {
  return { kept: result.kept, removed: result.removed, since: iso(result.since), changed: result.changed };
}

export const tokenExpiryResource = z.object({
  expiresAt: when,
  previous: when.nullable().describe("The expiry it had; null: it never expired."),
});

export const clientSecretExpiryResource = z.object({
  expiresAt: when,
  secrets: z.number().int().describe("How many of its secrets now stop then."),
});

export const ownerReminderResource = z.object({
  ownerId: z.string(),
  sentAt: when,
});

const riskTargetKind = z.enum(["user", "token", "client"]);

export const acceptedRiskResource = z.object({
  id: z.string(),
  risk: riskKeySchema,
  targetKind: riskTargetKind,
  targetId: z.string(),
  until: when.describe("When the item comes back on its list."),
  replaced: z.array(z.string()).describe("The live acceptances of the same item this one replaced."),
});

export function toAcceptedRisk(accepted: AcceptedRisk): z.input<typeof acceptedRiskResource> {
  return { ...accepted, until: iso(accepted.until) };
}

export const acceptedRiskItemResource = z.object({
  id: z.string(),
  risk: riskKeySchema,
  label: z.string().describe("The risk list's heading."),
  targetKind: riskTargetKind,
  targetId: z.string(),
  targetName: z
    .string()
    .nullable()
    .describe("The user's email, token's or client's name; null once it is gone."),
  reason: z.string(),
  until: when,
  acceptedAt: when,
  acceptedBy: z.object({ id: z.string().nullable(), display: z.string() }),
  ended: z
    .object({ how: z.enum(["expired", "withdrawn", "replaced"]), at: when })
    .nullable()
    .describe("Null while live."),
});

export function toAcceptedRiskItem(item: AcceptedRiskItem): z.input<typeof acceptedRiskItemResource> {
  return {
    ...item,
    until: iso(item.until),
    acceptedAt: iso(item.acceptedAt),
    ended: item.ended ? { how: item.ended.how, at: iso(item.ended.at) } : null,
  };
}

export const notificationPreferencesResource = z.object({
  credentialDigest: z
    .boolean()
    .describe("The weekly email about your expiring, idle or over-scoped credentials."),
  failureAlerts: z.boolean().describe("The alert when sign-in failures spike."),
  mayReceiveFailureAlerts: z
    .boolean()
    .describe("Whether you may turn the failure alert on (audit.read or settings.write)."),
});

export const toNotificationPreferences = (
  preferences: NotificationPreferences,
): z.input<typeof notificationPreferencesResource> => ({
  credentialDigest: preferences.credentialDigest,
  failureAlerts: preferences.failureAlerts,
  mayReceiveFailureAlerts: preferences.mayReceiveFailureAlerts,
});
