import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { assertMayGrant } from "../apis/holdings.ts";
import { resolveOwner } from "../apis/manage-apis.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { retireSecrets } from "../credentials/secret-rotation.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { AppError, Conflict, Invalid, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { newStoredSecret } from "../tokens/token-secrets.ts";
import {
  assertValidEdit,
  isConfidential,
  type AppKind,
  type CreateAppInput,
  type UpdateAppInput,
} from "./app-schemas.ts";

/**
 * Registering applications (issue 15): apps.write, by a signed-in person under step-up. A web app
 * gets a client secret, shown once and stored as a SHA-256 hash; creating one or rotating it is
 * session-only (a bearer credential never creates a secret, ADR 0010). The Protected APIs'
 * permissions an app may ask for follow the granting rule (lib/apis/holdings.ts): nobody allows an
 * app what they may not grant. Keyward's own admin API is not among them in this issue.
 */

const allowRefusal = (missing: string) =>
  `You cannot let an app ask for permissions you may not grant: ${missing}.`;

/** The registration's fields as stored (the owner and the join rows apart). */
function columns(input: UpdateAppInput) {
  return {
    name: input.name,
    description: input.description,
    homepageUrl: input.homepageUrl ?? null,
    logoUrl: input.logoUrl ?? null,
    redirectUris: input.redirectUris,
    postLogoutRedirectUris: input.postLogoutRedirectUris,
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
    firstParty: input.firstParty,
    restrictedToRoles: input.restrictedToRoles,
    refreshTokens: input.refreshTokens,
    requireDpop: input.requireDpop,
    accessTokenTtlSeconds: input.accessTokenTtlSeconds,
    refreshTokenIdleSeconds: input.refreshTokenIdleSeconds,
    refreshTokenAbsoluteSeconds: input.refreshTokenAbsoluteSeconds,
  };
}

/** Keyward's own permissions are not for apps (issue 15 §1); other APIs' go through the granting rule. */
async function assertMayAllow(actor: Principal, added: string[], touched: string[]): Promise<void> {
  const builtIn = [...added, ...touched].filter((id) => id.startsWith("perm_keyward_"));
  if (builtIn.length > 0) {
    const message = "Apps cannot ask for Keyward's own admin API permissions.";
    throw Invalid(message, [{ path: "apiPermissionIds", message }]);
  }
  await assertMayGrant(actor, { added, touched }, allowRefusal);
}

async function assertRoles(tx: Tx, roleIds: readonly string[]): Promise<void> {
  if (roleIds.length === 0) return;
  const found = await tx.role.count({ where: { id: { in: [...roleIds] } } });
  if (found !== new Set(roleIds).size) {
    const message = "A chosen role does not exist (it may have just been deleted): reload and choose again.";
    throw Invalid(message, [{ path: "signInRoleIds", message }]);
  }
}

async function assertUniqueName(tx: Tx, name: string, exceptId = ""): Promise<void> {
  const clash = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Application" WHERE lower(name) = lower(${name}) AND id <> ${exceptId} LIMIT 1`;
  if (clash.length > 0) {
    const message = "An application with this name already exists: users tell apps apart by name.";
    throw new AppError("conflict", message, { fields: [{ path: "name", message }] });
  }
}

const targetOf = (app: { id: string; name: string }) => ({ kind: "app", id: app.id, display: app.name });

/** What an audit event says of a registration (no secret). */
const summary = (input: UpdateAppInput & { kind?: AppKind }) => ({
  ...columns(input),
  ...(input.kind ? { kind: input.kind } : {}),
  signInRoleIds: input.signInRoleIds,
  apiPermissionIds: input.apiPermissionIds,
});

export type RegisteredApp = { id: string; clientId: string; clientSecret: string | null };

export async function createApp(input: {
  actor: Principal;
  input: CreateAppInput;
  context: RequestContext;
}): Promise<RegisteredApp> {
  authorize(input.actor, "apps.write");
  const actor = await assertFreshSession(input.actor);
  const app = input.input;
  await assertMayAllow(actor, app.apiPermissionIds, app.apiPermissionIds);
  return db.$transaction(async (tx) => {
    await assertUniqueName(tx, app.name);
    await assertRoles(tx, app.signInRoleIds);
    const owner = await resolveOwner(tx, app.owner ?? actor.userId, "an application");
    const id = newId("app");
    const secret = isConfidential(app.kind) ? newStoredSecret("appSecret") : null;
    await tx.application.create({
      data: {
        id,
        kind: app.kind,
        ...columns(app),
        ownerId: owner.id,
        permissions: { create: app.apiPermissionIds.map((permissionId) => ({ permissionId })) },
        signInRoles: { create: app.signInRoleIds.map((roleId) => ({ roleId })) },
        ...(secret ? { secrets: { create: secret.row } } : {}),
      },
    });
    await credentialsChanged(tx, [`app:${id}`]);
    await recordAudit(tx, {
      action: "app.created",
      actor: auditActor(actor),
      target: targetOf({ id, name: app.name }),
      context: input.context,
      details: {
        after: summary(app),
        owner: { id: owner.id, email: owner.email },
        ...(secret ? { fragment: secret.row.fragment } : {}),
      },
    });
    return { id, clientId: id, clientSecret: secret?.value ?? null };
  });
}

/**
 * An app the actor may manage: apps.write, and every permission it may ask for is one they may
 * grant. Otherwise someone who could not give an app those permissions could point it (its
 * redirect URIs, its secret, its sign-in rule) at themselves and collect its users' delegated
 * tokens: the same rule as managing a client (lib/clients/manage-clients.ts). Checked before any
 * transaction (the embedded database has one connection, which a transaction holds), and the
 * permissions are compared again inside it (`assertUnchanged`).
 */
async function manageableApp(actor: Principal, id: string) {
  authorize(actor, "apps.write");
  const app = await findApp(db, id);
  const held = app.permissions.map((row) => row.permissionId);
  await assertMayAllow(actor, [], held);
  return { app, held };
}

/** A concurrent edit changed what the app may ask for since it was checked: the caller reloads. */
function assertUnchanged(app: { permissions: { permissionId: string }[] }, checked: readonly string[]): void {
  const now = app.permissions.map((row) => row.permissionId).sort();
  const before = [...checked].sort();
  if (now.length !== before.length || now.some((id, i) => id !== before[i])) {
    throw Conflict("The application changed while you were editing it: reload the page and try again.");
  }
}

/**
 * Runs `change` in one transaction on the app's locked row, for someone who may manage it
 * (`manageableApp`), refusing with 409 if what it may ask for changed since that check.
 */
async function changeManagedApp<T>(
  actor: Principal,
  id: string,
  change: (tx: Tx, app: Awaited<ReturnType<typeof findApp>>) => Promise<T>,
): Promise<T> {
  const { held } = await manageableApp(actor, id);
  return db.$transaction(async (tx) => {
    const app = await lockedApp(tx, id);
    assertUnchanged(app, held);
    return change(tx, app);
  });
}

/** The app's row locked for this transaction (FOR UPDATE), so that concurrent edits queue. */
async function lockedApp(tx: Tx, id: string) {
  await tx.$queryRaw`SELECT id FROM "Application" WHERE id = ${id} FOR UPDATE`;
  return findApp(tx, id);
}

async function findApp(tx: Tx, id: string) {
  const app = await tx.application.findUnique({
    where: { id },
    include: { permissions: { select: { permissionId: true } }, signInRoles: { select: { roleId: true } } },
  });
  if (!app) throw NotFound("application");
  return app;
}

const difference = (a: readonly string[], b: readonly string[]) => {
  const other = new Set(b);
  return a.filter((x) => !other.has(x));
};

/** Saves a whole registration (the form sends every field); the kind stays as registered. */
export async function updateApp(input: {
  actor: Principal;
  id: string;
  input: UpdateAppInput;
  context: RequestContext;
}): Promise<void> {
  const actor = await assertFreshSession(input.actor);
  const { app: current, held: before } = await manageableApp(actor, input.id);
  assertValidEdit(current.kind as AppKind, input.input);
  const added = difference(input.input.apiPermissionIds, before);
  const removed = difference(before, input.input.apiPermissionIds);
  await assertMayAllow(actor, added, added);
  await db.$transaction(async (tx) => {
    const app = await lockedApp(tx, input.id);
    assertUnchanged(app, before);
    await assertUniqueName(tx, input.input.name, app.id);
    await assertRoles(tx, input.input.signInRoleIds);
    const owner = input.input.owner ? await resolveOwner(tx, input.input.owner, "an application") : null;
    await tx.application.update({
      where: { id: app.id },
      data: { ...columns(input.input), ...(owner ? { ownerId: owner.id } : {}) },
    });
    await tx.applicationPermission.deleteMany({ where: { appId: app.id, permissionId: { in: removed } } });
    if (added.length > 0) {
      await tx.applicationPermission.createMany({
        data: added.map((permissionId) => ({ appId: app.id, permissionId })),
        skipDuplicates: true,
      });
    }
    await tx.applicationRole.deleteMany({ where: { appId: app.id } });
    if (input.input.signInRoleIds.length > 0) {
      await tx.applicationRole.createMany({
        data: input.input.signInRoleIds.map((roleId) => ({ appId: app.id, roleId })),
      });
    }
    await credentialsChanged(tx, [`app:${app.id}`]);
    await recordAudit(tx, {
      action: "app.updated",
      actor: auditActor(actor),
      target: targetOf({ id: app.id, name: input.input.name }),
      context: input.context,
      details: {
        before: summary({
          ...app,
          kind: undefined,
          homepageUrl: app.homepageUrl ?? undefined,
          logoUrl: app.logoUrl ?? undefined,
          backchannelLogoutUri: app.backchannelLogoutUri ?? undefined,
          signInRoleIds: app.signInRoles.map((row) => row.roleId),
          apiPermissionIds: before,
          owner: undefined,
        }),
        after: summary(input.input),
        ...(owner && owner.id !== app.ownerId ? { owner: { id: owner.id, email: owner.email } } : {}),
      },
    });
  });
}

/** A new client secret for a web app, shown once; the old one keeps working for the overlap. */
export async function rotateAppSecret(input: {
  actor: Principal;
  id: string;
  overlapMinutes: number;
  context: RequestContext;
}): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null }> {
  const actor = await assertFreshSession(input.actor);
  return changeManagedApp(actor, input.id, async (tx, app) => {
    if (!isConfidential(app.kind)) {
      throw Invalid("Only web apps have a client secret: single-page and native apps use PKCE alone.");
    }
    const now = new Date();
    const ends = await retireSecrets(tx.applicationSecret, { appId: app.id }, input.overlapMinutes, now);
    const secret = newStoredSecret("appSecret");
    await tx.applicationSecret.create({ data: { ...secret.row, appId: app.id, createdAt: now } });
    await credentialsChanged(tx, [`app:${app.id}`]);
    await recordAudit(tx, {
      action: "app.secret_rotated",
      actor: auditActor(actor),
      target: targetOf(app),
      context: input.context,
      details: {
        overlapMinutes: input.overlapMinutes,
        oldSecretExpiresAt: ends?.toISOString() ?? now.toISOString(),
        fragment: secret.row.fragment,
      },
    });
    return { clientSecret: secret.value, oldSecretExpiresAt: ends };
  });
}

