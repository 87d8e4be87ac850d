"use server";

import { userAppRefSchema } from "@/lib/oidc/connected-app-schemas";
import { endUserApp } from "@/lib/oidc/connected-apps";
import { endSession, endUserSessions } from "@/lib/auth/manage-sessions";
import { userSessionRefSchema } from "@/lib/auth/session-schemas";
import { action } from "@/lib/http/action";
import { resetUserMfa } from "@/lib/mfa/reset-user-mfa";
import { inviteUser, resendInvitation, revokeInvitation, type Invitation } from "@/lib/users/invitations";
import { issuePasswordReset } from "@/lib/users/password-reset";
import { deleteUser, disableUser, enableUser, updateUser } from "@/lib/users/manage-user";
import { assignRole, removeRole } from "@/lib/users/role-assignments";
import {
  inviteUserSchema,
  roleAssignmentSchema,
  updateUserSchema,
  userRefSchema,
} from "@/lib/users/user-schemas";

// Thin adapters: the wrapper authorizes and parses; lib/users decides everything else.

const shown = (invitation: Invitation) => ({
  userId: invitation.userId,
  link: invitation.link,
  expiresAt: invitation.expiresAt.toISOString(),
});

export const inviteUserAction = action(
  { permission: "users.write", stepUp: true, schema: inviteUserSchema, arrays: ["roleIds"] },
  async ({ principal, input, context }) => {
    const invitation = await inviteUser({ actor: principal, ...input, context });
    return { message: `Invitation created for ${input.email}.`, data: shown(invitation) };
  },
);

export const resendInvitationAction = action(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    const invitation = await resendInvitation({ actor: principal, userId: input.userId, context });
    return {
      message: "A new invitation link was created; the previous one no longer works.",
      data: shown(invitation),
    };
  },
);

export const revokeInvitationAction = action(
  { permission: "users.write", schema: userRefSchema },
  async ({ principal, input, context }) => {
    await revokeInvitation({ actor: principal, userId: input.userId, context });
    return { message: "The invitation link no longer works." };
  },
);

type ResetLinkData = { expiresAt: string; link?: string; linkLabel?: string; linkHint?: string };

export const resetPasswordAction = action<typeof userRefSchema, ResetLinkData>(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    const reset = await issuePasswordReset({ actor: principal, userId: input.userId, context });
    const until = reset.expiresAt.toISOString();
    if (reset.delivery === "email") {
      return { message: `A password reset link was sent to ${reset.email}.`, data: { expiresAt: until } };
    }
    return {
      message: reset.mailError
        ? `${reset.mailError} Pass this reset link on to ${reset.email} yourself.`
        : `Password reset link created for ${reset.email}.`,
      data: {
        expiresAt: until,
        link: reset.link,
        linkLabel: "Password reset link",
        linkHint: `Give it to ${reset.email} only, over a channel you trust. It works once, for an hour, and is not shown again.`,
      },
    };
  },
);

export const updateUserAction = action(
  { permission: "users.write", stepUp: true, schema: updateUserSchema },
  async ({ principal, input, context }) => {
    await updateUser({ actor: principal, ...input, context });
    return { message: "Profile saved." };
  },
);

export const disableUserAction = action(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    await disableUser({ actor: principal, userId: input.userId, context });
    return { message: "User disabled; their sessions have ended." };
  },
);

export const enableUserAction = action(
  { permission: "users.write", schema: userRefSchema },
  async ({ principal, input, context }) => {
    await enableUser({ actor: principal, userId: input.userId, context });
    return { message: "User enabled." };
  },
);

export const deleteUserAction = action(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    await deleteUser({ actor: principal, userId: input.userId, context });
    return { message: "User deleted.", redirectTo: "/users?deleted=1" };
  },
);

export const assignRoleAction = action(
  { permission: "users.write", stepUp: true, schema: roleAssignmentSchema },
  async ({ principal, input, context }) => {
    await assignRole({ actor: principal, ...input, context });
    return { message: "Role assigned." };
  },
);

export const removeRoleAction = action(
  { permission: "users.write", stepUp: true, schema: roleAssignmentSchema },
  async ({ principal, input, context }) => {
    await removeRole({ actor: principal, ...input, context });
    return { message: "Role removed." };
  },
);

export const resetMfaAction = action(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    await resetUserMfa({ actor: principal, userId: input.userId, context });
    return { message: "Their factors and recovery codes are removed, and their sessions ended." };
  },
);

export const endUserSessionAction = action(
  { permission: "users.write", stepUp: true, schema: userSessionRefSchema },
  async ({ principal, input, context }) => {
    await endSession({ sessionId: input.sessionId, actor: principal, context });
    return { message: "Session ended: that browser is signed out." };
  },
);

export const endAllUserSessionsAction = action(
  { permission: "users.write", stepUp: true, schema: userRefSchema },
  async ({ principal, input, context }) => {
    const ended = await endUserSessions({ userId: input.userId, actor: principal, context });
    return {
      message:
        ended === 0 ? "They had no active sessions." : `Ended ${ended} session${ended === 1 ? "" : "s"}.`,
    };
  },
);

export const endUserAppAction = action(
  { permission: "users.write", stepUp: true, schema: userAppRefSchema },
  async ({ principal, input, context }) => {
    await endUserApp({ actor: principal, userId: input.userId, appId: input.appId, context });
    return { message: "Done: the app can no longer act for them, and must sign them in afresh." };
  },
);
