import type { RequestContext } from "../auth/principal.ts";
import { setPasswordFromLink } from "./set-password-from-link.ts";

export const INVITATION_LIMIT = { name: "invitation_ip", points: 20, durationSeconds: 15 * 60 } as const;

const REASONS = {
  unknown: "This invitation link is not valid. Ask your administrator for a new one.",
  used: "This invitation link has already been used or was replaced by a newer one.",
  expired: "This invitation link has expired. Ask your administrator to send a new one.",
} as const;

/** The invitee chooses their password; the account becomes active. Returns the email to sign in with. */
export async function acceptInvitation(input: {
  code: string;
  password: string;
  context: RequestContext;
}): Promise<{ email: string }> {
  return setPasswordFromLink({
    ...input,
    purpose: "invitation",
    limit: INVITATION_LIMIT,
    status: "invited",
    reasons: REASONS,
    action: "user.invitation_accepted",
    apply: async (tx, user, hash) => {
      await tx.passwordCredential.create({ data: { userId: user.id, hash } });
      await tx.user.update({ where: { id: user.id }, data: { status: "active" } });
      return undefined;
    },
  });
}