/** A disabled app signs nobody in and gets no tokens; enabling it restores it as it was. */
export async function setAppDisabled(input: {
  actor: Principal;
  id: string;
  disabled: boolean;
  context: RequestContext;
}): Promise<void> {
  await assertRecentAuth(input.actor);
  await changeManagedApp(input.actor, input.id, async (tx, app) => {
    if ((app.disabledAt !== null) === input.disabled) return;
    await tx.application.update({
      where: { id: app.id },
      data: { disabledAt: input.disabled ? new Date() : null },
    });
    await credentialsChanged(tx, [`app:${app.id}`]);
    await recordAudit(tx, {
      action: input.disabled ? "app.disabled" : "app.enabled",
      actor: auditActor(input.actor),
      target: targetOf(app),
      context: input.context,
    });
  });
}

export async function deleteApp(input: {
  actor: Principal;
  id: string;
  context: RequestContext;
}): Promise<void> {
  await assertRecentAuth(input.actor);
  // Taking an app's permissions away counts as touching them (the granting rule).
  await changeManagedApp(input.actor, input.id, async (tx, app) => {
    await tx.application.delete({ where: { id: app.id } });
    // What its users allowed it and what that issued (grants, codes, refresh and UserInfo tokens)
    // goes with it: a later app cannot inherit it, and nothing is left that no list shows.
    const grants = await tx.oidcPayload.count({ where: { model: "Grant", clientId: app.id } });
    await tx.oidcPayload.deleteMany({ where: { clientId: app.id, model: { not: "Session" } } });
    await credentialsChanged(tx, [`app:${app.id}`]);
    await recordAudit(tx, {
      action: "app.deleted",
      actor: auditActor(input.actor),
      target: targetOf(app),
      context: input.context,
      details: { before: { name: app.name, kind: app.kind }, endedGrants: grants },
    });
  });
}
