import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { noticeAccountChange } from "../account/security-notices.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanGrant } from "../policy/grants.ts";
import { assertMayGiveRoles } from "../roles/role-api-grants.ts";
import { assertCanManageUser, assertNotLastAdmin, lockAdminGuard } from "./admin-guard.ts";

type AssignmentInput = { actor: Principal; userId: string; roleId: string; context: RequestContext };

async function load(tx: Tx, input: AssignmentInput) {
  const [user, role] = await Promise.all([
    tx.user.findUnique({ where: { id: input.userId } }),
    tx.role.findUnique({ where: { id: input.roleId }, include: { grants: GRANT_SELECT } }),
  ]);
  if (!user) throw NotFound("user");
  if (!role) throw NotFound("role");
  const { permissions } = splitGrants(role.grants);
  // Assigning or removing a role needs every permission it carries: nobody grants (or takes away) what they do not hold.
  assertCanGrant(input.actor, permissions);
  // And it is managing the user: nobody changes the roles of someone who holds more than they do
  // (a User manager could strip User manager from a developer who also holds clients.write, or give
  // an Administrator a role requiring MFA they have not set up, shutting out their tokens).
  await assertCanManageUser(tx, input.actor, user.id);
  return { user, role: { ...role, permissions } };
}

export async function assignRole(input: AssignmentInput): Promise<void> {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  // Other APIs' permissions the role carries (Administrator: every one), before the transaction.
  await assertMayGiveRoles(input.actor, [input.roleId]);
  const roleName = await db.$transaction(async (tx) => {
    const { user, role } = await load(tx, input);
    const existing = await tx.roleAssignment.findUnique({
      where: { userId_roleId: { userId: user.id, roleId: role.id } },
    });
    if (existing) throw Conflict(`${user.email} already has the role ${role.name}.`);
    await tx.roleAssignment.create({
      data: { userId: user.id, roleId: role.id, createdBy: accountableUserId(input.actor) },
    });
    await credentialsChanged(tx, [`user:${user.id}`]);
    await recordAudit(tx, {
      action: "user.role_assigned",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { role: { id: role.id, name: role.name }, permissions: role.permissions },
    });
    return role.name;
  });
  noticeRoleChange(input, "user.role_assigned", roleName);
}

export async function removeRole(input: AssignmentInput): Promise<void> {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  // Other APIs' permissions the role carries (Administrator: every one), before the transaction.
  await assertMayGiveRoles(input.actor, [input.roleId]);
  const roleName = await db.$transaction(async (tx) => {
    await lockAdminGuard(tx);
    const { user, role } = await load(tx, input);
    if (role.builtInKey === "admin") await assertNotLastAdmin(tx, user.id);
    const { count } = await tx.roleAssignment.deleteMany({ where: { userId: user.id, roleId: role.id } });
    if (count === 0) throw NotFound("role assignment");
    // Tokens and clients are narrowed to the owner's permissions on their next request.
    await credentialsChanged(tx, [`user:${user.id}`]);
    await recordAudit(tx, {
      action: "user.role_removed",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { role: { id: role.id, name: role.name }, permissions: role.permissions },
    });
    return role.name;
  });
  noticeRoleChange(input, "user.role_removed", roleName);
}

/** The user hears that what they may do changed (after the commit; mail never fails the change). */
function noticeRoleChange(
  input: AssignmentInput,
  action: "user.role_assigned" | "user.role_removed",
  roleName: string,
): void {
  noticeAccountChange({
    userId: input.userId,
    actor: input.actor,
    action,
    detail: roleName,
    context: input.context,
  });
}
