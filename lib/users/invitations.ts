import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { getConfig } from "../config/env.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { issueCode } from "../one-time-codes/one-time-codes.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanGrant } from "../policy/grants.ts";
import { assertMayGiveRoles } from "../roles/role-api-grants.ts";
import { assertCanManageUser } from "./admin-guard.ts";
import { createUser } from "./create-user.ts";

export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

export type Invitation = { userId: string; link: string; expiresAt: Date };

/** The secret travels in the fragment: browsers never send it to a server, a proxy log or a Referer. */
export function invitationLink(code: string): string {
  return new URL(`/accept-invitation#${code}`, getConfig().publicUrl).href;
}

async function issueInvitation(
  tx: Tx,
  userId: string,
  actor: Principal,
): Promise<{ link: string; expiresAt: Date }> {
  const issued = await issueCode(tx, {
    purpose: "invitation",
    userId,
    createdBy: accountableUserId(actor),
    ttlSeconds: INVITATION_TTL_SECONDS,
    format: "link",
  });
  return { link: invitationLink(issued.code), expiresAt: issued.expiresAt };
}

/**
 * Creates an invited user (no password: an admin never chooses one) and a one-time link, shown once.
 * The link takes over the new account, with whatever roles it was given: only a signed-in person
 * within the step-up window gets one, never a bearer credential (ADR 0010, ASVS 7.5.1).
 */
export async function inviteUser(input: {
  actor: Principal;
  email: string;
  name: string;
  roleIds: string[];
  context: RequestContext;
}): Promise<Invitation> {
  const { actor } = input;
  authorize(actor, "users.write");
  await assertFreshSession(actor);
  // Other APIs' permissions the roles carry (Administrator: every one), before the transaction.
  await assertMayGiveRoles(actor, input.roleIds);
  return db.$transaction(async (tx) => {
    const roles = await tx.role.findMany({
      where: { id: { in: input.roleIds } },
      include: { grants: GRANT_SELECT },
    });
    if (roles.length !== new Set(input.roleIds).size) throw NotFound("role");
    assertCanGrant(actor, splitGrants(roles.flatMap((role) => role.grants)).permissions);
    const { id } = await createUser(tx, {
      email: input.email,
      name: input.name,
      status: "invited",
      roleIds: roles.map((role) => role.id),
      actor: auditActor(actor),
      context: input.context,
    });
    const invitation = await issueInvitation(tx, id, actor);
    await recordAudit(tx, {
      action: "user.invited",
      actor: auditActor(actor),
      target: { kind: "user", id, display: input.email },
      context: input.context,
      details: { roles: roles.map((role) => role.name), expiresAt: invitation.expiresAt.toISOString() },
    });
    return { userId: id, ...invitation };
  });
}

async function invitedUser(tx: Tx, userId: string, actor: Principal) {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw NotFound("user");
  await assertCanManageUser(tx, actor, user.id);
  if (user.status !== "invited") throw Conflict("This user has already accepted their invitation.");
  return user;
}

/** A new link, under the same rule as the first; the previous one stops working. */
export async function resendInvitation(input: {
  actor: Principal;
  userId: string;
  context: RequestContext;
}): Promise<Invitation> {
  authorize(input.actor, "users.write");
  await assertFreshSession(input.actor);
  return db.$transaction(async (tx) => {
    const user = await invitedUser(tx, input.userId, input.actor);
    const invitation = await issueInvitation(tx, user.id, input.actor);
    await recordAudit(tx, {
      action: "user.invitation_resent",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { expiresAt: invitation.expiresAt.toISOString() },
    });
    return { userId: user.id, ...invitation };
  });
}

export async function revokeInvitation(input: {
  actor: Principal;
  userId: string;
  context: RequestContext;
}): Promise<void> {
  authorize(input.actor, "users.write");
  await db.$transaction(async (tx) => {
    const user = await invitedUser(tx, input.userId, input.actor);
    const { count } = await tx.oneTimeCode.updateMany({
      where: { purpose: "invitation", userId: user.id, usedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw Conflict("This user has no pending invitation.");
    await recordAudit(tx, {
      action: "user.invitation_revoked",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
    });
  });
}
